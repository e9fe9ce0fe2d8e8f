import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/** One request the receiver saw. */
export interface Receipt {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly receivedAt: number;
  readonly webhookId: string;
  readonly status: number;
}

/**
 * A misbehaving receiver on 127.0.0.1 whose behaviour comes from the path:
 * `/ok`, `/status/:code`, `/flaky/:k` (fails the first k tries of each webhook-id), `/hang`,
 * `/retry-after/:value` and `/unavailable/:value` (429 or 503 with the header the first time per id), `/gone` (410), `/slow/:ms`,
 * `/redirect` (302 to /ok), `/reset` (destroys the socket), `/reset-after-body` (reads the whole body,
 * records it, then destroys the socket without answering the first time per webhook-id; 200 after:
 * an acknowledgement lost after processing), `/poison` (500 on every try of an event whose `data` has
 * `poison: true`, 200 for the rest), `/huge/:mb` (a body of that size), `/drip`
 * (headers, then a byte every 200 ms, forever). It keeps a ledger and the most concurrent requests seen for one delivery (path and webhook-id).
 */
export class Receiver {
  readonly ledger: Receipt[] = [];
  /** Bytes of body `/huge/:mb` wrote before the client went away, by request path. */
  readonly hugeBytesWritten = new Map<string, number>();
  maxConcurrentPerId = 0;
  private readonly inFlight = new Map<string, number>();
  private readonly tries = new Map<string, number>();
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | null = null;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  receipts(path?: string): Receipt[] {
    return path ? this.ledger.filter((r) => r.path === path) : this.ledger;
  }

  /** Waits until `predicate` holds over the ledger, or fails after `timeoutMs`. */
  async waitFor(predicate: (ledger: Receipt[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.ledger)) {
      if (Date.now() > deadline)
        throw new Error(
          `receiver: condition not met within ${timeoutMs} ms (${this.ledger.length} receipts)`,
        );
      await sleep(25);
    }
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const webhookId = String(request.headers['webhook-id'] ?? '');
    const flightKey = `${request.url}|${webhookId}`; // one delivery = one endpoint (path) and one event
    const concurrent = (this.inFlight.get(flightKey) ?? 0) + 1;
    this.inFlight.set(flightKey, concurrent);
    this.maxConcurrentPerId = Math.max(this.maxConcurrentPerId, concurrent);
    const tryNumber = (this.tries.get(flightKey) ?? 0) + 1;
    this.tries.set(flightKey, tryNumber);
    const path = request.url ?? '/';
    const [, mode = '', arg = ''] = path.split('?')[0].split('/');
    const body = Buffer.concat(chunks).toString('utf8');
    /** Writes the receipt; `status` 0 means the connection was cut without an answer. */
    const record = (status: number, recordedBody = '') =>
      this.ledger.push({
        path,
        headers: request.headers,
        body: recordedBody,
        receivedAt: Date.now(),
        webhookId,
        status,
      });
    const respond = (status: number, headers: Record<string, string> = {}) => {
      this.inFlight.set(flightKey, (this.inFlight.get(flightKey) ?? 1) - 1);
      record(status, body);
      response.writeHead(status, headers).end(status < 300 ? 'ok' : `status ${status}`);
    };
    switch (mode) {
      case 'ok':
        return respond(200);
      case 'status':
        return respond(Number(arg));
      case 'flaky':
        return respond(tryNumber <= Number(arg) ? 500 : 200);
      case 'retry-after':
      case 'unavailable': {
        const busy = mode === 'retry-after' ? 429 : 503;
        const headers: Record<string, string> =
          tryNumber === 1 ? { 'retry-after': decodeURIComponent(arg) } : {};
        return respond(tryNumber === 1 ? busy : 200, headers);
      }
      case 'gone':
        return respond(410);
      case 'slow':
        await sleep(Number(arg));
        return respond(200);
      case 'redirect':
        return respond(302, { location: this.url('/ok') });
      case 'hang':
        this.hanging.add(response);
        return;
      case 'reset':
        record(0);
        request.socket.destroy();
        return;
      case 'reset-after-body':
        if (tryNumber > 1) return respond(200);
        this.inFlight.set(flightKey, (this.inFlight.get(flightKey) ?? 1) - 1);
        record(0, body);
        request.socket.destroy();
        return;
      case 'poison':
        return respond(isPoison(body) ? 500 : 200);
      case 'huge': {
        record(200);
        response.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        let left = Number(arg) * 16; // 16 chunks of 64 KB per MB
        const pump = () => {
          while (left > 0 && !response.destroyed) {
            left--;
            this.hugeBytesWritten.set(path, (this.hugeBytesWritten.get(path) ?? 0) + chunk.length);
            if (!response.write(chunk)) return void response.once('drain', pump);
          }
          response.end();
        };
        pump();
        return;
      }
      case 'drip': {
        record(200);
        response.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(
          () => (response.destroyed ? clearInterval(timer) : response.write('.')),
          200,
        );
        this.hanging.add(response);
        response.once('close', () => clearInterval(timer));
        return;
      }
      default:
        return respond(404);
    }
  }
}

/** Whether a delivered envelope's `data` carries `poison: true` (the `/poison` route fails those). */
function isPoison(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { data?: { poison?: unknown } };
    return parsed.data?.poison === true;
  } catch {
    return false;
  }
}

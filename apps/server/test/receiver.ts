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
 * `/retry-after/:value` (429 with the header the first time per id), `/gone` (410), `/slow/:ms`,
 * `/redirect` (302 to /ok). It keeps a ledger and the most concurrent requests seen for one webhook-id.
 */
export class Receiver {
  readonly ledger: Receipt[] = [];
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
      await new Promise((resolve) => setTimeout(resolve, 25));
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
    const concurrent = (this.inFlight.get(webhookId) ?? 0) + 1;
    this.inFlight.set(webhookId, concurrent);
    this.maxConcurrentPerId = Math.max(this.maxConcurrentPerId, concurrent);
    const tryNumber = (this.tries.get(`${request.url}|${webhookId}`) ?? 0) + 1;
    this.tries.set(`${request.url}|${webhookId}`, tryNumber);
    const [, mode = '', arg = ''] = (request.url ?? '/').split('?')[0].split('/');
    const respond = (status: number, headers: Record<string, string> = {}) => {
      this.inFlight.set(webhookId, (this.inFlight.get(webhookId) ?? 1) - 1);
      this.ledger.push({
        path: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
        webhookId,
        status,
      });
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
        return respond(
          tryNumber === 1 ? 429 : 200,
          tryNumber === 1 ? { 'retry-after': decodeURIComponent(arg) } : {},
        );
      case 'gone':
        return respond(410);
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, Number(arg)));
        return respond(200);
      case 'redirect':
        return respond(302, { location: this.url('/ok') });
      case 'hang':
        this.hanging.add(response);
        return;
      default:
        return respond(404);
    }
  }
}

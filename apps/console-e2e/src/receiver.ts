import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { eventually } from './eventually';

/** One request the receiver answered. */
export interface Receipt {
  readonly path: string;
  readonly webhookId: string;
  readonly status: number;
}

/**
 * A webhook receiver on 127.0.0.1: every path answers 200 until `answer(path, status)` says otherwise,
 * so a test can make an endpoint fail and then recover. It keeps a ledger of what it answered.
 */
export class Receiver {
  readonly ledger: Receipt[] = [];
  private readonly statuses = new Map<string, number>();
  private server: Server | null = null;
  private port = 0;

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      request.resume(); // the body does not matter here; drain it
      request.once('end', () => {
        const path = (request.url ?? '/').split('?')[0] ?? '/';
        const status = this.statuses.get(path) ?? 200;
        this.ledger.push({ path, webhookId: String(request.headers['webhook-id'] ?? ''), status });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}`);
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Makes `path` answer `status` from now on. */
  answer(path: string, status: number): void {
    this.statuses.set(path, status);
  }

  receipts(path: string): Receipt[] {
    return this.ledger.filter((receipt) => receipt.path === path);
  }

  /** Resolves once `path` has answered `status` at least once. */
  async received(path: string, status: number, timeoutMs = 15_000): Promise<void> {
    await eventually(() => {
      if (!this.receipts(path).some((receipt) => receipt.status === status))
        throw new Error(`the receiver has not answered ${status} on ${path} yet`);
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

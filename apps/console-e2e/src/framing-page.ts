import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/** A page of another origin (its own port on 127.0.0.1) that embeds `src` in an iframe. */
export class FramingPage {
  private server: Server | null = null;
  private port = 0;
  private src = 'about:blank';

  async start(): Promise<this> {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><html lang="en"><head><title>Partner app</title></head><body>
<main><h1>Partner app</h1><iframe title="Webhook portal" src="${this.src}" width="1200" height="700"></iframe></main>
</body></html>`,
      );
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The page's URL, framing `src` (an attribute value: no quotes in it). */
  framing(src: string): string {
    if (src.includes('"')) throw new Error('an iframe src without quotes, please');
    this.src = src;
    return `${this.origin}/`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

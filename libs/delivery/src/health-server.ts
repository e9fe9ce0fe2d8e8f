import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type DataSource } from 'typeorm';
import { METRICS_CONTENT_TYPE, metricsAuthorized, renderMetrics } from '@hookyard/data-access';

/** The worker's small HTTP face: `/healthz`, `/readyz` and `/metrics`, without the API's stack. */
export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(
  dataSource: DataSource,
  options: { port: number; host: string; metricsToken: string | null },
): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') return json(405, { status: 'method_not_allowed' });
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      dataSource.query('SELECT 1').then(
        () => json(200, { status: 'ready', database: 'up' }),
        () => json(503, { status: 'not_ready', database: 'down' }),
      );
      return;
    }
    if (path === '/metrics') {
      if (!metricsAuthorized(options.metricsToken, request.headers.authorization))
        return json(401, { status: 'unauthorized' });
      renderMetrics(dataSource).then(
        (text) => {
          response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE });
          response.end(text);
        },
        () => json(503, { status: 'not_ready', database: 'down' }),
      );
      return;
    }
    json(404, { status: 'not_found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

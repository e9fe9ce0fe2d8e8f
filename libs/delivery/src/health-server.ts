import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type DataSource } from 'typeorm';
import { checkReadiness, type WorkerLiveness } from '@hookyard/data-access';
import { type Metrics, metricsAuthorized } from '@hookyard/observability';

/** The worker's small HTTP face: `/healthz`, `/readyz` and `/metrics`, without the API's stack. */
export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface HealthServerOptions {
  readonly port: number;
  readonly host: string;
  readonly metricsToken: string | null;
  /** The process's registry, rendered by `/metrics`. */
  readonly metrics: Metrics;
  /** The worker loop `/readyz` checks (null: the process runs no worker). */
  readonly worker: WorkerLiveness | null;
}

/**
 * `/readyz` answers 200 only when the database answers, every migration is applied and the worker
 * loop went round lately, else 503 with the checks; `/metrics` answers 503 when a database-backed
 * gauge cannot be read.
 */
export async function startHealthServer(
  dataSource: DataSource,
  options: HealthServerOptions,
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
      checkReadiness(dataSource, options.worker).then(
        (readiness) => json(readiness.status === 'ready' ? 200 : 503, readiness),
        () => json(503, { status: 'not_ready' }),
      );
      return;
    }
    if (path === '/metrics') {
      if (!metricsAuthorized(options.metricsToken, request.headers.authorization))
        return json(401, { status: 'unauthorized' });
      options.metrics.render().then(
        (text) => {
          response.writeHead(200, { 'content-type': options.metrics.contentType });
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

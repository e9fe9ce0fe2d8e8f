import { type DataSource } from 'typeorm';
import { type HookyardConfig } from '@hookyard/config';
import { Metrics } from '@hookyard/observability';

interface QueueRow {
  pending: number;
  due: number;
  oldest_due_age: number;
}

/**
 * The metrics of one process: its instruments and the database-backed gauges, on one registry.
 * `npm start` makes one for both roles; each app makes its own otherwise. `defaultMetrics: false`
 * leaves out prom-client's process metrics, whose collectors (an event-loop delay monitor, a GC
 * observer) run for the life of the process: an app built in a test, many to a process, needs none.
 */
export function createProcessMetrics(
  config: Pick<HookyardConfig, 'metricsPerOrg'>,
  dataSource: DataSource,
  options: { readonly defaultMetrics?: boolean } = {},
): Metrics {
  const metrics = new Metrics({
    perOrganization: config.metricsPerOrg,
    defaultMetrics: options.defaultMetrics ?? true,
  });
  registerDatabaseMetrics(metrics, dataSource);
  return metrics;
}

/**
 * Gauges of the whole installation, aggregated over every tenant (expose them on an internal network
 * only), read from the database when Prometheus scrapes. Each query is served by an index: the queue
 * figures by the partial due index (one query shared by the three gauges of a scrape); endpoints are
 * a small table. A failed query fails the scrape rather than reporting a made-up zero.
 */
export function registerDatabaseMetrics(metrics: Metrics, dataSource: DataSource): void {
  const queue = singleFlight(async () => {
    const [row] = await dataSource.query<QueueRow[]>(
      `SELECT count(*)::int AS pending,
              (count(*) FILTER (WHERE next_attempt_at <= now()))::int AS due,
              coalesce(extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0)::float AS oldest_due_age
         FROM deliveries WHERE status = 'pending'`,
    );
    return row ?? { pending: 0, due: 0, oldest_due_age: 0 };
  });
  metrics.gauge({
    name: 'hookyard_deliveries_pending',
    help: 'Deliveries not finished yet.',
    async collect() {
      this.set((await queue()).pending);
    },
  });
  metrics.gauge({
    name: 'hookyard_deliveries_due',
    help: 'Pending deliveries whose time has come.',
    async collect() {
      this.set((await queue()).due);
    },
  });
  metrics.gauge({
    name: 'hookyard_delivery_oldest_due_age_seconds',
    help: 'How long the oldest due delivery has waited (0 when none is due).',
    async collect() {
      this.set((await queue()).oldest_due_age);
    },
  });
  metrics.gauge({
    name: 'hookyard_endpoints',
    help: 'Endpoints by status.',
    labelNames: ['status'],
    async collect() {
      const rows = await dataSource.query<{ status: string; n: number }[]>(
        `SELECT status, count(*)::int AS n FROM endpoints GROUP BY status`,
      );
      this.reset(); // a status no endpoint has any more leaves the output
      for (const row of rows) this.set({ status: row.status }, row.n);
    },
  });
}

/**
 * Runs `load` once for all callers that ask while it is running: the gauges of one scrape are
 * collected together, so they share one query, and the next scrape queries again.
 */
function singleFlight<T>(load: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => {
    running ??= load().finally(() => {
      running = null;
    });
    return running;
  };
}

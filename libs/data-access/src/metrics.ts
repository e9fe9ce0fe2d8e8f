import { createHash, timingSafeEqual } from 'node:crypto';
import { type DataSource } from 'typeorm';

interface Sample {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly values: readonly { labels?: Record<string, string>; value: number }[];
}

/** The content type of the Prometheus text format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Prometheus metrics, aggregated over every tenant (expose them on an internal network only), for the
 * API and the worker alike. Each query is served by an index: pending deliveries by the partial due
 * index, recent attempts by the creation-time index; endpoints are a small table.
 */
export async function renderMetrics(dataSource: DataSource): Promise<string> {
  const [endpoints, queue, attempts] = await Promise.all([
    dataSource.query<{ status: string; n: number }[]>(
      `SELECT status, count(*)::int AS n FROM endpoints GROUP BY status`,
    ),
    dataSource.query<{ pending: number; due: number; lag: number }[]>(
      `SELECT count(*)::int AS pending,
                (count(*) FILTER (WHERE next_attempt_at <= now()))::int AS due,
                coalesce(extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0)::float AS lag
         FROM deliveries WHERE status = 'pending'`,
    ),
    dataSource.query<{ outcome: string; n: number; avg_ms: number }[]>(
      `SELECT coalesce(error_class, 'success') AS outcome, count(*)::int AS n, avg(duration_ms)::float AS avg_ms
         FROM attempts WHERE created_at > now() - interval '5 minutes' AND trigger <> 'test' GROUP BY 1`,
    ),
  ]);
  const [q] = queue;
  const memory = process.memoryUsage();
  return render([
    {
      name: 'hookyard_endpoints',
      help: 'Endpoints by status.',
      type: 'gauge',
      values: endpoints.map((row) => ({ labels: { status: row.status }, value: row.n })),
    },
    {
      name: 'hookyard_deliveries_pending',
      help: 'Deliveries not finished yet.',
      type: 'gauge',
      values: [{ value: q?.pending ?? 0 }],
    },
    {
      name: 'hookyard_deliveries_due',
      help: 'Pending deliveries whose time has come.',
      type: 'gauge',
      values: [{ value: q?.due ?? 0 }],
    },
    {
      name: 'hookyard_delivery_lag_seconds',
      help: 'How long the oldest due delivery has waited.',
      type: 'gauge',
      values: [{ value: q?.lag ?? 0 }],
    },
    {
      name: 'hookyard_attempts_recent',
      help: 'Delivery attempts in the last 5 minutes by outcome (success or error class).',
      type: 'gauge',
      values: attempts.map((row) => ({ labels: { outcome: row.outcome }, value: row.n })),
    },
    {
      name: 'hookyard_attempt_duration_ms_recent',
      help: 'Average attempt duration in the last 5 minutes by outcome.',
      type: 'gauge',
      values: attempts.map((row) => ({
        labels: { outcome: row.outcome },
        value: Math.round(row.avg_ms),
      })),
    },
    {
      name: 'process_resident_memory_bytes',
      help: 'Resident memory.',
      type: 'gauge',
      values: [{ value: memory.rss }],
    },
    {
      name: 'nodejs_heap_used_bytes',
      help: 'V8 heap in use.',
      type: 'gauge',
      values: [{ value: memory.heapUsed }],
    },
    {
      name: 'process_uptime_seconds',
      help: 'Seconds since the process started.',
      type: 'gauge',
      values: [{ value: Math.round(process.uptime()) }],
    },
  ]);
}

/** Whether an `Authorization` header may read the metrics: always without a token, else its bearer. */
export function metricsAuthorized(
  token: string | null,
  authorization: string | undefined,
): boolean {
  return token === null || sameSecret(authorization ?? '', `Bearer ${token}`);
}

function render(samples: readonly Sample[]): string {
  const lines: string[] = [];
  for (const sample of samples) {
    lines.push(`# HELP ${sample.name} ${sample.help}`, `# TYPE ${sample.name} ${sample.type}`);
    for (const { labels, value } of sample.values) {
      const text = labels
        ? `{${Object.entries(labels)
            .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
            .join(',')}}`
        : '';
      lines.push(`${sample.name}${text} ${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Compares in constant time (over hashes, so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

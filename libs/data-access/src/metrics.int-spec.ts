import { type DataSource } from 'typeorm';
import { Metrics } from '@hookyard/observability';
import { createProcessMetrics, registerDatabaseMetrics } from './metrics';
import { checkReadiness } from './readiness';
import {
  insertDelivery,
  insertEndpoint,
  insertEvent,
  insertOrganization,
  openTestDatabase,
} from './testing/tenant-rows';

/** The unlabelled or labelled sample `series` of a Prometheus text (exactly as printed). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('database-backed metrics and readiness', () => {
  let db: { dataSource: DataSource; close(): Promise<void> };

  beforeAll(async () => {
    db = await openTestDatabase();
  });

  afterAll(async () => {
    await db?.close();
  });

  it('reads the queue and the endpoints from the database at every scrape', async () => {
    const metrics = new Metrics({ perOrganization: false, defaultMetrics: false });
    registerDatabaseMetrics(metrics, db.dataSource);
    let text = await metrics.render();
    expect(sample(text, 'hookyard_deliveries_pending')).toBe(0);
    expect(sample(text, 'hookyard_deliveries_due')).toBe(0);
    expect(sample(text, 'hookyard_delivery_oldest_due_age_seconds')).toBe(0);

    const org = await insertOrganization(db.dataSource);
    const endpoint = await insertEndpoint(db.dataSource, org);
    const paused = await insertEndpoint(db.dataSource, org);
    await db.dataSource.query(`UPDATE endpoints SET status = 'paused' WHERE id = $1`, [paused]);
    const event = await insertEvent(db.dataSource, org);
    const due = await insertDelivery(db.dataSource, { org, event, endpoint });
    await db.dataSource.query(
      `UPDATE deliveries SET next_attempt_at = now() - interval '90 seconds' WHERE id = $1`,
      [due],
    );
    const later = await insertDelivery(db.dataSource, { org, event, endpoint: paused });
    await db.dataSource.query(
      `UPDATE deliveries SET next_attempt_at = now() + interval '1 hour' WHERE id = $1`,
      [later],
    );
    await insertDelivery(db.dataSource, { org, event, endpoint, status: 'succeeded' });

    text = await metrics.render();
    expect(sample(text, 'hookyard_deliveries_pending')).toBe(2);
    expect(sample(text, 'hookyard_deliveries_due')).toBe(1);
    expect(sample(text, 'hookyard_delivery_oldest_due_age_seconds')).toBeGreaterThanOrEqual(90);
    expect(sample(text, 'hookyard_endpoints{status="active"}')).toBe(1);
    expect(sample(text, 'hookyard_endpoints{status="paused"}')).toBe(1);

    await db.dataSource.query(`UPDATE endpoints SET status = 'active' WHERE id = $1`, [paused]);
    text = await metrics.render();
    expect(sample(text, 'hookyard_endpoints{status="active"}')).toBe(2);
    expect(sample(text, 'hookyard_endpoints{status="paused"}')).toBeUndefined();
  });

  it('makes a process registry with the process metrics and the database gauges', async () => {
    const text = await createProcessMetrics({ metricsPerOrg: false }, db.dataSource).render();
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toMatch(/^hookyard_deliveries_due \d+$/m);
    const bare = await createProcessMetrics({ metricsPerOrg: false }, db.dataSource, {
      defaultMetrics: false,
    }).render();
    expect(sample(bare, 'process_resident_memory_bytes')).toBeUndefined();
    expect(bare).toMatch(/^hookyard_deliveries_due \d+$/m);
  });

  it('is ready on a migrated database, and says which check fails otherwise', async () => {
    expect(await checkReadiness(db.dataSource, null)).toEqual({
      status: 'ready',
      checks: { database: 'up', migrations: 'applied', worker: 'none' },
    });

    const now = Date.now();
    const worker = (lastLoopAt: number | null) => ({
      pollIntervalMs: 100,
      lastLoopAt: () => lastLoopAt,
    });
    expect((await checkReadiness(db.dataSource, worker(now - 900), now)).checks.worker).toBe(
      'running',
    );
    expect(await checkReadiness(db.dataSource, worker(now - 1100), now)).toMatchObject({
      status: 'not_ready',
      checks: { database: 'up', migrations: 'applied', worker: 'stalled' },
    });
    expect((await checkReadiness(db.dataSource, worker(null), now)).checks.worker).toBe('stalled');

    const [last] = await db.dataSource.query<{ id: number; timestamp: string; name: string }[]>(
      `SELECT id, timestamp, name FROM hookyard_migrations ORDER BY id DESC LIMIT 1`,
    );
    await db.dataSource.query(`DELETE FROM hookyard_migrations WHERE id = $1`, [last?.id]);
    try {
      expect(await checkReadiness(db.dataSource, null)).toEqual({
        status: 'not_ready',
        checks: { database: 'up', migrations: 'pending', worker: 'none' },
      });
    } finally {
      await db.dataSource.query(
        `INSERT INTO hookyard_migrations (id, timestamp, name) VALUES ($1, $2, $3)`,
        [last?.id, last?.timestamp, last?.name],
      );
    }
  });

  it('counts migrations as pending on a database without a migrations table, and creates none', async () => {
    const fresh = await openTestDatabase();
    const tables = () =>
      fresh.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'hookyard_migrations'`,
      );
    await fresh.dataSource.query(`ALTER TABLE hookyard_migrations RENAME TO parked_migrations`);
    try {
      expect(await checkReadiness(fresh.dataSource, null)).toEqual({
        status: 'not_ready',
        checks: { database: 'up', migrations: 'pending', worker: 'none' },
      });
      expect(await tables()).toEqual([{ n: 0 }]); // a probe never writes
    } finally {
      await fresh.dataSource.query(`ALTER TABLE parked_migrations RENAME TO hookyard_migrations`);
      await fresh.close();
    }
  });

  it('is not ready when the database does not answer', async () => {
    const closed = await openTestDatabase();
    await closed.dataSource.destroy();
    expect(await checkReadiness(closed.dataSource, null)).toEqual({
      status: 'not_ready',
      checks: { database: 'down', migrations: 'unknown', worker: 'none' },
    });
    await closed.dataSource.initialize(); // so close() can drop it
    await closed.close();
  });
});

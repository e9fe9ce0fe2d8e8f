import { type DataSource, type MigrationInterface } from 'typeorm';

/** What readiness knows of a worker loop in this process. */
export interface WorkerLiveness {
  /** When the loop last went round (ms since the epoch), null before it first ran or once stopped. */
  lastLoopAt(): number | null;
  /** The poll interval: a loop silent for ten of them is stuck. */
  readonly pollIntervalMs: number;
}

/** The checks of `/readyz`; `worker` is `none` in a process without the worker role. */
export interface ReadinessChecks {
  readonly database: 'up' | 'down';
  readonly migrations: 'applied' | 'pending' | 'unknown';
  readonly worker: 'running' | 'stalled' | 'none';
}

export interface Readiness {
  readonly status: 'ready' | 'not_ready';
  readonly checks: ReadinessChecks;
}

/** A worker loop silent for this many poll intervals is not ready. */
export const WORKER_STALL_POLLS = 10;

/** PostgreSQL's `undefined_table`: no migration has ever run on this database. */
const UNDEFINED_TABLE = '42P01';

/**
 * Whether this process should get traffic: the database answers, every migration this build knows
 * has been applied (read from the small migrations table, one pool query: a probe writes nothing),
 * and a worker loop, if the process runs one, went round within ten poll intervals.
 */
export async function checkReadiness(
  dataSource: DataSource,
  worker: WorkerLiveness | null,
  now: number = Date.now(),
): Promise<Readiness> {
  const database = await dataSource.query('SELECT 1').then(
    () => 'up' as const,
    () => 'down' as const,
  );
  const migrations = database === 'down' ? 'unknown' : await migrationsCheck(dataSource);
  const checks: ReadinessChecks = { database, migrations, worker: workerCheck(worker, now) };
  const ready = database === 'up' && migrations === 'applied' && checks.worker !== 'stalled';
  return { status: ready ? 'ready' : 'not_ready', checks };
}

/**
 * `applied` when every migration of this build has a row in the migrations table, `pending` when one
 * has none (or the table does not exist yet), `unknown` when the table cannot be read otherwise.
 * Unlike TypeORM's `showMigrations` it neither takes a query runner of its own nor creates the table.
 */
async function migrationsCheck(dataSource: DataSource): Promise<ReadinessChecks['migrations']> {
  const table = dataSource.driver.escape(dataSource.options.migrationsTableName ?? 'migrations');
  try {
    const rows = await dataSource.query<{ name: string }[]>(`SELECT name FROM ${table}`);
    const applied = new Set(rows.map((row) => row.name));
    return dataSource.migrations.every((migration) => applied.has(migrationName(migration)))
      ? 'applied'
      : 'pending';
  } catch (error) {
    return sqlState(error) === UNDEFINED_TABLE ? 'pending' : 'unknown';
  }
}

/** The name TypeORM records for a migration: its `name`, else its class name. */
function migrationName(migration: MigrationInterface): string {
  return migration.name ?? migration.constructor.name;
}

/** The SQLSTATE of a failed query (TypeORM's `QueryFailedError` carries the driver's `code`). */
function sqlState(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

function workerCheck(worker: WorkerLiveness | null, now: number): ReadinessChecks['worker'] {
  if (!worker) return 'none';
  const last = worker.lastLoopAt();
  return last !== null && now - last <= worker.pollIntervalMs * WORKER_STALL_POLLS
    ? 'running'
    : 'stalled';
}

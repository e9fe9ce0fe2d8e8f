import { type DataSource, type MigrationInterface } from 'typeorm';
import { migrationsTable } from './applied-migrations';

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
 * and a worker loop, if the process runs one, went round within ten poll intervals. Both database
 * checks come from that one query, so a database that goes away between two queries cannot be
 * reported as up and unready at once.
 */
export async function checkReadiness(
  dataSource: DataSource,
  worker: WorkerLiveness | null,
  now: number = Date.now(),
): Promise<Readiness> {
  const { database, migrations } = await databaseChecks(dataSource);
  const checks: ReadinessChecks = { database, migrations, worker: workerCheck(worker, now) };
  const ready = database === 'up' && migrations === 'applied' && checks.worker !== 'stalled';
  return { status: ready ? 'ready' : 'not_ready', checks };
}

/**
 * Reads the migrations table (unlike TypeORM's `showMigrations` it neither takes a query runner of
 * its own nor creates the table). The database is `up` when the query ran or PostgreSQL answered it
 * with an error of its own; `down` when no connection could ask it (refused, reset, shutting down,
 * starting up). Migrations are `applied` when every one of this build has a row, `pending` when one
 * has none or the table does not exist yet, `unknown` otherwise.
 */
async function databaseChecks(
  dataSource: DataSource,
): Promise<Pick<ReadinessChecks, 'database' | 'migrations'>> {
  const table = migrationsTable(dataSource);
  try {
    const rows = await dataSource.query<{ name: string }[]>(`SELECT name FROM ${table}`);
    const applied = new Set(rows.map((row) => row.name));
    const all = dataSource.migrations.every((migration) => applied.has(migrationName(migration)));
    return { database: 'up', migrations: all ? 'applied' : 'pending' };
  } catch (error) {
    const state = sqlState(error);
    if (state === UNDEFINED_TABLE) return { database: 'up', migrations: 'pending' };
    return { database: answeredByServer(state) ? 'up' : 'down', migrations: 'unknown' };
  }
}

/**
 * Whether a failed query's code is an SQLSTATE the server answered with, other than connection
 * exceptions (class 08) and operator intervention (57P01 shutdown, 57P02 crash, 57P03 starting up).
 * A driver's own failure (`ECONNREFUSED`, a terminated connection) has no SQLSTATE.
 */
function answeredByServer(state: unknown): boolean {
  if (typeof state !== 'string' || !/^[0-9A-Z]{5}$/.test(state)) return false;
  return !state.startsWith('08') && !/^57P0[123]$/.test(state);
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

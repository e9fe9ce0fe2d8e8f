import { type DataSource } from 'typeorm';

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

/**
 * Whether this process should get traffic: the database answers, every migration this build knows
 * has been applied (`showMigrations` is true while some are pending; it reads the small migrations
 * table), and a worker loop, if the process runs one, went round within ten poll intervals.
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
  const migrations =
    database === 'down'
      ? 'unknown'
      : await dataSource.showMigrations().then(
          (pending) => (pending ? ('pending' as const) : ('applied' as const)),
          () => 'unknown' as const,
        );
  const checks: ReadinessChecks = { database, migrations, worker: workerCheck(worker, now) };
  const ready = database === 'up' && migrations === 'applied' && checks.worker !== 'stalled';
  return { status: ready ? 'ready' : 'not_ready', checks };
}

function workerCheck(worker: WorkerLiveness | null, now: number): ReadinessChecks['worker'] {
  if (!worker) return 'none';
  const last = worker.lastLoopAt();
  return last !== null && now - last <= worker.pollIntervalMs * WORKER_STALL_POLLS
    ? 'running'
    : 'stalled';
}

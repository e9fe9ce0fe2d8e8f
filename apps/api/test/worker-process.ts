import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@hookyard/data-access';
import { DELIVERY_ENV, eventually, NO_RATE_LIMITS, type TestApp } from './harness';
import { type ChildOutput, collectApart } from './json-logs';
import { type Receiver } from './receiver';

/** The built API app (`nx run api:build`): `npm start`'s entry point. */
export const MAIN = join(__dirname, '..', 'dist', 'main.js');

/** The built worker app (`nx run worker:build`), which worker processes run. */
export const WORKER_MAIN = join(__dirname, '..', '..', 'worker', 'dist', 'main.js');

/**
 * Starts a delivery worker process (the worker app) on the test app's database, with `DELIVERY_ENV`
 * plus `env`; its health port is a free one unless `env` names one. Its output goes to the test's
 * (`inherit`) or to pipes the caller reads (`pipe`). The caller owns the child and must kill it.
 */
export function spawnWorker(
  t: TestApp,
  env: Record<string, string> = {},
  output: 'inherit' | 'pipe' = 'inherit',
): ChildProcess {
  if (!existsSync(WORKER_MAIN))
    throw new Error(`${WORKER_MAIN} is missing: build it first (npx nx run worker:build)`);
  return spawn(process.execPath, [WORKER_MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '',
      ...DELIVERY_ENV,
      HOOKYARD_ROLE: 'worker',
      DATABASE_URL: t.database.url,
      HOOKYARD_ENCRYPTION_KEY: t.encryptionKey,
      HOOKYARD_LOG_LEVEL: 'warn',
      HOOKYARD_SHUTDOWN_GRACE_SECONDS: '5',
      HOOKYARD_WORKER_PORT: '0',
      ...env,
    },
    stdio: ['ignore', output, output],
  });
}

/**
 * Starts the API app (`HOOKYARD_ROLE=api`, no worker) on the test app's database, with `DELIVERY_ENV`
 * plus `env` (which names its `PORT`), its output piped for the caller to read. The caller owns the
 * child and must stop it.
 */
export function spawnApi(t: TestApp, env: Record<string, string>): ChildProcess {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: build it first (npx nx run api:build)`);
  return spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '',
      ...DELIVERY_ENV,
      ...NO_RATE_LIMITS,
      HOOKYARD_ROLE: 'api',
      HOST: '127.0.0.1',
      DATABASE_URL: t.database.url,
      HOOKYARD_ENCRYPTION_KEY: t.encryptionKey,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A second API process: the built app on a free port of `t`'s database. */
export interface BuiltApi {
  readonly child: ChildProcess;
  readonly output: ChildOutput;
  /** Where it answers (`http://127.0.0.1:<free port>`). */
  readonly base: string;
}

/** Starts the built API app on a free port with `env`, resolving once it says it is up. */
export async function startBuiltApi(
  t: TestApp,
  env: Record<string, string> = {},
): Promise<BuiltApi> {
  const port = await freePort();
  const child = spawnApi(t, { ...env, PORT: String(port) });
  const output = collectApart(child);
  await eventually(() => expect(output.stdout()).toContain('API docs:'), 30_000);
  return { child, output, base: `http://127.0.0.1:${port}` };
}

/** The built API app and a worker app, running on one test database, their output kept apart. */
export interface BuiltApps {
  readonly api: ChildProcess;
  readonly worker: ChildProcess;
  readonly apiOutput: ChildOutput;
  readonly workerOutput: ChildOutput;
  /** Where the API answers (`http://127.0.0.1:<free port>`). */
  readonly base: string;
}

/**
 * Starts the built API app on a free port and one worker app on `t`'s database, with `env.api` and
 * `env.worker` added to their environments, and resolves once both say they are up. Stop them with
 * {@link stopBuiltApps}.
 */
export async function startBuiltApps(
  t: TestApp,
  env: { api?: Record<string, string>; worker?: Record<string, string> } = {},
): Promise<BuiltApps> {
  const port = await freePort();
  const api = spawnApi(t, { PORT: String(port), ...env.api });
  const apiOutput = collectApart(api);
  const worker = spawnWorker(t, env.worker, 'pipe');
  const workerOutput = collectApart(worker);
  // On failure, each shows what its process wrote on both streams (a start-up error goes to stderr).
  await eventually(() => expect(streams(apiOutput)).toContain('API docs:'), 30_000);
  await eventually(
    () => expect(streams(workerOutput)).toContain('delivery worker started'),
    30_000,
  );
  return { api, worker, apiOutput, workerOutput, base: `http://127.0.0.1:${port}` };
}

/** A child's stdout, then its stderr. */
function streams(output: ChildOutput): string {
  return `${output.stdout()}\n--- stderr ---\n${output.stderr()}`;
}

/** Stops both apps of {@link startBuiltApps} (SIGTERM, then SIGKILL after the grace period). */
export async function stopBuiltApps(apps: BuiltApps | undefined): Promise<void> {
  if (apps) await Promise.all([stopChild(apps.worker), stopChild(apps.api)]);
}

/** Resolves once `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends SIGTERM, then SIGKILL if `child` is still running after `graceMs`; resolves once it is gone. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/**
 * Publishes `count` events on `topic`, 25 at a time; each is `{n, ...data(n)}`. Returns the event ids
 * (the `webhook-id` of every delivery) in order of `n`.
 */
export async function publishMany(
  t: TestApp,
  key: string,
  topic: string,
  count: number,
  data: (n: number) => Record<string, unknown> = () => ({}),
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, count - i) }, (_, j) =>
        t.request('POST', '/v1/events', {
          key,
          body: { topic, data: { n: i + j, ...data(i + j) } },
        }),
      ),
    );
    for (const response of batch) {
      expect(response.status).toBe(202);
      ids.push(response.body.id);
    }
  }
  return ids;
}

/** Runs `work` over `items`, `concurrency` at a time: publishers that each wait for their answer. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const publisher = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: concurrency }, publisher));
}

/** `items` cut into runs of `size` (the last one shorter), e.g. events for `/v1/events/batch`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

export interface LedgerFigures {
  readonly sent: number;
  readonly expected: number;
  readonly delivered_unique: number;
  readonly lost: number;
  readonly duplicates: number;
}

/** What the receiver's ledger shows for one endpoint path: 2xx receipts by `webhook-id`. */
export function ledgerFigures(receiver: Receiver, path: string, ids: readonly string[]) {
  const receipts = receiver.receipts(path).filter((r) => r.status === 200);
  const unique = new Set(receipts.map((r) => r.webhookId));
  return {
    sent: ids.length,
    expected: ids.length,
    delivered_unique: unique.size,
    lost: ids.filter((id) => !unique.has(id)).length,
    duplicates: receipts.length - unique.size,
  } satisfies LedgerFigures;
}

/** Prints the figures of one test on one line, `name: {json}`, the way every reliability test does. */
export function printFigures(name: string, report: object): void {
  process.stdout.write(`${name}: ${JSON.stringify(report)}\n`);
}

/** Deliveries still queued (`pending`) or still held by a claim. */
export async function unsettledDeliveries(t: TestApp): Promise<number> {
  const [row] = await t.dataSource.query<{ n: string }[]>(
    `SELECT count(*) AS n FROM deliveries WHERE status = 'pending' OR claim_id IS NOT NULL`,
  );
  return Number(row.n);
}

/** Waits until the queue is empty: no pending deliveries and none held by a claim. */
export async function drained(t: TestApp, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => expect(await unsettledDeliveries(t)).toBe(0), timeoutMs);
}

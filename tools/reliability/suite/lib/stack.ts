import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LedgerEntry, type ReceiverProcess, spawnReceiver } from '../../src';
import { type ChildApp, killApp, spawnApp, stopApp, untilReady } from './child-app';
import { createSuiteDatabase, freePort, type SuiteDatabase } from './database';

const ROOT = join(__dirname, '..', '..', '..', '..');
/** The built API app (`nx run api:build`), run with HOOKYARD_ROLE=api. */
export const API_MAIN = join(ROOT, 'apps', 'api', 'dist', 'main.js');
/** The built worker app (`nx run worker:build`). */
export const WORKER_MAIN = join(ROOT, 'apps', 'worker', 'dist', 'main.js');

/**
 * The settings every process of the run shares: plain HTTP to 127.0.0.1, retries and leases in
 * seconds (docs/reliability.md, "The harness"), no rate limit, and no penalty box or auto-pause
 * (rows that fail on purpose fail many deliveries of one endpoint in a row; D11 tests those
 * thresholds).
 */
export const SUITE_ENV: Readonly<Record<string, string>> = {
  HOST: '127.0.0.1',
  HOOKYARD_REQUIRE_HTTPS: 'false',
  HOOKYARD_OUTBOUND_ALLOW: '127.0.0.1/32',
  HOOKYARD_RETRY_SCHEDULE: '1s,1s,1s',
  HOOKYARD_POLL_INTERVAL_MS: '50',
  HOOKYARD_LEASE_SECONDS: '6',
  HOOKYARD_ENDPOINT_LIMIT: '5000',
  HOOKYARD_RATE_LIMIT_PER_SECOND: '0',
  HOOKYARD_PUBLISH_RATE_LIMIT_PER_SECOND: '0',
  HOOKYARD_AUTH_FAILURE_RATE_LIMIT_PER_SECOND: '0',
  HOOKYARD_PENALTY_AFTER: '500000',
  HOOKYARD_PAUSE_AFTER: '1000000',
  HOOKYARD_SHUTDOWN_GRACE_SECONDS: '10',
  HOOKYARD_LOG_LEVEL: 'warn',
  HOOKYARD_LOG_FORMAT: 'json',
};

/** An endpoint the suite made, pointing at `path` on the receiver. */
export interface SuiteEndpoint {
  readonly id: string;
  readonly path: string;
  readonly secret: string;
}

/** A worker process of the run; its `healthUrl` also serves `/metrics`. */
export type Worker = ChildApp;

/**
 * Everything a reliability row runs against: a database of its own on the run's PostgreSQL (the API
 * migrates it), the receiver process, the built API as a child process, and the workers the rows
 * start. Each app logs (warn and up, JSON) to a file of its own in `logDir`.
 */
export class Stack {
  private readonly apps = new Set<ChildApp>();
  private workerCount = 0;

  private constructor(
    readonly database: SuiteDatabase,
    readonly receiver: ReceiverProcess,
    readonly logDir: string,
    private readonly baseEnv: Readonly<Record<string, string>>,
    /** The bootstrap organization's all-permission key. */
    readonly key: string,
    readonly metricsToken: string,
  ) {}

  /**
   * Makes the database (on `serverUrl`, else the run's server), then starts the receiver and the API,
   * which migrates it (readiness awaited) before any worker starts. `env` is added to every app's
   * settings (`HOOKYARD_LOG_LEVEL: 'debug'` for the redaction rows).
   */
  static async start(
    serverUrl?: string,
    env: Readonly<Record<string, string>> = {},
  ): Promise<Stack> {
    const logDir = mkdtempSync(join(tmpdir(), 'hookyard-reliability-'));
    const database = await createSuiteDatabase(
      serverUrl === undefined ? process.env : { TEST_DATABASE_URL: serverUrl },
    );
    const receiver = await spawnReceiver();
    const key = `hk_reliability_${randomBytes(16).toString('hex')}`;
    const metricsToken = `metrics-${randomBytes(16).toString('hex')}`;
    const baseEnv = {
      PATH: process.env['PATH'] ?? '',
      ...SUITE_ENV,
      DATABASE_URL: database.url,
      HOOKYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      HOOKYARD_METRICS_TOKEN: metricsToken,
      ...env,
    };
    const stack = new Stack(database, receiver, logDir, baseEnv, key, metricsToken);
    await stack.startApi();
    return stack;
  }

  private apiBase = '';
  private apiPort = 0;
  private apiCount = 0;
  private apiApp: ChildApp | null = null;

  /** Where the API answers (the same port after `restartApi`). */
  get base(): string {
    return this.apiBase;
  }

  /** The API process running now. */
  get api(): ChildApp {
    if (this.apiApp === null) throw new Error('the API is not running');
    return this.apiApp;
  }

  /**
   * Starts the API (on the port it had before, after a restart) with the suite's settings plus `env`;
   * resolves once it is ready. Each start logs to a file of its own (`api-2.log`, ...).
   */
  async startApi(env: Readonly<Record<string, string>> = {}): Promise<ChildApp> {
    if (this.apiPort === 0) this.apiPort = await freePort();
    const name = ++this.apiCount === 1 ? 'api' : `api-${this.apiCount}`;
    const app = spawnApp(
      name,
      API_MAIN,
      {
        ...this.baseEnv,
        HOOKYARD_ROLE: 'api',
        PORT: String(this.apiPort),
        HOOKYARD_BOOTSTRAP_API_KEY: this.key,
        ...env,
      },
      join(this.logDir, `${name}.log`),
      `http://127.0.0.1:${this.apiPort}`,
    );
    this.track(app);
    this.apiApp = app;
    await untilReady(app);
    this.apiBase = app.healthUrl;
    return app;
  }

  /** Starts a worker app with the suite's settings plus `env`; resolves once it is ready. */
  async startWorker(env: Readonly<Record<string, string>> = {}): Promise<Worker> {
    const port = await freePort();
    const name = `worker-${++this.workerCount}`;
    const app = spawnApp(
      name,
      WORKER_MAIN,
      { ...this.baseEnv, HOOKYARD_ROLE: 'worker', HOOKYARD_WORKER_PORT: String(port), ...env },
      join(this.logDir, `${name}.log`),
      `http://127.0.0.1:${port}`,
    );
    this.track(app);
    await untilReady(app);
    return app;
  }

  /** Stops a worker with SIGTERM (SIGKILL after its grace and some). */
  stopWorker(worker: Worker): Promise<unknown> {
    return stopApp(worker, 20_000);
  }

  /**
   * Creates an endpoint at `path` on the receiver for `topics` (plus any other fields of the native
   * create body in `extra`: `url` for the TLS server, `headers`, `auth`, ...); throws unless the API
   * says 201.
   */
  async endpoint(
    path: string,
    topics: readonly string[],
    extra: Readonly<Record<string, unknown>> = {},
  ): Promise<SuiteEndpoint> {
    const response = await this.call('POST', '/v1/endpoints', {
      url: this.receiver.url(path),
      name: path.slice(1, 60),
      topics,
      ...extra,
    });
    const body = (await response.json()) as { id?: string; secret?: string };
    if (response.status !== 201 || !body.id || !body.secret)
      throw new Error(`POST /v1/endpoints ${path}: ${response.status} ${JSON.stringify(body)}`);
    return { id: body.id, path, secret: body.secret };
  }

  /** The receiver's ledger entries of the endpoints under `prefix` (`/d3`). */
  async ledger(prefix: string): Promise<LedgerEntry[]> {
    const entries = await this.receiver.ledger();
    return entries.filter((e) => e.endpoint === prefix || e.endpoint.startsWith(`${prefix}/`));
  }

  /**
   * Polls the ledger until `done` holds over the entries under `prefix`, or `timeoutMs` passes;
   * resolves with the last entries either way (the figures then say what is missing).
   */
  async waitForLedger(
    prefix: string,
    done: (entries: readonly LedgerEntry[]) => boolean,
    timeoutMs: number,
  ): Promise<{ entries: LedgerEntry[]; met: boolean }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const entries = await this.ledger(prefix);
      if (done(entries)) return { entries, met: true };
      if (Date.now() > deadline) return { entries, met: false };
      await sleep(300);
    }
  }

  /** Resolves once the receiver has at least `count` requests in flight; throws after `timeoutMs`. */
  async untilInFlight(count: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const inFlight = await this.receiver.inFlight();
      if (inFlight >= count) return inFlight;
      if (Date.now() > deadline)
        throw new Error(`never ${count} requests in flight (${inFlight})\n${this.logs()}`);
      await sleep(20);
    }
  }

  /** Deliveries of `endpointIds` still pending or held by a claim. */
  async unsettled(endpointIds: readonly string[]): Promise<number> {
    return this.count(
      `SELECT count(*)::int AS n FROM deliveries
        WHERE endpoint_id = ANY($1) AND (status = 'pending' OR claim_id IS NOT NULL)`,
      endpointIds,
    );
  }

  /** Deliveries of `endpointIds` held by a claim right now. */
  async claimed(endpointIds: readonly string[]): Promise<number> {
    return this.count(
      `SELECT count(*)::int AS n FROM deliveries WHERE endpoint_id = ANY($1) AND claim_id IS NOT NULL`,
      endpointIds,
    );
  }

  /** Waits until no delivery of `endpointIds` is pending or claimed; resolves whether it got there. */
  async drained(endpointIds: readonly string[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.unsettled(endpointIds)) === 0) return true;
      if (Date.now() > deadline) return false;
      await sleep(200);
    }
  }

  /** What a worker's `/metrics` counts as delivered (`hookyard_deliveries_total{outcome="success"}`). */
  async deliveredBy(worker: Worker): Promise<number> {
    const response = await fetch(`${worker.healthUrl}/metrics`, {
      headers: { authorization: `Bearer ${this.metricsToken}` },
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${worker.name} /metrics: ${response.status}`);
    let total = 0;
    for (const line of text.split('\n')) {
      const match = /^hookyard_deliveries_total\{([^}]*)\}\s+(\S+)/.exec(line);
      if (match && /outcome="success"/.test(match[1] ?? '')) total += Number(match[2]);
    }
    return total;
  }

  /**
   * Kills every app still running (SIGKILL by PID), stops the receiver, drops the database and removes
   * the logs (kept when HOOKYARD_RELIABILITY_KEEP_LOGS=1, to read after a failure).
   */
  async stop(): Promise<void> {
    for (const app of this.apps) await killApp(app);
    await this.receiver.stop();
    await this.database.drop();
    if (process.env['HOOKYARD_RELIABILITY_KEEP_LOGS'] === '1')
      process.stdout.write(`reliability logs kept in ${this.logDir}\n`);
    else rmSync(this.logDir, { recursive: true, force: true });
  }

  /** The apps started and still running. */
  running(): ChildApp[] {
    return [...this.apps].filter((app) => app.running());
  }

  /** The API's log tail and each app's, for a failure message. */
  logs(): string {
    return [...this.apps]
      .map((app) => `--- ${app.name} (${app.logFile})\n${app.tail(10)}`)
      .join('\n');
  }

  /** Runs `sql` on the run's database (the suite's own pool, never the apps'). */
  async query<Row extends Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<Row[]> {
    const result = await this.database.pool.query<Row>(sql, [...params]);
    return result.rows;
  }

  private async count(sql: string, endpointIds: readonly string[]): Promise<number> {
    const rows = await this.query<{ n: number }>(sql, [endpointIds]);
    return rows[0]?.n ?? -1;
  }

  private track(app: ChildApp): void {
    this.apps.add(app);
    void app.exited.then(() => this.apps.delete(app));
  }

  /** One request to the API with the bootstrap key (or `key`), a JSON body and a 15 s deadline. */
  call(method: string, path: string, body?: unknown, key = this.key): Promise<Response> {
    return fetch(`${this.apiBase}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  }
}

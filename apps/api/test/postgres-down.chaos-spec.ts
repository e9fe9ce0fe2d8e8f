import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EmbeddedPostgres, freePort, startEmbeddedPostgres } from '@hookyard/data-access';
import { DELIVERY_ENV, endpointBody, eventually, NO_RATE_LIMITS } from './harness';
import { type ChildOutput, collectApart } from './json-logs';
import { Receiver } from './receiver';
import { exited, MAIN, printFigures, stopChild } from './worker-process';

const BOOTSTRAP_KEY = `hk_pg_down_${randomBytes(12).toString('hex')}`;

/**
 * Catalogue row P1 (docs/reliability.md), the other half: `npm start` (API and worker in one
 * process) while its PostgreSQL is down. The process stays up and retries the first connection with
 * backoff (bounded by HOOKYARD_DB_CONNECT_TIMEOUT_SECONDS, after which it exits 1 with one clear
 * line); its HTTP port opens only once the database answers and the migrations have run, so nothing
 * is acknowledged before it can be kept. Then the database goes away again for several seconds
 * while the API serves: `/healthz` stays 200, `/readyz` answers 503 naming the database, every API
 * request answers 503 within 2 s; and once PostgreSQL is back every acknowledged event reaches a
 * real receiver once.
 *
 * It stops and starts its server, so it always runs on an embedded PostgreSQL of its own (its own
 * data directory and port), even when TEST_DATABASE_URL names the machine's cluster.
 */
describe('P1 PostgreSQL down at start and for a while mid-run', () => {
  let scratch: string;
  let dataDir: string;
  let port: number;
  let password: string;
  let server: EmbeddedPostgres | null = null;
  let receiver: Receiver;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build it first (nx run api:build)`);
    receiver = await new Receiver().start();
    scratch = mkdtempSync(join(tmpdir(), 'hookyard-pg-down-'));
    chmodSync(scratch, 0o711); // run as root, the server's `postgres` user must pass through
    dataDir = join(scratch, 'pgdata');
    port = await freePort();
    password = randomBytes(16).toString('hex');
    await startDatabase(); // initialises the data directory
    await stopDatabase();
  }, 120_000);

  afterAll(async () => {
    for (const child of children) await stopChild(child);
    await server?.stop();
    await receiver?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  async function startDatabase(): Promise<void> {
    server = await startEmbeddedPostgres({ dataDir, password, port });
  }

  async function stopDatabase(): Promise<void> {
    await server?.stop();
    server = null;
  }

  const databaseUrl = () =>
    `postgres://hookyard:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  /** `npm start`'s entry point, both roles, on this spec's database. */
  function startApp(apiPort: number, env: Record<string, string> = {}) {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '',
        ...DELIVERY_ENV,
        HOST: '127.0.0.1',
        PORT: String(apiPort),
        DATABASE_URL: databaseUrl(),
        HOOKYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        HOOKYARD_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY,
        ...NO_RATE_LIMITS,
        HOOKYARD_SHUTDOWN_GRACE_SECONDS: '5',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return { child, output: collectApart(child) };
  }

  const text = (output: ChildOutput) => `${output.stdout()}${output.stderr()}`;

  it('exits 1 with one clear line when PostgreSQL stays down past HOOKYARD_DB_CONNECT_TIMEOUT_SECONDS', async () => {
    const started = Date.now();
    const { child, output } = startApp(await freePort(), {
      HOOKYARD_DB_CONNECT_TIMEOUT_SECONDS: '2',
    });
    await exited(child);
    const took = Date.now() - started;
    printFigures('P1 start with postgres down, bounded wait', { exit_code: child.exitCode, took });
    expect(child.exitCode).toBe(1);
    expect(took).toBeLessThan(15_000);
    expect(text(output)).toContain('PostgreSQL refuses connections (ECONNREFUSED)');
    expect(text(output)).toContain(
      'PostgreSQL did not accept connections within 2 s (HOOKYARD_DB_CONNECT_TIMEOUT_SECONDS)',
    );
    expect(text(output)).not.toContain(password);
  });

  it('waits for PostgreSQL, then serves; a later outage answers 503 quickly and loses no acknowledged event', async () => {
    const apiPort = await freePort();
    const base = `http://127.0.0.1:${apiPort}`;
    const call = async (method: string, path: string, body?: unknown, headers = {}) => {
      const started = Date.now();
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${BOOTSTRAP_KEY}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const json = (await response.json().catch(() => undefined)) as any;
      return { status: response.status, body: json, ms: Date.now() - started };
    };

    // PostgreSQL is down: the process stays up and says it waits; nothing listens on its port yet.
    const { child, output } = startApp(apiPort, { HOOKYARD_DB_CONNECT_TIMEOUT_SECONDS: '120' });
    await eventually(
      () => expect(text(output)).toContain('PostgreSQL refuses connections'),
      20_000,
    );
    await sleep(3000); // a few backoff rounds: it must still be alive after them
    expect(child.exitCode).toBeNull();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();

    const databaseUpAt = Date.now();
    await startDatabase();
    await eventually(() => expect(output.stdout()).toContain('API docs:'), 30_000);
    await eventually(async () => expect((await call('GET', '/readyz')).status).toBe(200), 30_000);
    const readyAfterStart = (Date.now() - databaseUpAt) / 1000;

    const endpoint = await call(
      'POST',
      '/v1/endpoints',
      endpointBody({ url: receiver.url('/ok?pg-down'), topics: ['post.created'] }),
    );
    expect(endpoint.status).toBe(201);

    const acked = new Map<string, string>(); // idempotency key -> event id
    const unacked = new Set<string>();
    const publish = async (idempotencyKey: string) => {
      const answer = await call(
        'POST',
        '/v1/events',
        { topic: 'post.created', data: { idempotencyKey } },
        { 'idempotency-key': idempotencyKey },
      ).catch(() => ({ status: 0, body: undefined, ms: 10_000 }));
      if (answer.status === 202) {
        acked.set(idempotencyKey, answer.body.id);
        unacked.delete(idempotencyKey);
      } else unacked.add(idempotencyKey);
      return answer;
    };
    for (let n = 0; n < 20; n++) expect((await publish(`before-${n}`)).status).toBe(202);

    // The database goes away for a while (a clean stop, seconds of nothing, a start on the same port).
    const outageAt = Date.now();
    await stopDatabase();
    const outage: { path: string; status: number; ms: number; database?: string }[] = [];
    for (let n = 0; n < 10; n++) {
      const health = await call('GET', '/healthz');
      const ready = await call('GET', '/readyz');
      const listed = await call('GET', '/v1/endpoints');
      const published = await publish(`during-${n}`);
      outage.push(
        { path: '/healthz', status: health.status, ms: health.ms },
        {
          path: '/readyz',
          status: ready.status,
          ms: ready.ms,
          database: ready.body?.checks?.database,
        },
        { path: 'GET /v1/endpoints', status: listed.status, ms: listed.ms },
        { path: 'POST /v1/events', status: published.status, ms: published.ms },
      );
      await sleep(300);
    }
    const restartAt = Date.now();
    await startDatabase();
    await eventually(async () => expect((await call('GET', '/readyz')).status).toBe(200), 30_000);
    const readyAfterOutage = (Date.now() - restartAt) / 1000;
    for (let n = 0; n < 20; n++) await publish(`after-${n}`);
    await eventually(async () => {
      for (const idempotencyKey of [...unacked]) await publish(idempotencyKey);
      expect(unacked.size).toBe(0);
    }, 30_000);

    const ids = new Set(acked.values());
    await receiver.waitFor(
      () =>
        new Set(
          receiver
            .receipts('/ok?pg-down')
            .filter((r) => r.status === 200)
            .map((r) => r.webhookId),
        ).size >= ids.size,
      60_000,
    );
    await sleep(1000); // a late duplicate would land now
    const receipts = receiver.receipts('/ok?pg-down').filter((r) => r.status === 200);
    const unique = new Set(receipts.map((r) => r.webhookId));
    const firstAfter = receipts.find((r) => r.receivedAt > restartAt);
    printFigures('P1 start with postgres down, then a 3 s outage', {
      acknowledged: ids.size,
      lost: [...ids].filter((id) => !unique.has(id)).length,
      duplicates: receipts.length - unique.size,
      ready_after_start_s: readyAfterStart,
      outage_s: (restartAt - outageAt) / 1000,
      outage_slowest_ms: Math.max(...outage.map((o) => o.ms)),
      outage_statuses: [...new Set(outage.map((o) => `${o.path} ${o.status}`))],
      ready_after_outage_s: readyAfterOutage,
      first_delivery_after_outage_s: firstAfter ? (firstAfter.receivedAt - restartAt) / 1000 : null,
    });
    expect(child.exitCode).toBeNull();
    expect([...ids].filter((id) => !unique.has(id))).toEqual([]);
    expect(receipts.length).toBe(unique.size); // exactly once by webhook-id
    expect(unique.size).toBe(ids.size);
    // During the outage: alive, truthfully not ready, and every request answered 503 within 2 s.
    expect(outage.filter((o) => o.path === '/healthz' && o.status !== 200)).toEqual([]);
    expect(
      outage.filter((o) => o.path === '/readyz' && (o.status !== 503 || o.database !== 'down')),
    ).toEqual([]);
    expect(outage.filter((o) => o.path.startsWith('GET /v1') && o.status !== 503)).toEqual([]);
    expect(outage.filter((o) => o.path.startsWith('POST /v1') && o.status !== 503)).toEqual([]);
    expect(outage.filter((o) => o.ms >= 2000)).toEqual([]);
    expect(text(output)).not.toContain(password);
    expect(text(output)).not.toContain(BOOTSTRAP_KEY);
  });
});

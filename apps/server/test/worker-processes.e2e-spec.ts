import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DELIVERY_ENV, endpointBody, eventually, startTestApp, type TestApp } from './harness';
import { Receiver } from './receiver';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Worker processes against one PostgreSQL: killed mid-batch, stopped with SIGTERM, and two at once.
 * Each test prints the figures RELIABILITY.md asks for.
 */
describe('worker processes', () => {
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(DELIVERY_ENV);
    ({ apiKey: key } = await t.createOrganization());
  });

  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '',
        ...DELIVERY_ENV,
        HOOKYARD_ROLE: 'worker',
        DATABASE_URL: t.database.url,
        HOOKYARD_ENCRYPTION_KEY: t.encryptionKey,
        HOOKYARD_LOG_LEVEL: 'warn',
        HOOKYARD_SHUTDOWN_GRACE_SECONDS: '5',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(child);
    return child;
  }

  async function publishMany(topic: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 25) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(25, count - i) }, (_, j) =>
          t.request('POST', '/v1/events', { key, body: { topic, data: { n: i + j } } }),
        ),
      );
      for (const response of batch) {
        expect(response.status).toBe(202);
        ids.push(response.body.id);
      }
    }
    return ids;
  }

  function figures(name: string, path: string, ids: string[], extra: Record<string, number> = {}) {
    const receipts = receiver.receipts(path).filter((r) => r.status === 200);
    const unique = new Set(receipts.map((r) => r.webhookId));
    const lost = ids.filter((id) => !unique.has(id)).length;
    const report = {
      sent: ids.length,
      expected: ids.length,
      delivered_unique: unique.size,
      lost,
      duplicates: receipts.length - unique.size,
      ...extra,
    };
    process.stdout.write(`${name}: ${JSON.stringify(report)}\n`);
    return report;
  }

  async function drained(): Promise<void> {
    await eventually(async () => {
      const [row] = await t.dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM deliveries WHERE status = 'pending' OR claim_id IS NOT NULL`,
      );
      expect(Number(row.n)).toBe(0);
    }, 10_000);
  }

  it('delivers every accepted event after a worker is killed with SIGKILL mid-batch (D3)', async () => {
    await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: receiver.url('/slow/50?kill'), topics: ['post.created'] }),
    });
    const ids = await publishMany('post.created', 300);
    const first = startWorker();
    await receiver.waitFor(
      (ledger) => ledger.filter((r) => r.path === '/slow/50?kill').length >= 40,
      30_000,
    );
    first.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((resolve) => first.once('exit', resolve));
    await sleep(1000);
    const before = receiver.receipts('/slow/50?kill').length; // late answers to the killed worker are in
    startWorker();
    await receiver.waitFor(
      (ledger) => ledger.filter((r) => r.path === '/slow/50?kill').length > before,
      30_000,
    );
    const recoveryS = (receiver.receipts('/slow/50?kill')[before].receivedAt - killedAt) / 1000;
    await receiver.waitFor(
      (ledger) =>
        new Set(
          ledger
            .filter((r) => r.path === '/slow/50?kill' && r.status === 200)
            .map((r) => r.webhookId),
        ).size === ids.length,
      90_000,
    );
    const report = figures('D3 sigkill', '/slow/50?kill', ids, {
      recovery_s: recoveryS,
      max_concurrent_attempts_per_id: receiver.maxConcurrentPerId,
    });
    expect(report.lost).toBe(0);
    expect(report.duplicates).toBeLessThanOrEqual(20); // at most what was in flight (worker concurrency)
    expect(recoveryS).toBeLessThanOrEqual(6 + 1 + 2); // lease + restart delay + poll slack
    await drained();
  }, 180_000);

  it('finishes in-flight attempts on SIGTERM and sends nothing twice (D5)', async () => {
    await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: receiver.url('/slow/100?term'), topics: ['post.updated'] }),
    });
    const ids = await publishMany('post.updated', 150);
    const worker = startWorker();
    await receiver.waitFor(
      (ledger) => ledger.filter((r) => r.path === '/slow/100?term').length >= 20,
      30_000,
    );
    const termAt = Date.now();
    worker.kill('SIGTERM');
    const code = await new Promise((resolve) => worker.once('exit', resolve));
    const exitTimeS = (Date.now() - termAt) / 1000;
    expect(code).toBe(0);
    expect(exitTimeS).toBeLessThanOrEqual(5 + 1);
    startWorker();
    await receiver.waitFor(
      (ledger) =>
        new Set(
          ledger
            .filter((r) => r.path === '/slow/100?term' && r.status === 200)
            .map((r) => r.webhookId),
        ).size === ids.length,
      90_000,
    );
    const report = figures('D5 sigterm', '/slow/100?term', ids, { exit_time_s: exitTimeS });
    expect(report.lost).toBe(0);
    expect(report.duplicates).toBe(0);
    await drained();
  }, 180_000);

  it('never sends one delivery from two workers at once (D8)', async () => {
    receiver.maxConcurrentPerId = 0;
    await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: receiver.url('/slow/10?two'), topics: ['post.voted'] }),
    });
    await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: receiver.url('/ok?two'), topics: ['post.voted'] }),
    });
    const ids = await publishMany('post.voted', 250);
    startWorker();
    startWorker();
    for (const path of ['/slow/10?two', '/ok?two']) {
      await receiver.waitFor(
        (ledger) =>
          new Set(ledger.filter((r) => r.path === path && r.status === 200).map((r) => r.webhookId))
            .size === ids.length,
        90_000,
      );
    }
    const slow = figures('D8 two workers (slow endpoint)', '/slow/10?two', ids, {
      max_concurrent_attempts_per_id: receiver.maxConcurrentPerId,
    });
    const fast = figures('D8 two workers (ok endpoint)', '/ok?two', ids);
    expect([slow.lost, fast.lost]).toEqual([0, 0]);
    expect([slow.duplicates, fast.duplicates]).toEqual([0, 0]);
    expect(receiver.maxConcurrentPerId).toBe(1);
    await drained();
  }, 180_000);
});

import { setTimeout as sleep } from 'node:timers/promises';
import { type ChildProcess } from 'node:child_process';
import { DELIVERY_ENV, endpointBody, startTestApp, type TestApp } from './harness';
import { Receiver } from './receiver';
import {
  drained as queueDrained,
  ledgerFigures,
  printFigures,
  publishMany as publish,
  spawnWorker,
} from './worker-process';

/**
 * Worker processes against one PostgreSQL: killed mid-batch, stopped with SIGTERM, and two at once.
 * Each test prints the figures of docs/reliability.md ("The figures").
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
    const child = spawnWorker(t);
    children.push(child);
    return child;
  }

  const publishMany = (topic: string, count: number) => publish(t, key, topic, count);

  function figures(name: string, path: string, ids: string[], extra: Record<string, number> = {}) {
    const report = { ...ledgerFigures(receiver, path, ids), ...extra };
    printFigures(name, report);
    return report;
  }

  const drained = () => queueDrained(t);

  it('D3 delivers every accepted event after a worker is killed with SIGKILL mid-batch', async () => {
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
    // A window, not a condition: /slow/50 answers what the killed worker sent 50 ms after it came in,
    // and nothing marks the last of those answers.
    await sleep(250);
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

  it('D5 finishes in-flight attempts on SIGTERM and sends nothing twice', async () => {
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

  it('D8 never sends one delivery from two workers at once', async () => {
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

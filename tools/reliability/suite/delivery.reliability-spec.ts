import { setTimeout as sleep } from 'node:timers/promises';
import { type ExpectedDelivery, type LedgerEntry } from '../src';
import { killApp, stopApp } from './lib/child-app';
import {
  byWebhookId,
  cutAt,
  deliveredAll,
  firstAckAfter,
  keysOf,
  misrouted,
} from './lib/ledger-checks';
import { acknowledged, publish, type Published } from './lib/publisher';
import { fanOut, reportRow, rowFigures } from './lib/row-report';
import { suiteFile } from './lib/suite-file';
import { type SuiteEndpoint } from './lib/stack';

/**
 * Catalogue rows D1–D3, D5, D6, D8 and D9 (docs/reliability.md), sized for two cores: the built API
 * and worker apps as child processes (killed and stopped by PID), the misbehaving receiver as a
 * third, one database on the run's PostgreSQL. Each row uses topics no other row subscribes to and
 * endpoints under its own path prefix (`/d3/...`), so its ledger entries are its own. Each prints
 * one line of figures (docs/reliability.md); the table of every row is printed once they have all
 * run.
 */
const suite = suiteFile();
const { startWorker } = suite;

/** A worker that keeps many deliveries of one endpoint in flight (the kill and stop rows). */
const BUSY_WORKER = { HOOKYARD_WORKER_CONCURRENCY: '20', HOOKYARD_ENDPOINT_CONCURRENCY: '20' };
const LEASE_S = 6;
const SHUTDOWN_GRACE_S = 10;

function publishMany(
  count: number,
  topic: (n: number) => string,
  onAnswer?: (p: Published) => void,
): Promise<Published[]> {
  return publish({ base: suite.stack.base, key: suite.stack.key, count, topic, onAnswer });
}

function ids(published: readonly Published[]): string[] {
  return acknowledged(published).map((p) => p.id ?? '');
}

/**
 * Waits until every expected pair has an acknowledged receipt, then until the queue holds nothing
 * pending or claimed for the row's endpoints (so no repeat is still on its way); then reads the ledger.
 */
async function settle(
  prefix: string,
  endpoints: readonly SuiteEndpoint[],
  expected: readonly ExpectedDelivery[],
  timeoutMs: number,
): Promise<{ entries: LedgerEntry[]; drained: boolean }> {
  await suite.stack.waitForLedger(prefix, deliveredAll(keysOf(expected)), timeoutMs);
  const drained = await suite.stack.drained(
    endpoints.map((e) => e.id),
    15_000,
  );
  return { entries: await suite.stack.ledger(prefix), drained };
}

describe('delivery and crash safety (catalogue D rows)', () => {
  it('D1 delivers each of 1000 events once to each of 3 endpoints', async () => {
    const endpoints = await Promise.all(
      ['a', 'b', 'c'].map((x) => suite.stack.endpoint(`/d1/${x}/ok`, ['post.created'])),
    );
    await startWorker();
    const published = await publishMany(1000, () => 'post.created');
    const expected = fanOut(
      endpoints.map((e) => e.path),
      ids(published),
    );
    const run = await settle('/d1', endpoints, expected, 120_000);
    const f = rowFigures(run.entries, expected, published);
    reportRow({
      id: 'D1',
      title: 'baseline fan-out x3',
      figures: f,
      extra: { drained: run.drained },
    });

    expect(f.sent).toBe(1000);
    expect(f.expected).toBe(3000);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0);
    expect(f.unexpected).toBe(0);
    expect(f.max_concurrent_attempts_per_id).toBe(1);
    expect(run.drained).toBe(true);
  }, 150_000);

  it('D2 delivers each topic only to the endpoint that subscribed to it', async () => {
    const a = await suite.stack.endpoint('/d2/a/ok', ['ticket.created']);
    const b = await suite.stack.endpoint('/d2/b/ok', ['comment.created']);
    await startWorker();
    const topic = (n: number) => (n % 2 === 0 ? 'ticket.created' : 'comment.created');
    const published = await publishMany(300, topic);
    const expected = acknowledged(published).map((p) => ({
      endpoint: p.topic === 'ticket.created' ? a.path : b.path,
      webhookId: p.id ?? '',
    }));
    const run = await settle('/d2', [a, b], expected, 60_000);
    const f = rowFigures(run.entries, expected, published);
    const wrong = misrouted(run.entries, keysOf(expected));
    reportRow({ id: 'D2', title: 'topic routing', figures: f, extra: { misrouted: wrong } });

    expect(f.sent).toBe(300);
    expect(wrong).toBe(0);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0);
    expect(run.drained).toBe(true);
  }, 90_000);

  it('D3 loses nothing when the worker is SIGKILLed mid-batch and restarted 1 s later', async () => {
    const endpoint = await suite.stack.endpoint('/d3/slow/200', ['post.updated']);
    const first = await startWorker(BUSY_WORKER);
    const publishing = publishMany(1000, () => 'post.updated');
    const inFlightAtKill = await suite.stack.untilInFlight(10, 30_000);
    const killedAt = Date.now();
    const exit = await killApp(first);
    const claimsAtKill = await suite.stack.claimed([endpoint.id]);
    await sleep(1000); // the catalogue's provocation: the worker comes back after 1 s
    await startWorker(BUSY_WORKER);
    const published = await publishing;
    const expected = fanOut([endpoint.path], ids(published));
    const run = await settle('/d3', [endpoint], expected, 120_000);
    const f = rowFigures(run.entries, expected, published);
    const cut = [...cutAt(run.entries, killedAt).values()];
    const leaseRecovery = cut.some((s) => s === null) ? null : Math.max(...cut.map((s) => s ?? 0));
    const recovery = firstAckAfter(run.entries, killedAt);
    reportRow({
      id: 'D3',
      title: 'worker SIGKILL mid-batch',
      figures: f,
      recovery_s: recovery,
      extra: {
        in_flight_at_kill: inFlightAtKill,
        claims_at_kill: claimsAtKill,
        cut: cut.length,
        cut_redelivered_s: leaseRecovery === null ? 'never' : leaseRecovery.toFixed(1),
        drained: run.drained,
      },
    });

    expect(exit.signal).toBe('SIGKILL');
    expect(f.sent).toBe(1000);
    expect(f.lost).toBe(0);
    expect(cut.length).toBeGreaterThan(0); // the kill cut deliveries off mid-request
    expect(f.duplicates).toBeLessThanOrEqual(claimsAtKill);
    expect(f.max_concurrent_attempts_per_id).toBe(1);
    expect(recovery).not.toBeNull();
    expect(recovery ?? Infinity).toBeLessThan(15);
    // What the dead worker held comes back once its lease ends (plus a poll and a busy machine).
    expect(leaseRecovery ?? Infinity).toBeLessThan(LEASE_S + 10);
    expect(run.drained).toBe(true);
  }, 180_000);

  it('D5 SIGTERM lets in-flight attempts finish and exits within the grace period, with no duplicate', async () => {
    const endpoint = await suite.stack.endpoint('/d5/slow/300', ['post.deleted']);
    const env = { ...BUSY_WORKER, HOOKYARD_SHUTDOWN_GRACE_SECONDS: String(SHUTDOWN_GRACE_S) };
    const first = await startWorker(env);
    const publishing = publishMany(400, () => 'post.deleted');
    const inFlightAtTerm = await suite.stack.untilInFlight(10, 30_000);
    const termAt = Date.now();
    const exit = await stopApp(first, (SHUTDOWN_GRACE_S + 10) * 1000);
    const exitS = (exit.at - termAt) / 1000;
    const claimsLeft = await suite.stack.claimed([endpoint.id]);
    await startWorker(env);
    const published = await publishing;
    const expected = fanOut([endpoint.path], ids(published));
    const run = await settle('/d5', [endpoint], expected, 120_000);
    const f = rowFigures(run.entries, expected, published);
    const cut = cutAt(run.entries, exit.at).size;
    reportRow({
      id: 'D5',
      title: 'worker SIGTERM graceful',
      figures: f,
      extra: {
        in_flight_at_term: inFlightAtTerm,
        exit_code: exit.code,
        exit_time_s: exitS.toFixed(1),
        grace_s: SHUTDOWN_GRACE_S,
        cut,
        claims_left: claimsLeft,
        drained: run.drained,
      },
    });

    expect(exit.code).toBe(0);
    expect(exitS).toBeLessThanOrEqual(SHUTDOWN_GRACE_S);
    expect(cut).toBe(0); // every attempt in flight at the SIGTERM got its answer
    expect(claimsLeft).toBe(0); // and what it had claimed but not sent, it gave back
    expect(f.sent).toBe(400);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0);
    expect(f.max_concurrent_attempts_per_id).toBe(1);
    expect(run.drained).toBe(true);
  }, 180_000);

  it('D6 retries a delivery whose acknowledgement was lost with the same webhook-id', async () => {
    const endpoint = await suite.stack.endpoint('/d6/reset-after-body/1', ['post.voted']);
    await startWorker();
    const published = await publishMany(50, () => 'post.voted');
    const expected = fanOut([endpoint.path], ids(published));
    const run = await settle('/d6', [endpoint], expected, 60_000);
    const f = rowFigures(run.entries, expected, published);
    const groups = byWebhookId(run.entries);
    const wrongShape = [...groups.values()].filter(
      (g) =>
        g.length !== 2 ||
        g[0]?.acked !== false ||
        g[1]?.acked !== true ||
        g[0]?.bodySha256 !== g[1]?.bodySha256,
    ).length;
    const attempts = Math.max(0, ...[...groups.values()].map((g) => g.length));
    reportRow({
      id: 'D6',
      title: 'processed but ack lost',
      figures: f,
      extra: {
        attempts,
        receipts: run.entries.length,
        unique: f.delivered_unique,
        not_2_receipts_1_unique: wrongShape,
      },
    });

    expect(f.sent).toBe(50);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0);
    expect(groups.size).toBe(50);
    expect(wrongShape).toBe(0);
    expect(run.entries.length).toBe(100);
    expect(run.drained).toBe(true);
  }, 90_000);

  it('D8 two competing workers never claim one delivery twice and share the work', async () => {
    const endpoint = await suite.stack.endpoint('/d8/ok', ['changelog.published']);
    // A lease far above any stall of this loaded machine: a duplicate here is a double claim.
    const env = { HOOKYARD_LEASE_SECONDS: '60' };
    const workers = await Promise.all([startWorker(env), startWorker(env)]);
    const published = await publishMany(2000, () => 'changelog.published');
    const expected = fanOut([endpoint.path], ids(published));
    const run = await settle('/d8', [endpoint], expected, 120_000);
    const f = rowFigures(run.entries, expected, published);
    const made = await Promise.all(workers.map((w) => suite.stack.deliveredBy(w)));
    const total = made.reduce((sum, n) => sum + n, 0);
    const shares = made.map((n) => (total === 0 ? 0 : n / total));
    reportRow({
      id: 'D8',
      title: 'two workers compete',
      figures: f,
      extra: { share: shares.map((s) => s.toFixed(2)).join('/'), counted: total },
    });

    expect(f.sent).toBe(2000);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0);
    expect(f.max_concurrent_attempts_per_id).toBe(1);
    expect(total).toBe(2000);
    for (const share of shares) expect(share).toBeGreaterThanOrEqual(0.1);
    expect(run.drained).toBe(true);
  }, 150_000);

  it('D9 retries on the 1,2,4 s schedule, each attempt re-signed with a fresh timestamp', async () => {
    const schedule = [1, 2, 4];
    const endpoint = await suite.stack.endpoint('/d9/flaky/3', ['ticket.updated']);
    await suite.stack.receiver.setSecret('/d9', endpoint.secret);
    await startWorker({ HOOKYARD_RETRY_SCHEDULE: schedule.map((s) => `${s}s`).join(',') });
    const published = await publishMany(10, () => 'ticket.updated');
    const expected = fanOut([endpoint.path], ids(published));
    const run = await settle('/d9', [endpoint], expected, 60_000);
    const f = rowFigures(run.entries, expected, published);
    const groups = [...byWebhookId(run.entries).values()];
    const gaps = groups.map((g) =>
      g.slice(1).map((e, k) => (e.receivedAt - (g[k]?.receivedAt ?? 0)) / 1000),
    );
    // ±20% jitter, plus a poll, a claim batch and a busy machine on the late side.
    const offSchedule = gaps
      .flatMap((g) => g.map((gap, k) => ({ gap, want: schedule[k] ?? 0 })))
      .filter(({ gap, want }) => gap < want * 0.8 - 0.05 || gap > want * 1.2 + 1.5).length;
    const staleTimestamps = run.entries.filter(
      (e) => Math.abs(Number(e.webhookTimestamp) * 1000 - e.receivedAt) > 2000,
    ).length;
    const verifyFailures = run.entries.filter((e) => e.signatureValid !== true).length;
    const meanGap = (k: number) =>
      gaps.reduce((sum, g) => sum + (g[k] ?? 0), 0) / Math.max(1, gaps.length);
    reportRow({
      id: 'D9',
      title: 'retry then success',
      figures: f,
      extra: {
        attempts: Math.max(0, ...groups.map((g) => g.length)),
        gaps_s: schedule.map((_, k) => meanGap(k).toFixed(1)).join(','),
        off_schedule: offSchedule,
        stale_ts: staleTimestamps,
        verify_fail: verifyFailures,
      },
    });

    expect(f.sent).toBe(10);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0);
    expect(groups.map((g) => g.length)).toEqual(Array.from({ length: 10 }, () => 4));
    expect(offSchedule).toBe(0);
    expect(staleTimestamps).toBe(0);
    expect(verifyFailures).toBe(0);
    expect(run.entries.length).toBe(40);
    expect(run.drained).toBe(true);
  }, 90_000);
});

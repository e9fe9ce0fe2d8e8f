import { setTimeout as sleep } from 'node:timers/promises';
import { type LedgerEntry } from '../src';
import { type ChildApp, type Exit, killApp } from './lib/child-app';
import { deliveredAll, keysOf } from './lib/ledger-checks';
import { acknowledged, publish } from './lib/publisher';
import { fanOut, reportRow, rowFigures } from './lib/row-report';
import { Stack } from './lib/stack';

/**
 * Catalogue row D4 (docs/reliability.md): the worker is SIGKILLed (by PID) and restarted every 4 s
 * while it works through 3000 events, then the last one drains the queue. What a killed worker held
 * comes back when its lease ends: nothing is lost, a repeat is only ever of a delivery a killed
 * worker still held, no two attempts of one delivery overlap, and no row is left pending or
 * claimed.
 *
 * Sizing, for two cores and this file's 75 s: the churn lasts 40 s (10 kills), not the catalogue's
 * 60 s, because the start, the 40 s, the drain after it (the last leases end 6 s after the last kill,
 * then the rest of the backlog) and the teardown already take about a minute on a loaded machine.
 * The endpoint answers after 60 ms and a worker sends at most 8 at once to it (at most ~130 a second):
 * a worker that lives 4 s delivers a few hundred, so the 3000 last through most of the churn (most
 * kills land mid-delivery; the row asserts at least half do) and what is left drains in seconds. At
 * this pace a 60 s churn would kill idle workers at its end; a slower one would not drain in time.
 */
const EVENTS = 3000;
const TOPIC = 'conversation.user.created';
const KILL_EVERY_MS = 4_000;
const CHURN_MS = 40_000;
const LEASE_S = 6;
/** After the churn, the last worker empties the queue within this (lease, then the backlog). */
const DRAIN_BOUND_MS = 45_000;
const WORKER_ENV = {
  HOOKYARD_LEASE_SECONDS: String(LEASE_S),
  HOOKYARD_WORKER_CONCURRENCY: '20',
  HOOKYARD_ENDPOINT_CONCURRENCY: '8',
};

let stack: Stack;
const workers = new Set<ChildApp>();

beforeAll(async () => {
  stack = await Stack.start();
}, 120_000);

afterEach(async () => {
  for (const worker of workers) await killApp(worker);
  workers.clear();
});

afterAll(async () => {
  await stack?.stop();
}, 60_000);

/** The deliveries of `endpointId` held by a claim now, as `id/claim_id`. */
async function heldClaims(endpointId: string): Promise<Set<string>> {
  const rows = await stack.query<{ held: string }>(
    `SELECT id || '/' || claim_id AS held FROM deliveries WHERE endpoint_id = $1 AND claim_id IS NOT NULL`,
    [endpointId],
  );
  return new Set(rows.map((row) => row.held));
}

describe('worker churn (catalogue D rows)', () => {
  it('D4 loses nothing and drains the queue when the worker is SIGKILLed and restarted every 4 s', async () => {
    const endpoint = await stack.endpoint('/d4/slow/60', [TOPIC]);
    const startMs: number[] = [];
    const startWorker = async () => {
      const startedAt = Date.now();
      const worker = await stack.startWorker(WORKER_ENV);
      startMs.push(Date.now() - startedAt);
      workers.add(worker);
      return worker;
    };
    const publishing = publish({
      base: stack.base,
      key: stack.key,
      count: EVENTS,
      topic: () => TOPIC,
    });

    // Churn on a fixed beat, whatever a kill and a start cost. Between a kill and the next start no
    // worker runs, so the claims that appeared since the last kill are the dead worker's.
    const exits: Exit[] = [];
    const killedAt: number[] = [];
    const inFlightAtKills: number[] = [];
    const claimsLeft: number[] = [];
    const diedOnTheirOwn: string[] = [];
    let held = await heldClaims(endpoint.id);
    let worker = await startWorker();
    const churnStartedAt = Date.now();
    for (let k = 1; k * KILL_EVERY_MS <= CHURN_MS; k++) {
      await sleep(Math.max(0, churnStartedAt + k * KILL_EVERY_MS - Date.now())); // the provocation's beat
      if (!worker.running()) diedOnTheirOwn.push(`${worker.name}\n${worker.tail()}`);
      inFlightAtKills.push(await stack.receiver.inFlight());
      killedAt.push(Date.now());
      exits.push(await killApp(worker));
      workers.delete(worker);
      const now = await heldClaims(endpoint.id);
      claimsLeft.push([...now].filter((claim) => !held.has(claim)).length);
      held = now;
      worker = await startWorker();
    }
    const churnEndedAt = Date.now();
    const published = await publishing;
    const backlog = await stack.unsettled([endpoint.id]);

    // The last worker started above drains the queue.
    const expected = fanOut(
      [endpoint.path],
      acknowledged(published).map((p) => p.id ?? ''),
    );
    await stack.waitForLedger('/d4', deliveredAll(keysOf(expected)), DRAIN_BOUND_MS);
    const drained = await stack.drained([endpoint.id], 15_000);
    const drainS = (Date.now() - churnEndedAt) / 1000;
    const entries = await stack.ledger('/d4');
    const f = rowFigures(entries, expected, published);
    const ids = new Set(expected.map((d) => d.webhookId));
    const foreignIds = entries.filter((e) => !ids.has(e.webhookId ?? '')).length;
    const idBodyMismatches = mismatchedBodies(entries);
    const [rows] = await stack.query<{ total: number; succeeded: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded
         FROM deliveries WHERE endpoint_id = $1`,
      [endpoint.id],
    );
    // Acknowledged receipts in each killed worker's life, from its start to its kill.
    const perLife = killedAt.map((to, k) => {
      const from = killedAt[k - 1] ?? churnStartedAt;
      return entries.filter((e) => e.acked && e.receivedAt > from && e.receivedAt <= to).length;
    });
    const claimsLeftByKills = claimsLeft.reduce((sum, n) => sum + n, 0);
    const killsMidDelivery = inFlightAtKills.filter((n) => n > 0).length;
    reportRow({
      id: 'D4',
      title: 'repeated SIGKILL chaos',
      figures: f,
      extra: {
        kills: exits.length,
        every_s: KILL_EVERY_MS / 1000,
        churn_s: CHURN_MS / 1000,
        kills_mid_delivery: killsMidDelivery,
        in_flight_at_kills: inFlightAtKills.reduce((sum, n) => sum + n, 0),
        claims_left_by_kills: claimsLeftByKills,
        id_body_mismatches: idBodyMismatches,
        dup_rate_pct: ((100 * f.duplicates) / Math.max(1, f.expected)).toFixed(2),
        worker_start_ms: Math.round(startMs.reduce((sum, n) => sum + n, 0) / startMs.length),
        delivered_per_life: perLife.join('/'),
        backlog_at_churn_end: backlog,
        drain_s: drainS.toFixed(1),
        drained,
      },
    });

    expect(diedOnTheirOwn).toEqual([]);
    expect(exits.map((e) => e.signal)).toEqual(exits.map(() => 'SIGKILL'));
    expect(exits).toHaveLength(CHURN_MS / KILL_EVERY_MS);
    // The churn hit a working worker, not an idle one.
    expect(killsMidDelivery).toBeGreaterThanOrEqual(Math.ceil(exits.length / 2));
    expect(f.sent).toBe(EVENTS);
    expect(f.lost).toBe(0);
    expect(f.unexpected).toBe(0);
    expect(foreignIds).toBe(0); // every receipt, repeats included, carries one of the events' ids
    // ... and the body of that event: a repeat is the same bytes, and no two ids share a body.
    expect(idBodyMismatches).toBe(0);
    // Only a kill makes a repeat, of a delivery the killed worker still held.
    expect(f.duplicates).toBeLessThanOrEqual(claimsLeftByKills);
    expect(f.max_concurrent_attempts_per_id).toBe(1);
    expect(drained).toBe(true);
    expect(rows).toEqual({ total: EVENTS, succeeded: EVENTS });
  }, 150_000);
});

/**
 * Receipts whose body does not belong to their webhook-id: a repeat with other bytes than the first
 * receipt of its id, or a body (each event's is unique: its number is in it) seen under another id.
 */
function mismatchedBodies(entries: readonly LedgerEntry[]): number {
  const bodyOf = new Map<string, string>();
  const idOf = new Map<string, string>();
  let mismatches = 0;
  for (const entry of entries) {
    if (entry.webhookId === null || entry.bodySha256 === null) continue;
    const body = bodyOf.get(entry.webhookId) ?? entry.bodySha256;
    const id = idOf.get(entry.bodySha256) ?? entry.webhookId;
    if (body !== entry.bodySha256 || id !== entry.webhookId) mismatches++;
    bodyOf.set(entry.webhookId, body);
    idOf.set(entry.bodySha256, id);
  }
  return mismatches;
}

import { setTimeout as sleep } from 'node:timers/promises';
import { type ChildProcess } from 'node:child_process';
import { DELIVERY_ENV, endpointBody, startTestApp, type TestApp } from './harness';
import { type Receipt, Receiver } from './receiver';
import {
  exited,
  printFigures,
  publishMany,
  spawnWorker,
  unsettledDeliveries,
} from './worker-process';

/**
 * Scaled for two cores and a CI budget (catalogue row D4 in docs/reliability.md asks for 3000
 * events over 60 s): 1500 events fanned out to 3 endpoints, the worker killed with SIGKILL and
 * restarted every 4 s for 48 s. Each endpoint answers after 100 ms and a worker sends at most 4 at
 * once to one endpoint, so one worker delivers at most 120 a second however fast the machine: the
 * backlog lasts through the churn, and the kills land while deliveries are in flight.
 */
const EVENTS = 1500;
const PATHS = ['/slow/100?d4-a', '/slow/100?d4-b', '/slow/100?d4-c'];
const KILL_EVERY_MS = 4_000;
const CHURN_MS = 48_000;
/**
 * After the churn, one worker must empty the queue within this: the last leases end within 6 s, and a
 * backlog of up to the whole run at one worker's pace (at least ~60 a second on a loaded two-core box).
 */
const DRAIN_BOUND_MS = 75_000;
const WORKER_ENV: Record<string, string> = {
  HOOKYARD_LEASE_SECONDS: '6',
  HOOKYARD_WORKER_CONCURRENCY: '20',
  HOOKYARD_ENDPOINT_CONCURRENCY: '4',
};

/**
 * Catalogue row D4 (docs/reliability.md): the worker process is killed with SIGKILL and restarted
 * every few seconds while it works through a backlog, then one last worker drains the queue.
 * Deliveries a killed worker held come back when their lease ends: none is lost, every repeat
 * carries the event's `webhook-id`, and no row is left pending or claimed. With leases that never
 * end (HOOKYARD_LEASE_SECONDS=3600) it fails: the rows the killed workers held are lost.
 */
describe('D4 worker churn: repeated SIGKILL', () => {
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  const children = new Set<ChildProcess>();
  const killedByUs = new WeakSet<ChildProcess>();
  const unexpectedExits: string[] = [];

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(DELIVERY_ENV);
    ({ apiKey: key } = await t.createOrganization());
  });

  afterAll(async () => {
    for (const child of children) {
      killedByUs.add(child);
      child.kill('SIGKILL');
      await exited(child);
    }
    await t?.close();
    await receiver?.stop();
  });

  function startWorker(): ChildProcess {
    const child = spawnWorker(t, WORKER_ENV);
    children.add(child);
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (!killedByUs.has(child)) unexpectedExits.push(`pid ${child.pid}: ${signal ?? code}`);
    });
    return child;
  }

  async function kill(child: ChildProcess): Promise<void> {
    killedByUs.add(child);
    child.kill('SIGKILL');
    await exited(child);
  }

  /** The deliveries held by a claim now, as `id/claim_id`. */
  async function heldClaims(): Promise<Set<string>> {
    const rows = await t.dataSource.query<{ id: string; claim_id: string }[]>(
      `SELECT id, claim_id FROM deliveries WHERE claim_id IS NOT NULL`,
    );
    return new Set(rows.map((row) => `${row.id}/${row.claim_id}`));
  }

  const ours = (r: Receipt) => PATHS.includes(r.path);
  const deliveredAll = (expected: number) =>
    new Set(
      receiver.ledger.filter((r) => ours(r) && r.status === 200).map((r) => r.path + r.webhookId),
    ).size === expected;

  it('loses nothing, repeats only with the same webhook-id, and drains the queue', async () => {
    const startedAt = Date.now();
    for (const path of PATHS) {
      const created = await t.request('POST', '/v1/endpoints', {
        key,
        body: endpointBody({ url: receiver.url(path), topics: ['post.created'] }),
      });
      expect(created.status).toBe(201);
    }
    const ids = await publishMany(t, key, 'post.created', EVENTS, () => ({ run: 'd4' }));
    const expected = ids.length * PATHS.length;

    // Churn: kill the worker by PID every KILL_EVERY_MS and start a new one straight away. Between
    // the two, no worker runs: the claims that appeared since the last kill are the dead worker's.
    const kills: number[] = [];
    const claimsLeft: number[] = [];
    let held = await heldClaims();
    let worker = startWorker();
    const churnStartedAt = Date.now();
    for (let k = 1; k * KILL_EVERY_MS <= CHURN_MS; k++) {
      await sleep(churnStartedAt + k * KILL_EVERY_MS - Date.now()); // a fixed beat, whatever a kill costs
      kills.push(Date.now());
      await kill(worker);
      const now = await heldClaims();
      claimsLeft.push([...now].filter((claim) => !held.has(claim)).length);
      held = now;
      worker = startWorker();
    }
    const churnStoppedAt = Date.now();
    const backlogAtChurnEnd = await unsettledDeliveries(t);

    // The last worker started above drains the queue.
    let unsettled = backlogAtChurnEnd;
    while (Date.now() - churnStoppedAt < DRAIN_BOUND_MS) {
      unsettled = await unsettledDeliveries(t);
      if (unsettled === 0 && deliveredAll(expected)) break;
      await sleep(100);
    }
    const drainS = (Date.now() - churnStoppedAt) / 1000;
    await sleep(500); // anything still on the wire lands in the ledger

    const receipts = receiver.ledger.filter(ours);
    const ok = receipts.filter((r) => r.status === 200);
    const unique = new Set(ok.map((r) => r.path + r.webhookId));
    let lost = 0;
    for (const path of PATHS) for (const id of ids) if (!unique.has(path + id)) lost++;
    // Every receipt, first or repeat, must carry the webhook-id of the event in its body.
    const idMismatches = receipts.filter((r) => {
      const n = eventNumber(r.body);
      return n === null || ids[n] !== r.webhookId;
    }).length;
    const inFlightAtKills = kills.reduce(
      (sum, at) =>
        sum + receipts.filter((r) => r.receivedAt > at && r.receivedAt <= at + 500).length,
      0,
    );
    const killsMidDelivery = kills.filter((at) =>
      receipts.some((r) => r.receivedAt > at - 1000 && r.receivedAt <= at),
    ).length;
    const [statuses] = await t.dataSource.query<{ succeeded: string; total: string }[]>(
      `SELECT count(*) FILTER (WHERE status = 'succeeded') AS succeeded, count(*) AS total FROM deliveries`,
    );
    const duplicates = ok.length - unique.size;
    const report = {
      sent: ids.length,
      endpoints: PATHS.length,
      expected,
      delivered_unique: unique.size,
      lost,
      duplicates,
      dup_rate_pct: Math.round((duplicates / expected) * 10_000) / 100,
      id_mismatches: idMismatches,
      kills: kills.length,
      kills_mid_delivery: killsMidDelivery,
      in_flight_at_kills: inFlightAtKills,
      claims_left_by_kills: claimsLeft.reduce((sum, n) => sum + n, 0),
      claims_left_max: Math.max(...claimsLeft),
      unexpected_exits: unexpectedExits.length,
      backlog_at_churn_end: backlogAtChurnEnd,
      unsettled_after_drain: unsettled,
      drain_s: drainS,
      run_s: Math.round((Date.now() - startedAt) / 100) / 10,
    };
    printFigures('D4 worker churn', report);

    expect(unexpectedExits).toEqual([]);
    // The churn hit a working worker, not an idle one.
    expect(killsMidDelivery).toBeGreaterThanOrEqual(Math.ceil(kills.length / 2));
    expect(lost).toBe(0);
    expect(idMismatches).toBe(0);
    // Only a kill makes a repeat, of a delivery the killed worker still held.
    expect(duplicates).toBeLessThanOrEqual(report.claims_left_by_kills);
    expect(unsettled).toBe(0);
    expect(drainS).toBeLessThan(DRAIN_BOUND_MS / 1000);
    expect(Number(statuses.total)).toBe(expected);
    expect(Number(statuses.succeeded)).toBe(expected);
  }, 170_000);
});

/** The `n` the test put in the event's data, from a delivered body; null when it is not there. */
function eventNumber(body: string): number | null {
  try {
    const n = (JSON.parse(body) as { data?: { n?: unknown } }).data?.n;
    return typeof n === 'number' ? n : null;
  } catch {
    return null;
  }
}

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '@hookyard/data-access';
import { deliveredAll, firstAckAfter, keysOf } from './lib/ledger-checks';
import { acknowledged, publish, type Published } from './lib/publisher';
import { fanOut, reportRow, rowFigures } from './lib/row-report';
import { Stack } from './lib/stack';

/**
 * Catalogue row P1 (docs/reliability.md), the restart half: PostgreSQL restarts twice while events
 * stream in and deliveries go out, first `pg_ctl restart -m fast`, then `-m immediate` (a crash: no
 * checkpoint). Publishers retry what was not acknowledged with the same Idempotency-Key; every
 * acknowledged event is delivered, one event per key, the API and the worker stay up. While the
 * database is away the API answers every request within 2 s, with 503 (never 500), and `/readyz`,
 * probed throughout, answers 503 naming the database, then 200 once it is back.
 *
 * It restarts its server, so it always runs on an embedded PostgreSQL of its own (data directory and
 * port), never on the machine's cluster, even when TEST_DATABASE_URL names one.
 */
const EVENTS = 1000;
/** The fast restart starts after this many answers, the immediate one after the second count. */
const RESTART_AFTER = [300, 700] as const;
/** What the API may take to answer while the database is away, and what `/readyz` may take. */
const ANSWER_BOUND_MS = 2_000;
const TOPIC = 'ticket.deleted';

let scratch: string;
let server: EmbeddedPostgres;
let stack: Stack;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'hookyard-reliability-pg-'));
  chmodSync(scratch, 0o711); // run as root, the server's `postgres` user must pass through
  server = await startEmbeddedPostgres({
    dataDir: join(scratch, 'pgdata'),
    password: randomBytes(16).toString('hex'),
  });
  stack = await Stack.start(server.url);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 60_000);

describe('PostgreSQL restart mid-run (catalogue P rows)', () => {
  it('P1 delivers every acknowledged event when PostgreSQL restarts mid-run, and nobody crashes', async () => {
    const endpoint = await stack.endpoint('/p1/ok', [TOPIC]);
    await stack.startWorker();
    const key = (n: number) => `p1-${n}`;
    // The faults, started from the publishers' callback at RESTART_AFTER answers, one after the
    // other: the windows in which the server was restarting, and when it first answered again.
    const outages: { mode: 'fast' | 'immediate'; from: number; to: number }[] = [];
    let restarts: Promise<void> = Promise.resolve();
    const restart = (mode: 'fast' | 'immediate') => async () => {
      const from = Date.now();
      await server.restart(mode);
      outages.push({ mode, from, to: Date.now() });
    };
    // Every answer of the API and how long it took, retries included.
    const answers: { sentAt: number; ms: number; status: number }[] = [];
    const onAnswer = (p: Published) => {
      answers.push({ sentAt: p.sentAt, ms: Date.now() - p.sentAt, status: p.status });
      if (answers.length === RESTART_AFTER[0]) restarts = restarts.then(restart('fast'));
      if (answers.length === RESTART_AFTER[1]) restarts = restarts.then(restart('immediate'));
    };
    const probes = probeReadiness(stack.base);
    const options = { base: stack.base, key: stack.key, topic: () => TOPIC, idempotencyKey: key };
    const attempts: Published[] = await publish({ ...options, count: EVENTS, onAnswer });
    // The clients retry what was not acknowledged, with the same key, until the API takes it.
    const acked = new Map<number, Published>();
    for (const p of acknowledged(attempts)) acked.set(p.n, p);
    const deadline = Date.now() + 60_000;
    while (acked.size < EVENTS && Date.now() < deadline) {
      const missing = attempts.filter((p) => !acked.has(p.n)).map((p) => p.n);
      const retried = await publish({
        ...options,
        count: missing.length,
        numbers: missing,
        onAnswer,
      });
      attempts.push(...retried);
      for (const p of acknowledged(retried)) acked.set(p.n, p);
    }
    await restarts;
    const backAt = Math.max(0, ...outages.map((o) => o.to));
    const readyAgain = await probes.untilReadyAfter(backAt, 30_000);
    const probed = await probes.stop();
    const published = [...acked.values()];
    const expected = fanOut(
      [endpoint.path],
      published.map((p) => p.id ?? ''),
    );
    await stack.waitForLedger('/p1', deliveredAll(keysOf(expected)), 120_000);
    const drained = await stack.drained([endpoint.id], 30_000);
    const entries = await stack.ledger('/p1');
    const f = rowFigures(entries, expected, published);
    const statuses = new Map<number, number>();
    for (const p of attempts) statuses.set(p.status, (statuses.get(p.status) ?? 0) + 1);
    const histogram = [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}:${n}`)
      .join(',');
    const inOutage = (at: number) => outages.some((o) => at >= o.from && at <= o.to);
    const duringOutage = answers.filter((a) => inOutage(a.sentAt));
    const unready = probed.filter((p) => p.status === 503);
    const [events] = await stack.query<{ n: number }>(`SELECT count(*)::int AS n FROM events`);
    const up = stack.running().map((app) => app.name);
    reportRow({
      id: 'P1',
      title: 'PostgreSQL restart mid-run',
      figures: f,
      recovery_s: outages[0] ? firstAckAfter(entries, outages[0].to) : null,
      extra: {
        restarts: outages.map((o) => `${o.mode}:${((o.to - o.from) / 1000).toFixed(1)}s`).join('+'),
        api_statuses: histogram,
        outage_requests: duringOutage.length,
        outage_slowest_ms: Math.max(0, ...duringOutage.map((a) => a.ms)),
        readyz_503: unready.length,
        readyz_slowest_ms: Math.max(0, ...probed.map((p) => p.ms)),
        ready_again_s: readyAgain === null ? 'never' : ((readyAgain - backAt) / 1000).toFixed(1),
        events: events?.n ?? -1,
        still_up: up.join('+'),
        drained,
      },
    });

    expect(outages.map((o) => o.mode)).toEqual(['fast', 'immediate']);
    expect(acked.size).toBe(EVENTS);
    expect(f.lost).toBe(0);
    expect(f.unexpected).toBe(0);
    expect(f.max_concurrent_attempts_per_id).toBe(1);
    expect(events?.n).toBe(EVENTS); // the retried publishes made no second event
    // The API answered 202 or 503 (a refused connection counts as 0), never 500; while the server
    // was away, every request within 2 s.
    expect([...statuses.keys()].filter((s) => s !== 202 && s !== 503 && s !== 0)).toEqual([]);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0); // the outage was seen, and answered 503
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(duringOutage.filter((a) => a.ms >= ANSWER_BOUND_MS || a.status === 0)).toEqual([]);
    expect(answers.filter((a) => a.status === 503 && a.ms >= ANSWER_BOUND_MS)).toEqual([]);
    // `/readyz` told the truth: 503 naming the database while it was away, 200 once it was back.
    expect(unready.length).toBeGreaterThan(0);
    expect(unready.filter((p) => p.database !== 'down')).toEqual([]);
    expect(probed.filter((p) => p.status !== 200 && p.status !== 503)).toEqual([]);
    expect(probed.filter((p) => p.ms >= ANSWER_BOUND_MS)).toEqual([]);
    expect(readyAgain).not.toBeNull();
    expect(up).toEqual(['api', 'worker-1']); // no crash, no restart loop
    expect(drained).toBe(true);
  }, 180_000);
});

/** One `/readyz` answer: when it was asked, how long it took, its status and its database check. */
interface Probe {
  readonly at: number;
  readonly ms: number;
  readonly status: number;
  readonly database: string | undefined;
}

/**
 * Probes `${base}/readyz` one request after the other (a 50 ms pause between them) until `stop`;
 * `untilReadyAfter(at)` resolves with the time of the first 200 asked after `at` (null on timeout).
 */
function probeReadiness(base: string) {
  const probes: Probe[] = [];
  let probing = true;
  const loop = (async () => {
    while (probing) {
      const at = Date.now();
      const probe = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) })
        .then(async (response) => ({
          status: response.status,
          body: (await response.json().catch(() => null)) as {
            checks?: { database?: string };
          } | null,
        }))
        .catch(() => ({ status: 0, body: null }));
      probes.push({
        at,
        ms: Date.now() - at,
        status: probe.status,
        database: probe.body?.checks?.database,
      });
      await sleep(50);
    }
  })();
  return {
    async untilReadyAfter(at: number, timeoutMs: number): Promise<number | null> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const ready = probes.find((p) => p.at > at && p.status === 200);
        if (ready) return ready.at;
        if (Date.now() > deadline) return null;
        await sleep(50);
      }
    },
    async stop(): Promise<Probe[]> {
      probing = false;
      await loop;
      return probes;
    },
  };
}

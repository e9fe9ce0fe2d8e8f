import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '@hookyard/data-access';
import { deliveredAll, firstAckAfter, keysOf } from './lib/ledger-checks';
import { acknowledged, publish, type Published } from './lib/publisher';
import { fanOut, reportRow, rowFigures } from './lib/row-report';
import { Stack } from './lib/stack';

/**
 * Catalogue row P1 (docs/reliability.md), the restart half: PostgreSQL restarts (`pg_ctl restart -m
 * fast`) while events stream in and deliveries go out. Publishers retry what was not acknowledged
 * with the same Idempotency-Key; every acknowledged event is delivered, the API and the worker stay
 * up.
 *
 * It restarts its server, so it always runs on an embedded PostgreSQL of its own (data directory and
 * port), never on the machine's cluster, even when TEST_DATABASE_URL names one.
 */
const EVENTS = 1000;
const RESTART_AFTER = 300;
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
    // The fault, set from the publishers' callback once RESTART_AFTER answers came back.
    const fault: { restart: Promise<void> | null; at: number; backAt: number } = {
      restart: null,
      at: 0,
      backAt: 0,
    };
    let answered = 0;
    const onAnswer = () => {
      if (++answered !== RESTART_AFTER) return;
      fault.at = Date.now();
      fault.restart = server.restart('fast').then(() => void (fault.backAt = Date.now()));
    };
    const options = { base: stack.base, key: stack.key, topic: () => TOPIC, idempotencyKey: key };
    const attempts: Published[] = await publish({ ...options, count: EVENTS, onAnswer });
    await fault.restart;
    const { at: faultAt, backAt } = fault;
    // The clients retry what was not acknowledged, with the same key, until the API takes it.
    const acked = new Map<number, Published>();
    for (const p of acknowledged(attempts)) acked.set(p.n, p);
    const deadline = Date.now() + 60_000;
    while (acked.size < EVENTS && Date.now() < deadline) {
      const missing = attempts.filter((p) => !acked.has(p.n)).map((p) => p.n);
      const retried = await publish({ ...options, count: missing.length, numbers: missing });
      attempts.push(...retried);
      for (const p of acknowledged(retried)) acked.set(p.n, p);
    }
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
    const up = stack.running().map((app) => app.name);
    reportRow({
      id: 'P1',
      title: 'PostgreSQL restart mid-run',
      figures: f,
      recovery_s: backAt === 0 ? null : firstAckAfter(entries, backAt),
      extra: {
        restart_s: backAt === 0 ? 'none' : ((backAt - faultAt) / 1000).toFixed(1),
        api_statuses: histogram,
        still_up: up.join('+'),
        drained,
      },
    });

    expect(faultAt).toBeGreaterThan(0);
    expect(backAt).toBeGreaterThan(0);
    expect(acked.size).toBe(EVENTS);
    expect(f.lost).toBe(0);
    expect(f.unexpected).toBe(0);
    expect(f.max_concurrent_attempts_per_id).toBe(1);
    expect(up).toEqual(['api', 'worker-1']); // no crash, no restart loop
    expect(drained).toBe(true);
  }, 180_000);
});

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type PoolClient } from 'pg';
import {
  latencies,
  percentOf,
  problemCode,
  statusHistogram,
  type TimedAnswer,
} from './lib/answers';
import { type Exit, killApp } from './lib/child-app';
import { deliveredAll, keysOf, misrouted } from './lib/ledger-checks';
import { acknowledged, publish, type Published } from './lib/publisher';
import { fanOut, reportRow, rowFigures } from './lib/row-report';
import { suiteFile } from './lib/suite-file';
import { API_MAIN } from './lib/stack';

/**
 * Catalogue rows P2–P6 (ingest under faults), T5 (fan-out isolation) and A1–A2 (admin API limits),
 * all in docs/reliability.md, against the built API and worker as child processes. Each row has
 * endpoints under its own path prefix (`/p2/...`) and a topic no other row of this file publishes.
 * A row that needs other API settings (P6's timeouts, A1's rate limit) restarts the API with them
 * and restores the suite's API in a finally block, as it does with the trigger (P4) and the lock
 * (P6) it makes.
 */
const suite = suiteFile();
const { startWorker } = suite;
const run = promisify(execFile);
/** The API's command line (`hookyard org create`): how an operator makes an organization. */
const CLI = join(dirname(API_MAIN), 'cli.js');

const TOPIC = {
  p2: 'conversation.user.replied',
  p3: 'conversation.admin.replied',
  p4: 'conversation.admin.closed',
  p5: 'conversation.admin.assigned',
  p6: 'conversation.admin.opened',
  t5: 'conversation.admin.noted',
  a2: 'conversation.admin.snoozed',
} as const;

/** One request to the API, timed; `body` is sent as is (a string) or as JSON. Status 0 when no answer came. */
async function send(
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<TimedAnswer> {
  const { key = suite.stack.key, body, headers = {} } = options;
  const sentAt = Date.now();
  const started = performance.now();
  try {
    const response = await fetch(`${suite.stack.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the text is the body
    }
    return { status: response.status, headers: response.headers, body: parsed, text, sentAt, ms };
  } catch {
    return {
      status: 0,
      headers: new Headers(),
      body: null,
      text: '',
      sentAt,
      ms: performance.now() - started,
    };
  }
}

/** A new organization made with the CLI (`hookyard org create --key-only`); answers its all-permission key. */
async function organization(name: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [CLI, 'org', 'create', '--name', name, '--key-only'],
    {
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: suite.stack.database.url,
        // Making an organization encrypts nothing (its key is stored hashed): any valid key will do.
        HOOKYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        HOOKYARD_LOG_LEVEL: 'warn',
      },
      timeout: 60_000,
    },
  );
  const key = stdout.trim().split('\n').at(-1) ?? '';
  if (!key.startsWith('hk_')) throw new Error(`hookyard org create printed ${stdout}`);
  return key;
}

/** Creates an endpoint of the organization of `key` at `path` on the receiver; throws unless 201. */
async function endpointOf(key: string, path: string, topics: readonly string[]) {
  const created = await send('POST', '/v1/endpoints', {
    key,
    body: { url: suite.stack.receiver.url(path), name: path.slice(1, 60), topics },
  });
  const id = (created.body as { id?: unknown } | null)?.id;
  if (created.status !== 201 || typeof id !== 'string')
    throw new Error(`POST /v1/endpoints ${path}: ${created.status} ${created.text}`);
  return { id, path };
}

/**
 * Runs `body` against an API restarted with `env` (SIGKILL by PID, then the same port), then restores
 * the suite's API, whatever happened, so later rows and files meet the settings they expect.
 */
async function withApi<T>(env: Record<string, string>, body: () => Promise<T>): Promise<T> {
  await killApp(suite.stack.api);
  await suite.stack.startApi(env);
  try {
    return await body();
  } finally {
    await killApp(suite.stack.api);
    await suite.stack.startApi();
  }
}

/** Publishes `send` made, as the publisher records them (the id of a 202), for `rowFigures`. */
function asPublished(answers: readonly TimedAnswer[], topic: string): Published[] {
  return answers.map((answer, n) => {
    const id = (answer.body as { id?: unknown } | null)?.id;
    return {
      n,
      topic,
      sentAt: answer.sentAt,
      status: answer.status,
      id: answer.status === 202 && typeof id === 'string' ? id : null,
    };
  });
}

/** CPU time (user + system) the process `pid` has used so far, in ms (Linux `/proc/<pid>/stat`). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after `pid (comm) state`.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

describe('ingest under faults (P rows), fan-out isolation (T5), admin limits (A rows)', () => {
  it('P2 delivers every acknowledged event and creates none twice when the API is SIGKILLed mid-ingest and clients retry', async () => {
    const EVENTS = 1000;
    const PUBLISHERS = 20;
    const KILL_AFTER = 250; // acknowledged events before the kill
    const endpoint = await suite.stack.endpoint('/p2/ok', [TOPIC.p2]);
    await startWorker();
    const key = (n: number) => `p2-${n}`;
    const options = {
      base: suite.stack.base,
      key: suite.stack.key,
      topic: () => TOPIC.p2,
      idempotencyKey: key,
    };
    const attempts: Published[] = [];
    const acked = new Map<number, Published>();
    const fault: { at: number; backAt: number; inFlight: number; restart: Promise<Exit> | null } = {
      at: 0,
      backAt: 0,
      inFlight: 0,
      restart: null,
    };
    let inFlight = 0;
    const kill = async () => {
      fault.at = Date.now();
      fault.inFlight = inFlight;
      const exit = await killApp(suite.stack.api);
      await suite.stack.startApi();
      fault.backAt = Date.now();
      return exit;
    };
    // Each client publishes its own events one after the other, and retries each request that got no
    // 2xx with the same Idempotency-Key and body every 100 ms until one does (a real client's loop).
    const deadline = Date.now() + 60_000;
    const client = async (c: number) => {
      for (let n = c; n < EVENTS; n += PUBLISHERS) {
        for (;;) {
          inFlight++;
          const [answer] = await publish({ ...options, count: 1, numbers: [n], concurrency: 1 });
          inFlight--;
          if (answer === undefined) throw new Error('publish answered nothing');
          attempts.push(answer);
          if (answer.id !== null) {
            acked.set(n, answer);
            if (acked.size === KILL_AFTER) fault.restart = kill();
            break;
          }
          if (Date.now() > deadline) break;
          await sleep(100); // the client's back-off before a retry
        }
      }
    };
    await Promise.all(Array.from({ length: PUBLISHERS }, (_, c) => client(c)));
    const exit = await fault.restart;
    const published = [...acked.values()];
    const expected = fanOut(
      [endpoint.path],
      published.map((p) => p.id ?? ''),
    );
    await suite.stack.waitForLedger('/p2', deliveredAll(keysOf(expected)), 90_000);
    const drained = await suite.stack.drained([endpoint.id], 30_000);
    const entries = await suite.stack.ledger('/p2');
    const f = rowFigures(entries, expected, published);

    // The events table: one event per key, and the one each client was told about.
    const rows = await suite.stack.query<{ key: string | null; id: string; created_at: Date }>(
      `SELECT idempotency_key AS key, id, created_at FROM events WHERE topic = $1`,
      [TOPIC.p2],
    );
    const perKey = new Map<string, string[]>();
    for (const row of rows)
      perKey.set(row.key ?? '', [...(perKey.get(row.key ?? '') ?? []), row.id]);
    const duplicateEvents = rows.length - perKey.size + (perKey.has('') ? 1 : 0);
    const idMismatches = published.filter((p) => perKey.get(key(p.n))?.[0] !== p.id).length;
    // The ledger: one webhook-id per key (an event created twice would reach the receiver twice).
    const keyOfId = new Map(rows.map((row) => [row.id, row.key ?? '']));
    const idsPerKey = new Map<string, Set<string>>();
    for (const entry of entries) {
      const k = keyOfId.get(entry.webhookId ?? '') ?? `unknown:${entry.webhookId}`;
      idsPerKey.set(k, new Set([...(idsPerKey.get(k) ?? []), entry.webhookId ?? '']));
    }
    const ledgerDuplicateIds = [...idsPerKey.values()].reduce((sum, s) => sum + s.size - 1, 0);
    const unknownIds = [...idsPerKey.keys()].filter((k) => k.startsWith('unknown:')).length;
    // Keys committed before the kill whose first answer was lost: their retry was a replay.
    const firstTry = new Map<number, Published>();
    for (const p of attempts) if (!firstTry.has(p.n)) firstTry.set(p.n, p);
    const createdAt = new Map(rows.map((row) => [row.key ?? '', row.created_at.getTime()]));
    const answerLost = [...firstTry.values()].filter(
      (p) => p.id === null && (createdAt.get(key(p.n)) ?? Infinity) <= fault.at,
    ).length;
    const failed = attempts.filter((p) => p.id === null);
    reportRow({
      id: 'P2',
      title: 'API SIGKILL during ingest',
      figures: f,
      extra: {
        publishers: PUBLISHERS,
        in_flight_at_kill: fault.inFlight,
        api_down_s: fault.backAt === 0 ? 'never' : ((fault.backAt - fault.at) / 1000).toFixed(1),
        requests: attempts.length,
        retried: failed.length,
        api_statuses: statusHistogram(attempts),
        answer_lost_replayed: answerLost,
        events_rows: rows.length,
        duplicate_events: duplicateEvents,
        ledger_ids_dup_per_key: ledgerDuplicateIds,
        id_mismatches: idMismatches,
        drained,
      },
    });

    expect(exit?.signal).toBe('SIGKILL');
    expect(failed.length).toBeGreaterThan(0); // the kill cut requests off, and clients retried them
    expect(acked.size).toBe(EVENTS);
    expect(rows.length).toBe(EVENTS);
    expect(duplicateEvents).toBe(0);
    expect(idMismatches).toBe(0);
    expect(ledgerDuplicateIds).toBe(0);
    expect(unknownIds).toBe(0);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0); // the worker was left alone: no delivery repeats either
    expect(f.unexpected).toBe(0);
    expect(f.max_concurrent_attempts_per_id).toBe(1);
    expect(drained).toBe(true);
  }, 150_000);

  it('P3 creates one event for 50 parallel POSTs with one Idempotency-Key and answers 422 for another body', async () => {
    const idempotencyKey = `p3-${randomBytes(6).toString('hex')}`;
    const body = { topic: TOPIC.p3, data: { n: 1, text: 'the one event' } };
    const headers = { 'idempotency-key': idempotencyKey };
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => send('POST', '/v1/events', { body, headers })),
    );
    const ids = new Set(answers.map((a) => (a.body as { id?: unknown } | null)?.id));
    const replay = await send('POST', '/v1/events', { body, headers });
    const reused = await send('POST', '/v1/events', {
      body: { ...body, data: { n: 2, text: 'another body' } },
      headers,
    });
    const [{ n: created } = { n: -1 }] = await suite.stack.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    const published = asPublished(answers, TOPIC.p3);
    reportRow({
      id: 'P3',
      title: 'idempotent ingest',
      figures: rowFigures([], [], published),
      extra: {
        posts: answers.length,
        statuses: statusHistogram(answers),
        distinct_ids: ids.size,
        events_created: created,
        replay_same: JSON.stringify(replay.body) === JSON.stringify(answers[0]?.body),
        other_body: `${reused.status}/${problemCode(reused.body)}`,
      },
    });

    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toEqual(expect.stringMatching(/^[0-9a-f]{24}$/));
    expect(created).toBe(1);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(answers[0]?.body); // a replay answers the original response
    expect(reused.status).toBe(422);
    expect(problemCode(reused.body)).toBe('IDEMPOTENCY_KEY_REUSED');
  }, 60_000);

  it('P4 commits an event and its deliveries together: a failing delivery insert leaves no orphan event', async () => {
    const endpoints = await Promise.all(
      ['a', 'b', 'c'].map((x) => suite.stack.endpoint(`/p4/${x}/ok`, [TOPIC.p4])),
    );
    const ids = endpoints.map((e) => e.id);
    if (!ids.every((id) => /^[0-9a-f]{24}$/.test(id))) throw new Error(`odd ids ${ids.join(',')}`);
    // The fault: the 5th and the 15th delivery row inserted for these endpoints raise. Event 1 makes
    // deliveries 1–3; event 2 reaches the 5th after one of its own rows is in; its retry makes 6–8; a
    // batch of 5 events makes 9–23 and fails at its 7th row, in its 3rd event.
    const FAIL_AT = [5, 15];
    await suite.stack.query(`CREATE SEQUENCE p4_delivery_inserts`);
    try {
      await suite.stack.query(`
        CREATE FUNCTION p4_fail_nth_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF nextval('p4_delivery_inserts') = ANY ('{${FAIL_AT.join(',')}}'::bigint[]) THEN
            RAISE EXCEPTION 'p4 trigger refused a delivery row';
          END IF;
          RETURN NEW;
        END $$`);
      await suite.stack.query(`
        CREATE TRIGGER p4_fail_nth_delivery BEFORE INSERT ON deliveries FOR EACH ROW
        WHEN (NEW.endpoint_id IN (${ids.map((id) => `'${id}'`).join(',')}))
        EXECUTE FUNCTION p4_fail_nth_delivery()`);

      const event = (n: number, key?: string) =>
        send('POST', '/v1/events', {
          body: { topic: TOPIC.p4, data: { p4: n } },
          headers: key === undefined ? {} : { 'idempotency-key': key },
        });
      const first = await event(1);
      const failing = await event(2, 'p4-2');
      const retried = await event(2, 'p4-2'); // the same key is free: the failed insert took nothing
      const batch = await send('POST', '/v1/events/batch', {
        body: { events: [3, 4, 5, 6, 7].map((n) => ({ topic: TOPIC.p4, data: { p4: n } })) },
      });
      const last = await event(8);
      const answers = [first, failing, retried, batch, last];
      const [counts] = await suite.stack.query<{ events: number; orphans: number; short: number }>(
        `SELECT count(*)::int AS events,
                count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id))::int AS orphans,
                count(*) FILTER (WHERE (SELECT count(*) FROM deliveries d WHERE d.event_id = e.id) <> 3)::int AS short
           FROM events e WHERE e.topic = $1`,
        [TOPIC.p4],
      );
      const stored = await suite.stack.query<{ n: number }>(
        `SELECT (data->>'p4')::int AS n FROM events WHERE topic = $1 ORDER BY n`,
        [TOPIC.p4],
      );
      const published = asPublished([first, retried, last], TOPIC.p4);
      const leaks = [failing, batch].filter((a) =>
        /p4 trigger|plpgsql|\n\s+at /.test(a.text),
      ).length;
      reportRow({
        id: 'P4',
        title: 'outbox atomicity',
        figures: rowFigures([], [], published),
        extra: {
          statuses: answers.map((a) => a.status).join(','),
          failed_codes: [failing, batch].map((a) => problemCode(a.body)).join(','),
          events: counts?.events ?? -1,
          orphan_events: counts?.orphans ?? -1,
          events_without_all_deliveries: counts?.short ?? -1,
          internals_leaked: leaks,
        },
      });

      expect([first.status, retried.status, last.status]).toEqual([202, 202, 202]);
      for (const failed of [failing, batch]) {
        expect(failed.status).toBeGreaterThanOrEqual(500);
        expect(failed.status).toBeLessThan(600);
      }
      expect(leaks).toBe(0); // a 500 never shows the database's message or a stack
      expect(stored.map((row) => row.n)).toEqual([1, 2, 8]); // nothing of the failed batch
      expect(counts).toEqual({ events: 3, orphans: 0, short: 0 });
    } finally {
      await suite.stack.query(`DROP TRIGGER IF EXISTS p4_fail_nth_delivery ON deliveries`);
      await suite.stack.query(`DROP FUNCTION IF EXISTS p4_fail_nth_delivery()`);
      await suite.stack.query(`DROP SEQUENCE IF EXISTS p4_delivery_inserts`);
    }
  }, 60_000);

  it('P5 keeps GET /v1/endpoints p95 under 500 ms while 50 deliveries hang on a worker with a pool of 5', async () => {
    const POOL = 5;
    const HANGING = 50;
    const endpoint = await suite.stack.endpoint('/p5/hang', [TOPIC.p5], {
      requestConfig: { timeoutMs: 30_000 },
    });
    try {
      await startWorker({
        HOOKYARD_WORKER_DB_POOL_SIZE: String(POOL),
        HOOKYARD_WORKER_CONCURRENCY: '64',
        HOOKYARD_ENDPOINT_CONCURRENCY: String(HANGING),
        // Above the 30 s the attempts hang: the row is about pools, not leases.
        HOOKYARD_LEASE_SECONDS: '60',
      });
      const published = await publish({
        base: suite.stack.base,
        key: suite.stack.key,
        count: HANGING,
        topic: () => TOPIC.p5,
      });
      const inFlight = await suite.stack.untilInFlight(HANGING, 30_000);
      // Connections to the run's database (API pool, worker pool, the suite's own), sampled meanwhile.
      let connectionsMax = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const [row] = await suite.stack.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`,
          );
          connectionsMax = Math.max(connectionsMax, row?.n ?? 0);
          await sleep(50);
        }
      })();
      const answers: TimedAnswer[] = [];
      try {
        const hammer = async () => {
          for (let i = 0; i < 40; i++) answers.push(await send('GET', '/v1/endpoints'));
        };
        await Promise.all(Array.from({ length: 5 }, hammer));
      } finally {
        sampling = false;
        await sampler;
      }
      const stillHanging = await suite.stack.receiver.inFlight();
      const l = latencies(answers);
      reportRow({
        id: 'P5',
        title: 'pool exhaustion',
        figures: rowFigures([], [], published),
        extra: {
          worker_pool: POOL,
          hanging: inFlight,
          hanging_after: stillHanging,
          admin_requests: answers.length,
          admin_statuses: statusHistogram(answers),
          admin_p50_ms: l.p50,
          admin_p95_ms: l.p95,
          admin_max_ms: l.max,
          db_connections_max: connectionsMax,
        },
      });

      expect(acknowledged(published)).toHaveLength(HANGING);
      expect(inFlight).toBeGreaterThanOrEqual(HANGING); // 50 tries in flight over a pool of 5
      expect(stillHanging).toBeGreaterThanOrEqual(HANGING);
      expect(answers.filter((a) => a.status !== 200)).toEqual([]);
      expect(l.p95).toBeLessThan(500);
    } finally {
      // Its deliveries go with it, so no later worker of this file spends its slots on /hang.
      await send('DELETE', `/v1/endpoints/${endpoint.id}`);
    }
  }, 90_000);

  it('P6 answers 503 within lock_timeout + 1 s while endpoints is locked, and 200 once the lock goes', async () => {
    const LOCK_TIMEOUT_MS = 1_000;
    const HOLD_MS = LOCK_TIMEOUT_MS + 3_000;
    const endpoint = await suite.stack.endpoint('/p6/ok', [TOPIC.p6]);
    await withApi(
      {
        HOOKYARD_DB_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
        HOOKYARD_DB_STATEMENT_TIMEOUT_MS: String(LOCK_TIMEOUT_MS + 500),
      },
      async () => {
        const before = await send('GET', '/v1/endpoints'); // the key is looked up and cached now
        const requests = [
          () => send('GET', '/v1/endpoints'),
          () => send('GET', `/v1/endpoints/${endpoint.id}`),
          () => send('POST', '/v1/events', { body: { topic: TOPIC.p6, data: { p6: true } } }),
        ];
        const locker: PoolClient = await suite.stack.database.pool.connect();
        const answers: TimedAnswer[] = [];
        let healthz = 0;
        try {
          await locker.query('BEGIN');
          await locker.query('LOCK TABLE endpoints IN ACCESS EXCLUSIVE MODE');
          const until = Date.now() + HOLD_MS;
          // Four clients, back to back, for as long as the lock is held; none starts after that.
          const clientLoop = async (c: number) => {
            for (let i = c; Date.now() < until; i++) {
              const request = requests[i % requests.length];
              if (request) answers.push(await request());
            }
          };
          await Promise.all([0, 1, 2, 3].map(clientLoop));
          healthz = (await send('GET', '/healthz')).status;
        } finally {
          await locker.query('ROLLBACK').catch(() => undefined);
          locker.release();
        }
        const after = await send('GET', '/v1/endpoints');
        const l = latencies(answers);
        const unclean = answers.filter(
          (a) => a.status !== 503 || problemCode(a.body) !== 'UNAVAILABLE',
        );
        reportRow({
          id: 'P6',
          title: 'table lock',
          figures: rowFigures([], [], []),
          extra: {
            lock_timeout_ms: LOCK_TIMEOUT_MS,
            held_ms: HOLD_MS,
            requests: answers.length,
            statuses: statusHistogram(answers),
            p50_latency_ms: l.p50,
            max_latency_ms: l.max,
            healthz,
            after_release: after.status,
          },
        });

        expect(before.status).toBe(200);
        expect(answers.length).toBeGreaterThanOrEqual(requests.length);
        expect(unclean.map((a) => `${a.status} ${a.text}`)).toEqual([]);
        expect(l.max).toBeLessThanOrEqual(LOCK_TIMEOUT_MS + 1_000);
        expect(healthz).toBe(200);
        expect(after.status).toBe(200);
      },
    );
  }, 90_000);

  it("T5 delivers organization A's events only to A's endpoints when B's subscribe to the same topic", async () => {
    const keyB = await organization('t5-b');
    const a = await suite.stack.endpoint('/t5/a/ok', [TOPIC.t5]);
    const b = await endpointOf(keyB, '/t5/b/ok', [TOPIC.t5]);
    await startWorker();
    const inA = await publish({
      base: suite.stack.base,
      key: suite.stack.key,
      count: 200,
      topic: () => TOPIC.t5,
    });
    const inB = await publish({
      base: suite.stack.base,
      key: keyB,
      count: 20,
      topic: () => TOPIC.t5,
    });
    const expected = [
      ...fanOut(
        [a.path],
        acknowledged(inA).map((p) => p.id ?? ''),
      ),
      ...fanOut(
        [b.path],
        acknowledged(inB).map((p) => p.id ?? ''),
      ),
    ];
    await suite.stack.waitForLedger('/t5', deliveredAll(keysOf(expected)), 60_000);
    const drained = await suite.stack.drained([a.id, b.id], 15_000);
    const entries = await suite.stack.ledger('/t5');
    const f = rowFigures(entries, expected, [...inA, ...inB]);
    const idsOfA = new Set(acknowledged(inA).map((p) => p.id));
    const crossOrg = entries.filter((e) => e.endpoint === b.path && idsOfA.has(e.webhookId)).length;
    const [db] = await suite.stack.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM deliveries d
         JOIN events e ON e.id = d.event_id JOIN endpoints p ON p.id = d.endpoint_id
        WHERE e.organization_id <> p.organization_id OR d.organization_id <> p.organization_id`,
    );
    const wrong = misrouted(entries, keysOf(expected));
    reportRow({
      id: 'T5',
      title: 'fan-out isolation',
      figures: f,
      extra: {
        sent_a: acknowledged(inA).length,
        sent_b: acknowledged(inB).length,
        cross_org_deliveries: crossOrg,
        cross_org_rows: db?.n ?? -1,
        misrouted: wrong,
        drained,
      },
    });

    expect(acknowledged(inA)).toHaveLength(200);
    expect(acknowledged(inB)).toHaveLength(20);
    expect(crossOrg).toBe(0);
    expect(db?.n).toBe(0);
    expect(wrong).toBe(0);
    expect(f.lost).toBe(0); // A's reached A's endpoint, all of them (and B's reached B's)
    expect(f.duplicates).toBe(0);
    expect(drained).toBe(true);
  }, 90_000);

  it("A1 answers org A 429 with Retry-After above its rate limit while org B's light traffic gets no error", async () => {
    const PER_SECOND = 20;
    const BURST = 40;
    const RATE = 200; // A's requests a second, sent on a clock whatever the answers (open loop)
    const DURATION_MS = 3_000;
    const [keyA, keyB] = await Promise.all([organization('a1-a'), organization('a1-b')]);
    await withApi(
      {
        HOOKYARD_RATE_LIMIT_PER_SECOND: String(PER_SECOND),
        HOOKYARD_RATE_LIMIT_BURST: String(BURST),
      },
      async () => {
        const started = Date.now();
        const a: Promise<TimedAnswer>[] = [];
        const b: TimedAnswer[] = [];
        const hammerA = async () => {
          for (let i = 0; i * (1000 / RATE) < DURATION_MS; i++) {
            const due = started + i * (1000 / RATE);
            if (due > Date.now()) await sleep(due - Date.now());
            a.push(send('GET', '/v1/endpoints', { key: keyA }));
          }
        };
        const lightB = async () => {
          while (Date.now() - started < DURATION_MS) {
            b.push(await send('GET', '/v1/endpoints', { key: keyB }));
            await sleep(200); // B's light traffic: about 5 a second
          }
        };
        await Promise.all([hammerA(), lightB()]);
        const answersA = await Promise.all(a);
        const elapsedS = (Date.now() - started) / 1000;
        const allowed = answersA.filter((r) => r.status === 200).length;
        const limited = answersA.filter((r) => r.status === 429);
        const badRefusals = limited.filter(
          (r) =>
            problemCode(r.body) !== 'RATE_LIMITED' ||
            !/^\d+$/.test(r.headers.get('retry-after') ?? '') ||
            Number(r.headers.get('retry-after')) < 1,
        ).length;
        const errorsB = b.filter((r) => r.status !== 200);
        reportRow({
          id: 'A1',
          title: 'rate limit per key',
          figures: rowFigures([], [], []),
          extra: {
            limit: `${PER_SECOND}/s+${BURST}`,
            a_requests: answersA.length,
            a_rps: Math.round(answersA.length / elapsedS),
            a_statuses: statusHistogram(answersA),
            a_429_pct: percentOf(answersA, (r) => r.status === 429),
            a_bad_429: badRefusals,
            b_requests: b.length,
            b_error_pct: percentOf(b, (r) => r.status !== 200),
          },
        });

        expect(answersA.filter((r) => r.status !== 200 && r.status !== 429)).toEqual([]);
        expect(limited.length).toBeGreaterThan(0);
        expect(badRefusals).toBe(0);
        // The bucket lets through its burst and its rate over the run, plus a token of slack.
        expect(allowed).toBeGreaterThanOrEqual(BURST);
        expect(allowed).toBeLessThanOrEqual(BURST + Math.ceil(PER_SECOND * elapsedS) + 1);
        expect(b.length).toBeGreaterThanOrEqual(5);
        expect(errorsB.map((r) => `${r.status} ${r.text}`)).toEqual([]);
      },
    );
    // The suite's API again: no rate limit.
    const after = await Promise.all(
      Array.from({ length: BURST + 10 }, () => send('GET', '/v1/endpoints')),
    );
    expect(after.filter((r) => r.status !== 200)).toEqual([]);
  }, 90_000);

  it('A2 answers a 2 MB body 413, a 10,000-deep array and malformed JSON 400, each fast, and keeps answering', async () => {
    const TRIES = 3;
    const cases = [
      {
        name: 'body_2mb',
        body: JSON.stringify({ topic: TOPIC.a2, data: { x: 'x'.repeat(2 * 1024 * 1024) } }),
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      },
      {
        name: 'deep_10k',
        body: '['.repeat(10_000) + ']'.repeat(10_000),
        status: 400,
        code: 'JSON_TOO_DEEP',
      },
      { name: 'malformed', body: '{"topic": ', status: 400, code: 'BODY_INVALID' },
    ];
    const paths = ['/v1/events', '/v1/endpoints'];
    const cpuBefore = cpuMs(suite.stack.api.pid);
    const results: { name: string; path: string; answer: TimedAnswer }[] = [];
    for (const c of cases)
      for (const path of paths)
        for (let t = 0; t < TRIES; t++)
          results.push({ name: c.name, path, answer: await send('POST', path, { body: c.body }) });
    const cpuUsed = cpuMs(suite.stack.api.pid) - cpuBefore;
    const after = await send('POST', '/v1/events', { body: { topic: TOPIC.a2, data: { ok: 1 } } });
    // The median of each case's tries, so one stall of a loaded machine does not decide.
    const medians = cases.flatMap((c) =>
      paths.map((path) => ({
        name: c.name,
        path,
        ms: latencies(
          results.filter((r) => r.name === c.name && r.path === path).map((r) => r.answer),
        ).p50,
      })),
    );
    const wrong = results.filter(({ name, answer }) => {
      const want = cases.find((c) => c.name === name);
      return answer.status !== want?.status || problemCode(answer.body) !== want.code;
    });
    const slowest = (name: string) =>
      Math.max(...medians.filter((m) => m.name === name).map((m) => m.ms));
    reportRow({
      id: 'A2',
      title: 'payload and JSON limits',
      figures: rowFigures([], [], []),
      extra: {
        statuses: cases
          .map(
            (c) =>
              `${c.name}:${statusHistogram(results.filter((r) => r.name === c.name).map((r) => r.answer))}`,
          )
          .join(' '),
        ...Object.fromEntries(cases.map((c) => [`${c.name}_p50_ms`, slowest(c.name)])),
        max_ms: latencies(results.map((r) => r.answer)).max,
        api_cpu_ms: Math.round(cpuUsed),
        requests: results.length,
        after: after.status,
      },
    });

    expect(
      wrong.map((w) => `${w.name} ${w.path}: ${w.answer.status} ${w.answer.text.slice(0, 200)}`),
    ).toEqual([]);
    expect(medians.filter((m) => !(m.ms < 100))).toEqual([]);
    // No CPU spike: all of them together cost the API less than 100 ms of CPU each.
    expect(cpuUsed).toBeLessThan(100 * results.length);
    expect(after.status).toBe(202);
    expect(suite.stack.api.running()).toBe(true);
  }, 60_000);
});

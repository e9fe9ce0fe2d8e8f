import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LedgerEntry } from '../src';
import { deliveredAll, keysOf } from './lib/ledger-checks';
import { acknowledged, publish, type Published } from './lib/publisher';
import {
  ATTEMPTS_SQL,
  type AttemptLogRow,
  attemptsByDelivery,
  expectedClass,
  isProductionSource,
  loggedClass,
  maxOf,
  maxWithin,
  observedDurations,
  offSchedule,
  retryGaps,
  startOf,
  unsafeTlsSettings,
} from './lib/receiver-rows';
import { fanOut, reportRow, rowFigures } from './lib/row-report';
import { suiteFile } from './lib/suite-file';
import { type SuiteEndpoint } from './lib/stack';

/**
 * Catalogue rows R1–R8 (receiver misbehaviour, docs/reliability.md), sized for two cores: the built
 * API and worker apps and the misbehaving receiver as child processes, one database for this file.
 * Each row uses endpoints under its own path prefix (`/r3/...`) and topics no other row of this
 * file subscribes to, starts its own worker (killed after it) and leaves nothing due behind
 * (endpoints whose deliveries would stay pending are deleted), so the next row's worker sends only
 * its own. What a row reads of the product comes from the attempt log (`attempts`) and the queue.
 */
const suite = suiteFile({
  afterRow: async () => {
    for (const made of rowEndpoints) await deleteEndpoint(made);
    rowEndpoints.clear();
  },
});
const { startWorker } = suite;
/** Endpoints a row made: deleted after it, with their deliveries, so no later row's worker sends them. */
const rowEndpoints = new Set<SuiteEndpoint>();

const ROOT = join(__dirname, '..', '..', '..');
/** The endpoint's own request timeout of R1 and R8 (the catalogue's T; the minimum is 1 s). */
const R1_TIMEOUT_MS = 2000;
/** R2's response body cap (HOOKYARD_RESPONSE_BODY_LIMIT, its default named here). */
const BODY_CAP = 65_536;

async function endpoint(
  path: string,
  topics: readonly string[],
  extra: Readonly<Record<string, unknown>> = {},
): Promise<SuiteEndpoint> {
  const made = await suite.stack.endpoint(path, topics, extra);
  rowEndpoints.add(made);
  return made;
}

function publishMany(count: number, topic: string, concurrency?: number): Promise<Published[]> {
  return publish({
    base: suite.stack.base,
    key: suite.stack.key,
    count,
    topic: () => topic,
    concurrency,
  });
}

function ids(published: readonly Published[]): string[] {
  return acknowledged(published).map((p) => p.id ?? '');
}

async function attempts(endpoints: readonly SuiteEndpoint[]): Promise<AttemptLogRow[]> {
  return suite.stack.query<AttemptLogRow & Record<string, unknown>>(ATTEMPTS_SQL, [
    endpoints.map((e) => e.id),
  ]);
}

interface DeliveryRow extends Record<string, unknown> {
  readonly endpointId: string;
  readonly eventId: string;
  readonly status: string;
  readonly attemptCount: number;
  readonly nextAttemptAt: Date | null;
}

async function deliveries(endpoints: readonly SuiteEndpoint[]): Promise<DeliveryRow[]> {
  return suite.stack.query<DeliveryRow>(
    `SELECT endpoint_id AS "endpointId", event_id AS "eventId", status, attempt_count AS "attemptCount",
            next_attempt_at AS "nextAttemptAt"
       FROM deliveries WHERE endpoint_id = ANY($1)`,
    [endpoints.map((e) => e.id)],
  );
}

/** Waits until every delivery of `endpoints` is finished (neither pending nor claimed). */
async function drained(endpoints: readonly SuiteEndpoint[], timeoutMs: number): Promise<boolean> {
  return suite.stack.drained(
    endpoints.map((e) => e.id),
    timeoutMs,
  );
}

/** Waits until every expected pair at `prefix` has an acknowledged receipt; returns the entries. */
async function delivered(
  prefix: string,
  endpoints: readonly SuiteEndpoint[],
  published: readonly Published[],
  timeoutMs: number,
): Promise<{ entries: LedgerEntry[]; expected: ReturnType<typeof fanOut> }> {
  const expected = fanOut(
    endpoints.map((e) => e.path),
    ids(published),
  );
  await suite.stack.waitForLedger(prefix, deliveredAll(keysOf(expected)), timeoutMs);
  return { entries: await suite.stack.ledger(prefix), expected };
}

async function deleteEndpoint(endpoint: SuiteEndpoint): Promise<void> {
  const response = await suite.stack.call('DELETE', `/v1/endpoints/${endpoint.id}`);
  await response.arrayBuffer();
  if (response.status !== 204 && response.status !== 200)
    throw new Error(`DELETE ${endpoint.path}: ${response.status}`);
}

/** A worker's resident set in bytes, from `/proc` (Linux). */
function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb === undefined ? Number.NaN : Number(kb) * 1024;
}

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every production TypeScript file under libs/*\/src and apps/*\/src. */
function productionSources(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (isProductionSource(relative(ROOT, path))) files.push(path);
    }
  };
  for (const top of ['libs', 'apps'])
    for (const project of readdirSync(join(ROOT, top))) {
      const src = join(ROOT, top, project, 'src');
      try {
        if (statSync(src).isDirectory()) walk(src);
      } catch {
        // a project without src/
      }
    }
  return files;
}

describe('receiver misbehaviour (catalogue R rows)', () => {
  it('R1 ends slowloris and drip attempts at the total deadline, retries them, and keeps /ok fast', async () => {
    // 50 events to each of two slow endpoints: 100 slow attempts in parallel (the catalogue's x100
    // counted over both modes), so two cores also run the API, the receiver and PostgreSQL.
    const slowEvents = 50;
    const ok = await endpoint('/r1/ok', ['post.created']);
    const slow = await Promise.all(
      ['/r1/slowloris/slow-headers', '/r1/dripping/drip'].map((path) =>
        endpoint(path, ['post.updated'], { requestConfig: { timeoutMs: R1_TIMEOUT_MS } }),
      ),
    );
    await startWorker({
      HOOKYARD_WORKER_CONCURRENCY: '120',
      HOOKYARD_ENDPOINT_CONCURRENCY: '60',
      HOOKYARD_RETRY_SCHEDULE: '1s',
    });
    const basePublished = await publishMany(100, 'post.created');
    const base = await delivered('/r1/ok', [ok], basePublished, 30_000);
    const baseFigures = rowFigures(base.entries, base.expected, basePublished);
    await suite.stack.receiver.reset();

    const slowPublished = await publishMany(slowEvents, 'post.updated');
    const inFlight = await suite.stack.untilInFlight(slowEvents * 2 * 0.9, 20_000);
    const loadPublished = await publishMany(100, 'post.created');
    const load = await delivered('/r1/ok', [ok], loadPublished, 30_000);
    const f = rowFigures(load.entries, load.expected, loadPublished);
    const done = await drained(slow, 60_000);

    const slowEntries = await suite.stack.ledger('/r1');
    const rows = await attempts(slow);
    const pathOf = new Map(slow.map((e) => [e.path, e.id]));
    const observed = observedDurations(
      slowEntries.filter((e) => e.endpoint !== ok.path),
      rows,
      (path) => pathOf.get(path),
    );
    const groups = [...attemptsByDelivery(rows).values()];
    const notTimeout = rows.filter((r) => r.errorClass !== 'timeout').length;
    const state = await deliveries(slow);
    const notFailedAfter2 = state.filter((d) => d.status !== 'failed' || d.attemptCount !== 2);
    const maxLogged = maxOf(rows.map((r) => r.durationMs));
    const maxObserved = maxOf(observed);
    const overHalf = rows.filter((r) => r.durationMs > R1_TIMEOUT_MS + 500).length;
    const limit = Math.max(2 * baseFigures.p95_ms, baseFigures.p95_ms + 300);
    reportRow({
      id: 'R1',
      title: 'slowloris and drip x100',
      figures: f,
      extra: {
        timeout_ms: R1_TIMEOUT_MS,
        slow_in_flight: inFlight,
        slow_attempts: rows.length,
        max_attempt_ms: Math.round(maxLogged),
        max_observed_ms: Math.round(maxObserved),
        over_T_plus_500ms: overHalf,
        not_timeout: notTimeout,
        ok_p95_base_ms: Math.round(baseFigures.p95_ms),
        ok_p95_limit_ms: Math.round(limit),
        drained: done,
      },
    });

    expect(baseFigures.lost).toBe(0);
    expect(f.sent).toBe(100);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0);
    expect(ids(slowPublished)).toHaveLength(slowEvents);
    expect(done).toBe(true);
    // Every slow delivery was tried, cut at the deadline, retried once (schedule 1s) and given up.
    expect(groups).toHaveLength(slowEvents * 2);
    expect(rows).toHaveLength(slowEvents * 4);
    expect(notTimeout).toBe(0);
    expect(notFailedAfter2).toEqual([]);
    // T + 0.5 s as the worker times it; what the receiver saw begin and the attempt log saw end gets a
    // second more on a loaded machine. An idle deadline never ends a drip: these would be unbounded.
    expect(maxLogged).toBeLessThanOrEqual(R1_TIMEOUT_MS + 500);
    expect(maxObserved).toBeLessThanOrEqual(R1_TIMEOUT_MS + 1500);
    // Starved, /ok would wait for the 2 s deadlines; loaded, it may be a little slower.
    expect(f.p95_ms).toBeLessThanOrEqual(limit);
  }, 120_000);

  it('R2 caps huge, endless, gzip-bomb and big-header answers without growing the worker', async () => {
    const warm = await endpoint('/r2/warm/ok', ['post.voted']);
    const paths = [
      '/r2/huge/200',
      '/r2/endless/infinite',
      '/r2/bomb/gzip-bomb',
      '/r2/big/big-headers',
    ];
    const endpoints = await Promise.all(paths.map((p) => endpoint(p, ['post.deleted'])));
    const [huge, endless, bomb, big] = endpoints as [
      SuiteEndpoint,
      SuiteEndpoint,
      SuiteEndpoint,
      SuiteEndpoint,
    ];
    const worker = await startWorker({
      HOOKYARD_RETRY_SCHEDULE: '1s,1s',
      HOOKYARD_RESPONSE_BODY_LIMIT: String(BODY_CAP),
    });
    // Warm the worker up (JIT, pools, sockets) so its baseline is what it holds while delivering.
    const warmPublished = await publishMany(50, 'post.voted');
    await delivered('/r2/warm', [warm], warmPublished, 30_000);
    const baseline = rssBytes(worker.pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      if (worker.running()) peak = Math.max(peak, rssBytes(worker.pid));
    }, 100);
    let published: Published[];
    let done: boolean;
    try {
      published = await publishMany(5, 'post.deleted');
      done = await drained(endpoints, 30_000);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssBytes(worker.pid));
    const rows = await attempts(endpoints);
    const state = await deliveries(endpoints);
    const outcome = (e: SuiteEndpoint): string => {
      const mine = state.filter((d) => d.endpointId === e.id);
      const statuses = [...new Set(mine.map((d) => `${d.status}@${d.attemptCount}`))];
      return statuses.join('|');
    };
    const classes = (e: SuiteEndpoint): string =>
      [...new Set(rows.filter((r) => r.endpointId === e.id).map((r) => r.errorClass ?? 'ok'))].join(
        '|',
      );
    const maxExcerpt = maxOf(rows.map((r) => r.excerptBytes));
    const deltaMb = (peak - baseline) / 1024 / 1024;
    const f = rowFigures(await suite.stack.ledger('/r2'), [], published);
    reportRow({
      id: 'R2',
      title: 'huge body, gzip bomb, big headers',
      figures: f,
      extra: {
        attempts: rows.length,
        huge: outcome(huge),
        infinite: outcome(endless),
        gzip_bomb: outcome(bomb),
        big_headers: `${outcome(big)}:${classes(big)}`,
        max_excerpt_bytes: maxExcerpt,
        body_cap: BODY_CAP,
        rss_delta_mb: deltaMb.toFixed(1),
        crashes: worker.running() ? 0 : 1,
        drained: done,
      },
    });

    expect(f.sent).toBe(5);
    expect(done).toBe(true);
    expect(worker.running()).toBe(true);
    expect(deltaMb).toBeLessThan(50);
    expect(maxExcerpt).toBeLessThanOrEqual(BODY_CAP);
    // The product's choice: a 2xx status line is a success, whatever follows it; the body is read up
    // to the cap and the connection dropped, so a huge answer is never retried for ever.
    for (const e of [huge, endless, bomb]) expect(outcome(e)).toBe('succeeded@1');
    // A 64 KB header is over the 16 KB the client reads: a clean protocol failure, retried, given up.
    expect(outcome(big)).toBe('failed@3');
    expect(classes(big)).toBe('protocol');
    expect(state).toHaveLength(20);
  }, 120_000);

  it('R3 records the network error of a reset and a refused connection and retries on schedule', async () => {
    const schedule = [1000, 2000];
    const port = await closedPort();
    const reset = await endpoint('/r3/reset', ['ticket.created']);
    const refused = await endpoint('/r3/refused/ok', ['ticket.created'], {
      url: `http://127.0.0.1:${port}/r3/refused/ok`,
    });
    await startWorker({ HOOKYARD_RETRY_SCHEDULE: '1s,2s' });
    const published = await publishMany(10, 'ticket.created');
    const done = await drained([reset, refused], 60_000);
    const rows = await attempts([reset, refused]);
    const groups = [...attemptsByDelivery(rows).values()];
    const gaps = groups.map(retryGaps);
    const off = offSchedule(gaps, schedule);
    const codeOf = (e: SuiteEndpoint): string[] => [
      ...new Set(
        rows
          .filter((r) => r.endpointId === e.id)
          .map((r) => `${r.errorClass}:${/E[A-Z]{3,}/.exec(r.errorMessage ?? '')?.[0] ?? '-'}`),
      ),
    ];
    const mean = (k: number): string =>
      (gaps.reduce((sum, g) => sum + (g[k] ?? 0), 0) / Math.max(1, gaps.length) / 1000).toFixed(1);
    const f = rowFigures(await suite.stack.ledger('/r3'), [], published);
    reportRow({
      id: 'R3',
      title: 'connection reset and refused',
      figures: f,
      extra: {
        attempts: rows.length,
        reset: codeOf(reset).join('|'),
        refused: codeOf(refused).join('|'),
        gaps_s: `${mean(0)},${mean(1)}`,
        off_schedule: off,
        drained: done,
      },
    });

    expect(f.sent).toBe(10);
    expect(done).toBe(true);
    expect(groups).toHaveLength(20);
    expect(groups.map((g) => g.length)).toEqual(Array.from({ length: 20 }, () => 3));
    expect(codeOf(reset)).toEqual(['connect:ECONNRESET']);
    expect(codeOf(refused)).toEqual(['connect:ECONNREFUSED']);
    expect(off).toBe(0);
  }, 90_000);

  it('R4 fails a self-signed certificate with a TLS reason, and no production code turns verification off', async () => {
    const target = await endpoint('/r4/tls-selfsigned', ['ticket.updated'], {
      url: suite.stack.receiver.tlsUrl('/r4/tls-selfsigned'),
    });
    await startWorker({ HOOKYARD_RETRY_SCHEDULE: '1s' });
    const published = await publishMany(5, 'ticket.updated');
    const done = await drained([target], 40_000);
    const rows = await attempts([target]);
    const reasons = [...new Set(rows.map((r) => r.errorClass))];
    const certErrors = rows.filter((r) => /SELF_SIGNED|self[- ]signed/i.test(r.errorMessage ?? ''));
    const entries = (await suite.stack.receiver.ledger()).filter((e) => e.tls);
    const files = productionSources();
    const hits = files.filter((file) => unsafeTlsSettings(readFileSync(file, 'utf8')) > 0);
    const f = rowFigures(entries, [], published);
    reportRow({
      id: 'R4',
      title: 'TLS self-signed',
      figures: f,
      extra: {
        attempts: rows.length,
        reason: reasons.join('|'),
        cert_errors: certErrors.length,
        tls_requests_answered: entries.length,
        files_scanned: files.length,
        unsafe_tls_hits: hits.length === 0 ? 0 : hits.map((h) => relative(ROOT, h)).join(','),
        drained: done,
      },
    });

    // The scan's own check: it finds what it looks for.
    expect(unsafeTlsSettings('agent({ rejectUnauthorized: false })')).toBe(1);
    expect(files.length).toBeGreaterThan(50);
    expect(hits).toEqual([]);
    expect(f.sent).toBe(5);
    expect(done).toBe(true);
    expect(rows).toHaveLength(10);
    expect(reasons).toEqual(['tls']);
    expect(certErrors).toHaveLength(rows.length);
    expect(entries).toHaveLength(0); // no request ever got past the handshake
  }, 90_000);

  it('R5 suspends an endpoint that answers 410 Gone with reason gone and sends it nothing more', async () => {
    const gone = await endpoint('/r5/gone', ['ticket.deleted']);
    await startWorker();
    const first = await publishMany(1, 'ticket.deleted');
    const firstDone = await drained([gone], 30_000);
    const [row] = await suite.stack.query<{
      status: string;
      reason: string | null;
      at: number | null;
    }>(
      `SELECT status, status_reason AS reason,
              (extract(epoch FROM suspended_at) * 1000)::float8 AS at FROM endpoints WHERE id = $1`,
      [gone.id],
    );
    const later = await publishMany(10, 'ticket.deleted');
    const laterDone = await drained([gone], 10_000);
    // The observation window: a try of the later events would come within a few polls (50 ms each).
    await sleep(1500);
    const entries = await suite.stack.ledger('/r5');
    const suspendedAt = row?.at ?? Number.POSITIVE_INFINITY;
    const after = entries.filter((e) => e.receivedAt > suspendedAt).length;
    const rows = await attempts([gone]);
    const state = await deliveries([gone]);
    const f = rowFigures(entries, [], [...first, ...later]);
    reportRow({
      id: 'R5',
      title: '410 Gone',
      figures: f,
      extra: {
        attempts: rows.length,
        answered_410: entries.filter((e) => e.status === 410).length,
        attempts_after_410: after,
        retries: entries.filter((e) => e.attempt > 1).length,
        status: row?.status ?? 'none',
        reason: row?.reason ?? 'none',
        not_failed: state.filter((d) => d.status !== 'failed').length,
        drained: firstDone && laterDone,
      },
    });

    expect(f.sent).toBe(11);
    expect(firstDone).toBe(true);
    expect(laterDone).toBe(true);
    expect(row?.status).toBe('suspended');
    expect(row?.reason).toBe('gone');
    expect(entries).toHaveLength(1); // the one 410: no retry of it, nothing of the later events
    expect(entries[0]?.status).toBe(410);
    expect(after).toBe(0);
    expect(rows).toHaveLength(1);
    expect(state.filter((d) => d.status !== 'failed')).toEqual([]);
    expect(state).toHaveLength(11);
  }, 90_000);

  it('R6 waits at least Retry-After (seconds or HTTP-date), clamps it to 24 h, and ignores garbage', async () => {
    const scheduleMs = 2000;
    const clampMs = 24 * 3600 * 1000;
    const dateAt = Math.ceil((Date.now() + 8000) / 1000) * 1000;
    const httpDate = new Date(dateAt).toUTCString();
    const five = await endpoint('/r6/five/retry-after/5', ['changelog.published']);
    const dated = await endpoint(`/r6/dated/retry-after/${encodeURIComponent(httpDate)}`, [
      'changelog.published',
    ]);
    const garbage = await endpoint('/r6/garbage/retry-after/abc', ['changelog.published']);
    const huge = await endpoint('/r6/huge/retry-after/999999', ['changelog.published']);
    const finite = [five, dated, garbage];
    await startWorker({ HOOKYARD_RETRY_SCHEDULE: '2s' });
    const published = await publishMany(3, 'changelog.published');
    const done = await drained(finite, 40_000);
    // The 24 h one stays pending: its first try is recorded with a next attempt a day away.
    const deadline = Date.now() + 20_000;
    let hugeRows = await deliveries([huge]);
    while (hugeRows.some((d) => d.attemptCount < 1) && Date.now() < deadline) {
      await sleep(200);
      hugeRows = await deliveries([huge]);
    }
    const rows = await attempts([...finite, huge]);
    const entries = await suite.stack.ledger('/r6');
    const byDelivery = attemptsByDelivery(rows);
    const gapsOf = (e: SuiteEndpoint): number[] =>
      [...byDelivery.entries()]
        .filter(([key]) => key.startsWith(`${e.id}|`))
        .map(([, g]) => retryGaps(g)[0] ?? Number.NaN);
    const firstEnds = (e: SuiteEndpoint): AttemptLogRow[] =>
      [...byDelivery.entries()]
        .filter(([key]) => key.startsWith(`${e.id}|`))
        .map(([, g]) => g[0])
        .filter((r): r is AttemptLogRow => r !== undefined);
    const hugeDelays = hugeRows.map((d) => {
      const end = byDelivery.get(`${huge.id}|${d.eventId}`)?.[0]?.at ?? Number.NaN;
      return (d.nextAttemptAt?.getTime() ?? Number.NaN) - end;
    });
    const fiveGaps = gapsOf(five);
    const datedStarts = [...byDelivery.entries()]
      .filter(([key]) => key.startsWith(`${dated.id}|`))
      .map(([, g]) => (g[1] ? startOf(g[1]) : Number.NaN));
    const garbageGaps = gapsOf(garbage);
    const s = (values: readonly number[]): string =>
      values.map((v) => (v / 1000).toFixed(1)).join(',');
    const f = rowFigures(entries, [], published);
    reportRow({
      id: 'R6',
      title: '429 + Retry-After',
      figures: f,
      extra: {
        attempts: rows.length,
        gap_5_s: s(fiveGaps),
        date_late_s: s(datedStarts.map((t) => t - dateAt)),
        date_first_before_s: s(firstEnds(dated).map((r) => dateAt - r.at)),
        gap_abc_s: s(garbageGaps),
        delay_999999_s: s(hugeDelays),
        clamp_s: clampMs / 1000,
        drained: done,
      },
    });

    expect(f.sent).toBe(3);
    expect(done).toBe(true);
    expect(rows.filter((r) => r.statusCode !== 429)).toEqual([]);
    expect(fiveGaps).toHaveLength(3);
    for (const gap of fiveGaps) {
      expect(gap).toBeGreaterThanOrEqual(5000 - 50);
      expect(gap).toBeLessThanOrEqual(5000 + 1500);
    }
    // The first try came before the date, the retry not before it (50 ms for clock rounding).
    for (const r of firstEnds(dated)) expect(r.at).toBeLessThan(dateAt);
    expect(datedStarts).toHaveLength(3);
    for (const start of datedStarts) {
      expect(start).toBeGreaterThanOrEqual(dateAt - 50);
      expect(start).toBeLessThanOrEqual(dateAt + 1500);
    }
    // `abc` is no hint: the 2 s schedule (±20%) applies.
    expect(garbageGaps).toHaveLength(3);
    expect(
      offSchedule(
        garbageGaps.map((g) => [g]),
        [scheduleMs],
      ),
    ).toBe(0);
    // 999999 s is held to the clamp.
    expect(hugeDelays).toHaveLength(3);
    for (const delay of hugeDelays) {
      expect(delay).toBeGreaterThanOrEqual(clampMs - 1000);
      expect(delay).toBeLessThanOrEqual(clampMs + 1000);
    }
  }, 120_000);

  it('R7 counts 2xx as success and 3xx, 4xx as failure in the attempt log', async () => {
    const codes = [200, 204, 299, 300, 404, 500];
    const endpoints = await Promise.all(
      codes.map((code) => endpoint(`/r7/c${code}/status/${code}`, ['comment.created'])),
    );
    await startWorker({ HOOKYARD_RETRY_SCHEDULE: '1s' });
    const published = await publishMany(3, 'comment.created');
    const done = await drained(endpoints, 40_000);
    const rows = await attempts(endpoints);
    const state = await deliveries(endpoints);
    const table = codes.map((code, k) => {
      const id = endpoints[k]?.id;
      const mine = rows.filter((r) => r.endpointId === id);
      const wrongClass = mine.filter(
        (r) => r.statusCode !== code || loggedClass(r) !== expectedClass(code),
      ).length;
      const wantAttempts = expectedClass(code) === 'success' ? 1 : 2;
      const wantStatus = expectedClass(code) === 'success' ? 'succeeded' : 'failed';
      const wrongDelivery = state.filter(
        (d) => d.endpointId === id && (d.status !== wantStatus || d.attemptCount !== wantAttempts),
      ).length;
      return { code, attempts: mine.length, wrong: wrongClass + wrongDelivery };
    });
    const expected = fanOut(
      endpoints.filter((_, k) => expectedClass(codes[k] ?? 0) === 'success').map((e) => e.path),
      ids(published),
    );
    const f = rowFigures(await suite.stack.ledger('/r7'), expected, published);
    reportRow({
      id: 'R7',
      title: 'status semantics',
      figures: f,
      extra: {
        table: table.map((t) => `${t.code}:${expectedClass(t.code)}/${t.attempts}`).join(','),
        wrong: table.reduce((sum, t) => sum + t.wrong, 0),
        no_1xx: 'a 1xx is never a final status in HTTP/1.1',
        drained: done,
      },
    });

    expect(f.sent).toBe(3);
    expect(done).toBe(true);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0);
    expect(table.map((t) => t.wrong)).toEqual(codes.map(() => 0));
    expect(table.map((t) => t.attempts)).toEqual(
      codes.map((c) => (expectedClass(c) === 'success' ? 3 : 6)),
    );
  }, 90_000);

  it('R8 one blackhole endpoint does not starve a healthy one (per-endpoint concurrency cap)', async () => {
    const endpointCap = 5;
    const ok = await endpoint('/r8/ok', ['comment.deleted']);
    const hang = await endpoint('/r8/blackhole/hang', ['comment.updated']);
    // 20 slots in all: without the cap the 300 hanging deliveries would take every one of them.
    await startWorker({
      HOOKYARD_WORKER_CONCURRENCY: '20',
      HOOKYARD_ENDPOINT_CONCURRENCY: String(endpointCap),
    });
    const basePublished = await publishMany(100, 'comment.deleted');
    const base = await delivered('/r8/ok', [ok], basePublished, 30_000);
    const baseFigures = rowFigures(base.entries, base.expected, basePublished);
    await suite.stack.receiver.reset();

    const hangPublished = await publishMany(300, 'comment.updated', 20);
    const hanging = await suite.stack.untilInFlight(endpointCap, 20_000);
    const loadPublished = await publishMany(100, 'comment.deleted');
    const hangingAfter = await suite.stack.receiver.inFlight();
    const hangClaims = await suite.stack.claimed([hang.id]);
    const load = await delivered('/r8/ok', [ok], loadPublished, 30_000);
    const f = rowFigures(load.entries, load.expected, loadPublished);
    const hangEntries = await suite.stack.ledger('/r8/blackhole');
    // Each hanging request lasts its endpoint's 5 s timeout: those begun within 4.5 s overlapped.
    const hangConcurrent = maxWithin(
      hangEntries.map((e) => e.receivedAt),
      4500,
    );
    const limit = Math.max(2 * baseFigures.p95_ms, baseFigures.p95_ms + 300);
    reportRow({
      id: 'R8',
      title: 'one blackhole endpoint',
      figures: f,
      extra: {
        hang_events: ids(hangPublished).length,
        hang_in_flight: `${hanging}/${hangingAfter}`,
        hang_requests: hangEntries.length,
        hang_concurrent: hangConcurrent,
        hang_claims: hangClaims,
        endpoint_cap: endpointCap,
        ok_p95_base_ms: Math.round(baseFigures.p95_ms),
        ok_p95_limit_ms: Math.round(limit),
      },
    });

    expect(baseFigures.lost).toBe(0);
    expect(ids(hangPublished)).toHaveLength(300);
    expect(f.sent).toBe(100);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0);
    // The blackhole holds its cap and no more while /ok is delivered.
    expect(hanging).toBeGreaterThanOrEqual(endpointCap);
    expect(hangingAfter).toBeGreaterThanOrEqual(endpointCap);
    expect(hangConcurrent).toBeLessThanOrEqual(endpointCap);
    expect(hangClaims).toBeLessThanOrEqual(endpointCap);
    expect(f.p95_ms).toBeLessThanOrEqual(limit);
  }, 120_000);
});

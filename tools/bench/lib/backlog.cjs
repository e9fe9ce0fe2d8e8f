'use strict';
// The backlog scenario's mechanics: due deliveries made straight in SQL for endpoints that are paused
// through the API, one drain measured from the endpoints' reactivation, and the clean stop of a drain
// that is cut short (the endpoints paused again, the tries in flight left to finish and be recorded).
const { Client } = require('pg');
// The channel the workers LISTEN on. Ingest notifies it when it makes due deliveries; the rows made
// here bypass ingest, so the drain notifies it as ingest would.
const { DELIVERIES_DUE_CHANNEL } = require('@hookyard/data-access');
const { rssWindow } = require('./processes.cjs');
const { now, round, sleep } = require('./util.cjs');

/** How long a cut-short drain waits for the tries in flight to be recorded. */
const SETTLE_MS = 20_000;

/** 24 hex digits: an 8-digit time prefix, then `n`, so the ids are unique and ascend with `n`. */
const objectId = (prefix, n) => prefix + n.toString(16).padStart(16, '0');

/** A connection to the run's database for the scenario's own statements. */
async function openSql(url) {
  const client = new Client({ connectionString: url, application_name: 'hookyard-bench-backlog' });
  client.on('error', () => undefined); // a lost connection fails the next query instead
  await client.connect();
  return client;
}

/**
 * Makes events `from` … `from + events - 1` of the organization, each with a `pending` delivery to
 * every endpoint, in one transaction; the id and body of each are those a publish would make, bar the
 * random part of the ids. Event n is made (and its deliveries fall due) 1 ms after event n − 1, the
 * last one now, so the queue is in the order a stream of publishes leaves it: oldest due first, each
 * event's deliveries side by side. Then ANALYZE of the tables the claim reads, so the drain runs on
 * the plan of a queue of this size, among the endpoints that exist, rather than on statistics taken
 * before (autovacuum would otherwise re-plan mid-drain). Without it, after the `tenants` scenario's
 * 1000 endpoints the planner counted one endpoint and read every pending row at each claim.
 * Resolves with the receiver keys (`path|event id`) of the deliveries, in id order.
 */
async function insertDue(sql, { organizationId, endpoints, prefix, from, events, topic, data }) {
  const to = from + events - 1;
  await sql.query('BEGIN');
  try {
    await sql.query(
      `INSERT INTO events (id, organization_id, topic, data, payload_hash, created_at)
       SELECT $2 || lpad(to_hex(n), 16, '0'), $1, $5,
         jsonb_build_object('id', 'post_' || n, 'title', 'Benchmark post ' || n, 'excerpt', $6::text,
           'scenario', $7::text, 'n', n),
         md5(n::text), now() - ($4 - n) * interval '1 millisecond'
       FROM generate_series($3::bigint, $4::bigint) AS n`,
      [organizationId, prefix, from, to, topic, data.excerpt, data.scenario],
    );
    await sql.query(
      `INSERT INTO deliveries (id, organization_id, event_id, endpoint_id, status, attempt_count,
         next_attempt_at, created_at)
       SELECT $2 || lpad(to_hex(n * $5 + e.i - 1), 16, '0'), $1, $2 || lpad(to_hex(n), 16, '0'), e.id,
         'pending', 0, now() - ($4 - n) * interval '1 millisecond',
         now() - ($4 - n) * interval '1 millisecond'
       FROM generate_series($3::bigint, $4::bigint) AS n
       CROSS JOIN unnest($6::char(24)[]) WITH ORDINALITY AS e(id, i)
       ORDER BY n, e.i`,
      [organizationId, prefix, from, to, endpoints.length, endpoints.map((e) => e.id)],
    );
    await sql.query('COMMIT');
  } catch (error) {
    await sql.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await sql.query('ANALYZE endpoints, events, deliveries');
  const keys = [];
  for (let n = from; n <= to; n++) {
    const eventId = objectId(prefix, n);
    for (const endpoint of endpoints) keys.push(`${endpoint.path}|${eventId}`);
  }
  return keys;
}

/** Sets every endpoint's status through the API (PATCH /v1/endpoints/{id}). */
async function setStatus(ctx, key, endpoints, status) {
  const answers = await Promise.all(
    endpoints.map((e) => ctx.api('PATCH', `/v1/endpoints/${e.id}`, key, { status })),
  );
  const wrong = answers.find((a) => a.status !== 200);
  if (wrong) throw new Error(`PATCH status ${status}: ${wrong.status} ${wrong.text.slice(0, 300)}`);
}

const count = async (sql, text, params) => Number((await sql.query(text, params)).rows[0].n);

/** Rows of these endpoints still `pending` and held by a live claim (tries in flight). */
const claimed = (sql, ids) =>
  count(
    sql,
    `SELECT count(*) AS n FROM deliveries WHERE endpoint_id = ANY($1::char(24)[])
       AND status = 'pending' AND claim_id IS NOT NULL AND claim_expires_at >= now()`,
    [ids],
  );

/** Rows of these endpoints still `pending` or claimed (the check of measure.cjs). */
const notDrained = (sql, ids) =>
  count(
    sql,
    `SELECT count(*) AS n FROM deliveries WHERE endpoint_id = ANY($1::char(24)[])
       AND (status = 'pending' OR claim_id IS NOT NULL)`,
    [ids],
  );

/**
 * One drain of deliveries made by {@link insertDue} for the paused `endpoints`. Reactivates them
 * through the API, wakes the workers, and waits until `target` of the `keys` have reached the
 * receiver, `windowMs` has passed, or nothing new came for `stallMs`. The rate counts the receipts up
 * to the `target`-th (or up to the end of the window) over the time from reactivation.
 *
 * With `stop`, the drain is cut short: the endpoints are paused again, and the tries in flight are
 * left to finish and be recorded (at most {@link SETTLE_MS}). Everything that reached the receiver is
 * checked (signatures, duplicates); what the database says was delivered must have arrived. Without
 * `stop` every key must arrive, and the queue must drain.
 */
async function drain(ctx, sql, spec) {
  const { receiver, log, limits } = ctx;
  const ids = spec.endpoints.map((e) => e.id);
  const pathOf = new Map(spec.endpoints.map((e) => [e.id, e.path]));
  const phaseKeys = new Set(spec.keys);
  await receiver.call('forget', { scenario: spec.scenario });
  await receiver.call('expect', { scenario: spec.scenario, keys: spec.keys });

  const window = rssWindow(ctx.processes);
  const logsBefore = ctx.logCounts();
  const startedAt = now();
  await setStatus(ctx, spec.apiKey, spec.endpoints, 'active');
  await sql.query('SELECT pg_notify($1, $2)', [DELIVERIES_DUE_CHANNEL, '']);

  const windowEndsAt = startedAt + spec.windowMs;
  let seen = 0;
  let lastProgressAt = Date.now();
  let lastLog = Date.now();
  let timedOut = false;
  let windowEnded = false;
  for (;;) {
    const progress = await receiver.call('progress', { scenario: spec.scenario });
    if (progress.seen !== seen) lastProgressAt = Date.now();
    seen = progress.seen;
    if (seen >= spec.target) break;
    ctx.assertAlive();
    if (now() >= windowEndsAt) {
      windowEnded = true;
      log(`${spec.label}: the ${spec.windowMs / 1000} s window ended with ${seen} delivered`);
      break;
    }
    if (Date.now() - lastProgressAt > limits.stallMs) {
      timedOut = true;
      log(`${spec.label}: gave up waiting with ${seen}/${spec.target} delivered`);
      break;
    }
    if (Date.now() - lastLog > 5000) {
      log(`${spec.label}: ${seen}/${spec.target} delivered`);
      lastLog = Date.now();
    }
    await sleep(50);
  }
  const measuredUntil = now();

  let inFlightLeft = null;
  let queueNotDrained = null;
  if (spec.stop) {
    // Cut short: no new claims for these endpoints; what is in flight finishes and is recorded.
    await setStatus(ctx, spec.apiKey, spec.endpoints, 'paused');
    const deadline = Date.now() + SETTLE_MS;
    let requests = -1;
    let quietSince = Date.now();
    for (;;) {
      inFlightLeft = await claimed(sql, ids);
      const progress = await receiver.call('progress', { scenario: spec.scenario });
      if (progress.requests !== requests) quietSince = Date.now();
      requests = progress.requests;
      if ((inFlightLeft === 0 && Date.now() - quietSince >= 500) || Date.now() > deadline) break;
      await sleep(100);
    }
    if (inFlightLeft > 0) log(`${spec.label}: ${inFlightLeft} tries still claimed after pausing`);
  } else {
    // The worker records a success after the receiver's answer: give the queue a moment to settle.
    const deadline = Date.now() + (timedOut ? 1000 : 10_000);
    for (;;) {
      queueNotDrained = await notDrained(sql, ids);
      if (queueNotDrained === 0 || Date.now() > deadline) break;
      await sleep(50);
    }
  }
  const processes = window.stop();
  const logsAfter = ctx.logCounts();
  const got = await receiver.call('collect', { scenario: spec.scenario });

  // What the database says of the phase's rows the workers have taken up.
  const eventIds = [...new Set(spec.keys.map((key) => key.slice(key.indexOf('|') + 1)))];
  const { rows } = await sql.query(
    `SELECT event_id, endpoint_id, status, attempt_count FROM deliveries
     WHERE endpoint_id = ANY($1::char(24)[]) AND event_id = ANY($2::char(24)[])
       AND (status <> 'pending' OR attempt_count > 0)`,
    [ids, eventIds],
  );
  const rowOf = new Map(rows.map((r) => [`${pathOf.get(r.endpoint_id)}|${r.event_id}`, r]));
  const backlogLeft = await count(
    sql,
    `SELECT count(*) AS n FROM deliveries WHERE endpoint_id = ANY($1::char(24)[]) AND status = 'pending'`,
    [ids],
  );

  const first = new Map(got.first);
  const received = [...first.keys()].filter((key) => phaseKeys.has(key));
  const receivedSet = new Set(received);
  // Expected: every key of a full drain; of a cut-short one, those the workers finished, and those
  // that arrived.
  const expected = spec.stop
    ? new Set([
        ...[...rowOf]
          .filter(([, r]) => r.status === 'succeeded' || r.status === 'failed')
          .map(([key]) => key),
        ...received,
      ])
    : phaseKeys;
  const deliveredUnique = [...expected].filter((key) => receivedSet.has(key)).length;
  // Arrived with a 2xx, yet still pending in the database: a try the workers will make again.
  const unrecorded = received.filter((key) => (rowOf.get(key)?.status ?? 'pending') === 'pending');
  // Tried, not delivered, waiting for a retry (a cut-short drain does not wait for it).
  const retrying = [...rowOf].filter(
    ([key, r]) => r.status === 'pending' && !receivedSet.has(key),
  ).length;

  const times = received
    .map((key) => first.get(key))
    .filter((at) => at <= measuredUntil)
    .sort((a, b) => a - b);
  const counted = Math.min(spec.target, times.length);
  const lastAt = counted > 0 ? times[counted - 1] : null;
  const seconds = lastAt === null ? null : (lastAt - startedAt) / 1000;
  const rate = seconds ? counted / seconds : null;
  // The same rate over each fifth of the counted receipts, to show whether it holds through the drain.
  const segments = [];
  for (let k = 0; k < 5 && counted >= 5; k++) {
    const begin = k === 0 ? startedAt : times[Math.floor((k * counted) / 5) - 1];
    const end = times[Math.floor(((k + 1) * counted) / 5) - 1];
    const n = Math.floor(((k + 1) * counted) / 5) - Math.floor((k * counted) / 5);
    segments.push(end > begin ? round(n / ((end - begin) / 1000)) : null);
  }
  const ceiling = spec.ceiling && got.sample ? await ctx.ceiling(spec.ceiling, got.sample) : null;
  const workerPeaks = Object.entries(processes)
    .filter(([label]) => label.startsWith('worker-'))
    .map(([, p]) => p.peak_rss_mb)
    .filter((mb) => mb !== null);

  return {
    due_at_start: spec.due,
    endpoints: spec.endpoints.length,
    publish_failures: {},
    deliveries_measured: counted,
    measure_target: spec.target,
    window_s: spec.windowMs / 1000,
    window_ended: windowEnded,
    first_receipt_ms: times.length ? round(times[0] - startedAt) : null,
    delivery_seconds: round(seconds, 3),
    deliveries_per_s: round(rate),
    deliveries_per_s_by_fifth: segments,
    ceiling_requests_per_s: ceiling ? ceiling.requests_per_s : null,
    ceiling_concurrency: spec.ceiling ? spec.ceiling.concurrency : null,
    ratio_to_ceiling:
      ceiling && ceiling.requests_per_s && rate !== null
        ? round(rate / ceiling.requests_per_s, 3)
        : null,
    expected: expected.size,
    delivered_unique: deliveredUnique,
    lost: expected.size - deliveredUnique,
    // Every 2xx receipt but the first of each of the phase's pairs: repeats within the phase, and
    // late repeats of the phase before (its pairs are not the phase's).
    duplicates: got.receipts2xx - received.length,
    received_not_recorded: unrecorded.length,
    tried_waiting_for_retry: retrying,
    signatures_checked: got.sigChecked,
    signatures_checked_with_sdk: got.sdkChecked,
    signatures_invalid: got.sigInvalid,
    signature_problems: got.invalidSamples,
    receiver_requests: got.requests,
    receiver_max_in_flight: got.maxInFlight,
    max_concurrent_attempts_per_id: got.maxConcurrentPerId,
    delivery_body_bytes: got.requests ? Math.round(got.bodyBytes / got.requests) : null,
    tries_in_flight_after_pause: inFlightLeft,
    backlog_left: spec.stop ? backlogLeft : undefined,
    queue_not_drained: spec.stop ? null : queueNotDrained,
    timed_out: timedOut,
    processes,
    worker_peak_rss_mb: workerPeaks.length ? Math.max(...workerPeaks) : null,
    app_warnings_logged: logsAfter.warnings - logsBefore.warnings,
    app_errors_logged: logsAfter.errors - logsBefore.errors,
  };
}

/**
 * Several full drains as one column: the figures of the round with the median deliveries/s, with the
 * counts (deliveries, losses, repeats, signatures) summed over every round and the worst of the
 * checks, so nothing a round saw is left out. `deliveries_per_s_rounds` keeps each round's rate.
 */
function medianRound(rounds) {
  const byRate = [...rounds].sort((a, b) => (a.deliveries_per_s ?? 0) - (b.deliveries_per_s ?? 0));
  const median = byRate[Math.floor((byRate.length - 1) / 2)];
  const sum = (field) => rounds.reduce((total, r) => total + (r[field] ?? 0), 0);
  const max = (field) => Math.max(...rounds.map((r) => r[field] ?? 0));
  const processes = {};
  for (const label of Object.keys(median.processes)) {
    const of = rounds.map((r) => r.processes[label]).filter(Boolean);
    processes[label] = {
      peak_rss_mb: Math.max(...of.map((p) => p.peak_rss_mb ?? 0)),
      cpu_s: round(
        of.reduce((total, p) => total + (p.cpu_s ?? 0), 0),
        2,
      ),
    };
  }
  return {
    ...median,
    rounds: rounds.length,
    deliveries_per_s_rounds: rounds.map((r) => r.deliveries_per_s),
    expected: sum('expected'),
    delivered_unique: sum('delivered_unique'),
    lost: sum('lost'),
    duplicates: sum('duplicates'),
    received_not_recorded: sum('received_not_recorded'),
    tried_waiting_for_retry: sum('tried_waiting_for_retry'),
    signatures_checked: sum('signatures_checked'),
    signatures_checked_with_sdk: sum('signatures_checked_with_sdk'),
    signatures_invalid: sum('signatures_invalid'),
    signature_problems: rounds.flatMap((r) => r.signature_problems).slice(0, 5),
    receiver_requests: sum('receiver_requests'),
    receiver_max_in_flight: max('receiver_max_in_flight'),
    max_concurrent_attempts_per_id: max('max_concurrent_attempts_per_id'),
    queue_not_drained: max('queue_not_drained'),
    timed_out: rounds.some((r) => r.timed_out),
    processes,
    worker_peak_rss_mb: max('worker_peak_rss_mb'),
    app_warnings_logged: sum('app_warnings_logged'),
    app_errors_logged: sum('app_errors_logged'),
  };
}

module.exports = { drain, insertDue, medianRound, openSql, setStatus };

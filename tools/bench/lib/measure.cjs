'use strict';
// One measurement: publish a scenario's jobs through the publishers' process, wait until every
// (endpoint, event) pair has reached the receiver, and turn what the publishers, the receiver,
// PostgreSQL and /proc saw into figures.
const { percentile, round, sleep } = require('./util.cjs');
const { rssWindow } = require('./processes.cjs');

/**
 * @param ctx the run (see bench.cjs)
 * @param spec {
 *   scenario,          receiver namespace (the first path segment of its endpoints)
 *   endpointIds,       what the database figures count
 *   jobs,              [{ key, path, body, events, targets }]: `targets` are the receiver paths that
 *                      must get each event of the job
 *   concurrency, rate  closed loop with `concurrency` publishers, or `rate` jobs per second
 *   ceiling            { mode, concurrency } of the matching raw ceiling, or null
 * }
 */
async function measure(ctx, spec) {
  const { receiver, load, probe, log, limits } = ctx;
  const window = rssWindow(ctx.processes);
  const logsBefore = ctx.logCounts();
  const walStart = await probe.walLsn();

  const published = await load.call(
    'publish',
    {
      baseUrl: ctx.apiUrl,
      jobs: spec.jobs,
      concurrency: spec.concurrency,
      rate: spec.rate,
      timeoutMs: 30_000,
    },
    limits.scenarioMs + 60_000,
  );

  // What was accepted, and which (path, webhook-id) pairs must therefore arrive.
  const respondedAt = new Map(); // event id -> time its POST was answered
  const expectedKeys = [];
  const postLatencies = [];
  const failures = {};
  const failureSamples = [];
  let sent = 0;
  let acceptedWithoutIds = 0; // events of 2xx responses that named no ids (a batch route's other shape)
  let expectedCount = 0;
  published.results.forEach((result, index) => {
    const job = spec.jobs[index];
    if (result.status >= 200 && result.status < 300) {
      postLatencies.push(result.respondedAt - result.startedAt);
      if (result.ids.length === 0) acceptedWithoutIds += job.events;
      sent += result.ids.length || job.events;
      expectedCount += (result.ids.length || job.events) * job.targets.length;
      for (const id of result.ids) {
        respondedAt.set(id, result.respondedAt);
        for (const path of job.targets) expectedKeys.push(`${path}|${id}`);
      }
    } else {
      const label = result.status ? String(result.status) : 'network';
      failures[label] = (failures[label] ?? 0) + 1;
      if (failureSamples.length < 3) failureSamples.push(`${label}: ${result.detail}`);
    }
  });
  for (const sample of failureSamples) log(`${spec.scenario}: publish failed — ${sample}`);
  const requested = spec.jobs.reduce((sum, job) => sum + job.events, 0);
  const ingestSeconds = (published.endedAt - published.startedAt) / 1000;
  log(
    `${spec.scenario}: ${sent}/${requested} events accepted in ${ingestSeconds.toFixed(2)} s; waiting for ${expectedCount} deliveries`,
  );

  // Wait for the receiver: until every pair arrived, nothing new came for `stallMs`, or the bound.
  const byKeys = acceptedWithoutIds === 0;
  await receiver.call(
    'expect',
    byKeys
      ? { scenario: spec.scenario, keys: expectedKeys }
      : { scenario: spec.scenario, count: expectedCount },
  );
  const deadline = Date.now() + limits.scenarioMs;
  let seen = 0;
  let lastProgressAt = Date.now();
  let timedOut = false;
  let lastLog = Date.now();
  for (;;) {
    const progress = await receiver.call('progress', { scenario: spec.scenario });
    if (progress.seen !== seen) lastProgressAt = Date.now();
    seen = progress.seen;
    if (seen >= expectedCount) break;
    ctx.assertAlive();
    if (Date.now() > deadline || Date.now() - lastProgressAt > limits.stallMs) {
      timedOut = true;
      log(`${spec.scenario}: gave up waiting with ${seen}/${expectedCount} delivered`);
      break;
    }
    if (Date.now() - lastLog > 5000) {
      log(`${spec.scenario}: ${seen}/${expectedCount} delivered`);
      lastLog = Date.now();
    }
    await sleep(50);
  }

  // The worker records a success after the receiver's answer: give the queue a moment to settle.
  let notDrained = null;
  const drainDeadline = Date.now() + (timedOut ? 1000 : 10_000);
  for (;;) {
    notDrained = await probe.notDrained(spec.endpointIds);
    if (notDrained === 0 || notDrained === null || Date.now() > drainDeadline) break;
    await sleep(50);
  }
  const walBytes = await probe.walBytesSince(walStart);
  const walBytesOfDatabase = await probe.walBytesOfDatabaseSince(walStart);
  const rows = await probe.rows(spec.endpointIds);
  const processes = window.stop();
  const logsAfter = ctx.logCounts();
  const got = await receiver.call('collect', { scenario: spec.scenario });

  // Ingest-to-receipt latency: from the answer to the event's POST to the first receipt of each pair.
  const first = new Map(got.first);
  const latencies = [];
  let lastReceipt = published.startedAt;
  let deliveredUnique = 0;
  if (byKeys) {
    for (const key of expectedKeys) {
      const at = first.get(key);
      if (at === undefined) continue;
      deliveredUnique++;
      latencies.push(at - respondedAt.get(key.slice(key.indexOf('|') + 1)));
      if (at > lastReceipt) lastReceipt = at;
    }
  } else {
    deliveredUnique = Math.min(first.size, expectedCount);
    for (const at of first.values()) if (at > lastReceipt) lastReceipt = at;
  }
  const deliverySeconds = (lastReceipt - published.startedAt) / 1000;
  const deliveriesPerS = deliverySeconds > 0 ? deliveredUnique / deliverySeconds : null;
  const ceiling = spec.ceiling && got.sample ? await ctx.ceiling(spec.ceiling, got.sample) : null;

  return {
    events_requested: requested,
    sent,
    publish_failures: failures,
    publishers: spec.rate ? `${spec.rate}/s` : spec.concurrency,
    ingest_seconds: round(ingestSeconds, 3),
    ingest_events_per_s: round(sent / ingestSeconds),
    post_latency_p50_ms: round(percentile(postLatencies, 50)),
    post_latency_p99_ms: round(percentile(postLatencies, 99)),
    expected: expectedCount,
    delivered_unique: deliveredUnique,
    lost: expectedCount - deliveredUnique,
    duplicates: got.receipts2xx - first.size,
    delivery_seconds: round(deliverySeconds, 3),
    deliveries_per_s: round(deliveriesPerS),
    ceiling_requests_per_s: ceiling ? ceiling.requests_per_s : null,
    ceiling_concurrency: spec.ceiling ? spec.ceiling.concurrency : null,
    ratio_to_ceiling:
      ceiling && ceiling.requests_per_s && deliveriesPerS !== null
        ? round(deliveriesPerS / ceiling.requests_per_s, 3)
        : null,
    latency_p50_ms: round(percentile(latencies, 50)),
    latency_p95_ms: round(percentile(latencies, 95)),
    latency_p99_ms: round(percentile(latencies, 99)),
    latency_max_ms: round(latencies.length ? Math.max(...latencies) : null),
    latency_measured: byKeys,
    signatures_checked: got.sigChecked,
    signatures_checked_with_sdk: got.sdkChecked,
    signatures_invalid: got.sigInvalid,
    signature_problems: got.invalidSamples,
    receiver_requests: got.requests,
    receiver_requests_by_path: spec.reportPaths
      ? Object.fromEntries(spec.reportPaths.map((p) => [p, got.requestsByPath[p] ?? 0]))
      : undefined,
    receiver_max_in_flight: got.maxInFlight,
    max_concurrent_attempts_per_id: got.maxConcurrentPerId,
    delivery_body_bytes: got.requests ? Math.round(got.bodyBytes / got.requests) : null,
    delivery_rows: rows.deliveries,
    attempt_rows: rows.attempts,
    rows_per_delivery:
      rows.deliveries !== null && rows.attempts !== null && deliveredUnique
        ? round((rows.deliveries + rows.attempts) / deliveredUnique, 2)
        : null,
    wal_bytes_database: walBytesOfDatabase,
    wal_bytes_server: walBytes,
    wal_bytes_per_delivery:
      walBytesOfDatabase !== null && deliveredUnique
        ? Math.round(walBytesOfDatabase / deliveredUnique)
        : null,
    wal_bytes_per_delivery_server:
      walBytes !== null && deliveredUnique ? Math.round(walBytes / deliveredUnique) : null,
    queue_not_drained: notDrained,
    timed_out: timedOut,
    processes,
    app_warnings_logged: logsAfter.warnings - logsBefore.warnings,
    app_errors_logged: logsAfter.errors - logsBefore.errors,
  };
}

module.exports = { measure };

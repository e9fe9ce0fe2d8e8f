#!/usr/bin/env node
// Delivery throughput benchmark: prints figures, asserts nothing about speed (it is not part of `npm test`).
//
// Boots the BUILT server (apps/api/dist) on 127.0.0.1 with an in-process delivery worker over a fresh
// database, points 3 endpoints at a local receiver, publishes BENCH_EVENTS events with 20 concurrent
// publishers, waits until every (endpoint, event) pair has arrived, then prints a table and one JSON line.
//
//   npm run bench                                   # builds the server first
//   BENCH_EVENTS=2000 node tools/bench/delivery-throughput.cjs
//   BENCH_EMBEDDED=1 BENCH_EVENTS=200 node tools/bench/delivery-throughput.cjs
//
// Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else DATABASE_URL (a server URL: a fresh database is
// created on it and dropped afterwards), else postgres://postgres@127.0.0.1:5432/test if it answers, else the
// embedded PostgreSQL server (a temporary data directory, removed afterwards). BENCH_EMBEDDED=1 forces the
// embedded one.
// Exit code: 0, or 1 if any delivery was lost, a publish got no 2xx, the queue did not drain, or the run failed.
'use strict';

require('reflect-metadata');
const { randomBytes } = require('node:crypto');
const { createServer } = require('node:http');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const os = require('node:os');

const dist = join(__dirname, '..', '..', 'apps', 'server', 'dist');
const { createApp } = require(join(dist, 'app.factory.js'));
const { loadConfig } = require('@hookyard/config');
const { createDeliveryWorker } = require('@hookyard/delivery');
const { OrganizationsService } = require('@hookyard/api');
const {
  createTestDatabase,
  openDatabase,
  SecretCipher,
  startEmbeddedPostgres,
} = require('@hookyard/data-access');
const { chmodSync, mkdtempSync, rmSync } = require('node:fs');
const { Client } = require('pg');

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const TOPIC = 'post.created';
const ENDPOINTS = 3;
const PUBLISHERS = 20;

function intEnv(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

const N = intEnv('BENCH_EVENTS', 2000, 1, 100_000);
const TIMEOUT_MS = intEnv('BENCH_TIMEOUT_S', 120, 1, 3600) * 1000;
// The default pool size matches apps/api/src/runtime.ts (10, embedded or not: see ADR 0007).
const POOL_SIZE_OVERRIDE = intEnv('BENCH_POOL_SIZE', 0, 1, 19);
const WORKER_ENV = {
  HOOKYARD_REQUIRE_HTTPS: 'false',
  HOOKYARD_OUTBOUND_ALLOW: '127.0.0.1/32',
  HOOKYARD_ENDPOINT_LIMIT: '1000',
  HOOKYARD_POLL_INTERVAL_MS: '20',
  HOOKYARD_WORKER_CONCURRENCY: '20',
};

const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile over an unsorted array of numbers; null when empty. */
function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

const round = (value, digits = 1) =>
  value === null || !Number.isFinite(value) ? null : Number(value.toFixed(digits));

function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

async function reachable(url) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Starts an embedded PostgreSQL server in a temporary directory and makes a fresh database on it. */
async function embeddedDatabase() {
  const scratch = mkdtempSync(join(os.tmpdir(), 'hookyard-bench-pg-'));
  chmodSync(scratch, 0o711); // run as root, the server's `postgres` user must pass through
  const server = await startEmbeddedPostgres({
    dataDir: join(scratch, 'pgdata'),
    password: randomBytes(16).toString('hex'),
  });
  const database = await createTestDatabase({ TEST_DATABASE_URL: server.url });
  return {
    url: database.url,
    kind: 'embedded',
    async drop() {
      await database.drop();
      await server.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Picks the database server and makes a fresh database on it. */
async function chooseDatabase() {
  if (/^(1|true|yes)$/i.test(process.env.BENCH_EMBEDDED ?? '')) {
    return { source: 'embedded (BENCH_EMBEDDED=1)', database: await embeddedDatabase() };
  }
  for (const name of ['BENCH_DATABASE_URL', 'TEST_DATABASE_URL', 'DATABASE_URL']) {
    const url = process.env[name];
    if (url) {
      return {
        source: `${name}=${redact(url)}`,
        database: { kind: 'postgres', ...(await createTestDatabase({ TEST_DATABASE_URL: url })) },
      };
    }
  }
  if (await reachable(DEFAULT_DATABASE_URL)) {
    return {
      source: `default ${DEFAULT_DATABASE_URL}`,
      database: {
        kind: 'postgres',
        ...(await createTestDatabase({ TEST_DATABASE_URL: DEFAULT_DATABASE_URL })),
      },
    };
  }
  return {
    source: `embedded (no database URL set and ${DEFAULT_DATABASE_URL} unreachable)`,
    database: await embeddedDatabase(),
  };
}

/** node:http receiver on 127.0.0.1 that answers 200 at once and records the first receipt per (path, webhook-id). */
function startReceiver() {
  const state = {
    receipts: 0, // every request seen
    okReceipts: 0, // 2xx answers given (all of them here)
    first: new Map(), // `${path}|${webhookId}` -> performance.now() of the first receipt
    inFlight: new Map(),
    maxConcurrentPerId: 0,
    lastNewAt: 0,
  };
  const server = createServer((request, response) => {
    const key = `${request.url}|${request.headers['webhook-id'] ?? ''}`;
    const concurrent = (state.inFlight.get(key) ?? 0) + 1;
    state.inFlight.set(key, concurrent);
    if (concurrent > state.maxConcurrentPerId) state.maxConcurrentPerId = concurrent;
    const done = () => {
      const now = performance.now();
      state.receipts++;
      state.okReceipts++;
      if (!state.first.has(key)) {
        state.first.set(key, now);
        state.lastNewAt = now;
      }
      const left = (state.inFlight.get(key) ?? 1) - 1;
      if (left <= 0) state.inFlight.delete(key);
      else state.inFlight.set(key, left);
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    };
    request.resume(); // drain the body; we do not need it
    request.once('end', done);
    request.once('error', () => response.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        state,
        url: (path) => `http://127.0.0.1:${port}${path}`,
        stop: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

async function request(baseUrl, method, path, key, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

async function main() {
  const cleanups = []; // run in reverse order
  const cleanup = async () => {
    while (cleanups.length > 0) {
      const [name, step] = cleanups.pop();
      try {
        await step();
      } catch (error) {
        log(`cleanup (${name}) failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  // Last-resort bound on the whole run; cleans up what it can and exits 1.
  const watchdog = setTimeout(
    () => {
      log('watchdog: the run exceeded its time bound; cleaning up');
      void Promise.race([cleanup(), sleep(15_000)]).finally(() => process.exit(1));
    },
    TIMEOUT_MS + 5 * 60_000,
  );
  watchdog.unref();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void Promise.race([cleanup(), sleep(15_000)]).finally(() => process.exit(1));
    });
  }

  try {
    return await run(cleanups);
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }
}

async function run(cleanups) {
  const { source, database } = await chooseDatabase();
  cleanups.push(['drop database', () => database.drop()]);
  const embedded = database.kind === 'embedded';
  log(`database: ${source}; fresh database ${redact(database.url)} (dropped at the end)`);
  const poolSize = POOL_SIZE_OVERRIDE || 10;
  const dataSource = await openDatabase({ url: database.url, poolSize });
  cleanups.push(['close pool', () => dataSource.destroy()]);

  const receiver = await startReceiver();
  cleanups.push(['stop receiver', () => receiver.stop()]);

  const key = randomBytes(32);
  const config = loadConfig({ HOOKYARD_ENCRYPTION_KEY: key.toString('base64'), ...WORKER_ENV });
  // Quiet logger that counts what the app and the worker report as warnings and errors (a few go to stderr).
  const serverLog = { warnings: 0, errors: 0, samples: [] };
  const keep = (level, message, context) => {
    if (serverLog.samples.length < 8)
      serverLog.samples.push(`${level} [${context ?? ''}] ${String(message).slice(0, 300)}`);
  };
  const logger = {
    log() {},
    debug() {},
    verbose() {},
    warn(message, ...rest) {
      serverLog.warnings++;
      keep('warn', message, rest[rest.length - 1]);
    },
    error(message, ...rest) {
      serverLog.errors++;
      keep('error', message instanceof Error ? message.message : message, rest[rest.length - 1]);
    },
  };
  const { app } = await createApp(
    config,
    { dataSource, cipher: SecretCipher.fromKey(key) },
    { logger },
  );
  await app.listen(0, '127.0.0.1');
  cleanups.push(['close app', () => app.close()]);
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  const delivery = createDeliveryWorker(config, { dataSource, cipher: SecretCipher.fromKey(key) });
  delivery.worker.start();
  cleanups.push([
    'stop worker',
    async () => {
      await delivery.worker.stop();
      delivery.client.close();
    },
  ]);

  const { apiKey } = await app
    .get(OrganizationsService)
    .create(`bench-${randomBytes(3).toString('hex')}`);
  const paths = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const path = `/ep/${i}`;
    const created = await request(baseUrl, 'POST', '/v1/endpoints', apiKey, {
      url: receiver.url(path),
      name: `bench ${i}`,
      topics: [TOPIC],
    });
    if (created.status !== 201) {
      throw new Error(
        `creating endpoint ${i} failed: ${created.status} ${created.text.slice(0, 300)}`,
      );
    }
    paths.push(path);
  }
  log(
    `app ${baseUrl}, receiver ${receiver.url('/')}, ${ENDPOINTS} endpoints; publishing ${N} events`,
  );

  // ---- ingest ----
  const postLatencies = [];
  const published = []; // { id, respondedAt }
  const failures = new Map(); // status or error name -> count
  const failureSamples = []; // a few bodies, printed to stderr
  const fail = (label, detail) => {
    failures.set(label, (failures.get(label) ?? 0) + 1);
    if (failureSamples.length < 6) failureSamples.push(`${label}: ${detail}`);
  };
  let wrongFanOut = 0;
  let next = 0;
  const publishStart = performance.now();
  const publisher = async () => {
    for (;;) {
      const n = next++;
      if (n >= N) return;
      const started = performance.now();
      let outcome;
      try {
        outcome = await request(baseUrl, 'POST', '/v1/events', apiKey, {
          topic: TOPIC,
          data: { n },
        });
      } catch (error) {
        fail(
          error instanceof Error ? error.name : 'error',
          error instanceof Error ? error.message : String(error),
        );
        continue;
      }
      const respondedAt = performance.now();
      if (outcome.status >= 200 && outcome.status < 300 && outcome.json && outcome.json.id) {
        postLatencies.push(respondedAt - started);
        published.push({ id: outcome.json.id, respondedAt });
        if (outcome.json.deliveries !== ENDPOINTS) wrongFanOut++;
      } else {
        fail(String(outcome.status), outcome.text.slice(0, 300));
      }
    }
  };
  await Promise.all(Array.from({ length: PUBLISHERS }, publisher));
  const publishEnd = performance.now();
  const sent = published.length;
  for (const sample of failureSamples) log(`publish failure sample — ${sample}`);
  const expected = sent * ENDPOINTS;
  log(
    `published ${sent}/${N} in ${((publishEnd - publishStart) / 1000).toFixed(2)} s; waiting for ${expected} deliveries`,
  );

  // ---- delivery ----
  const expectedKeys = [];
  for (const { id } of published) for (const path of paths) expectedKeys.push(`${path}|${id}`);
  const countDelivered = () =>
    expectedKeys.reduce((sum, k) => sum + (receiver.state.first.has(k) ? 1 : 0), 0);
  const deadline = performance.now() + TIMEOUT_MS;
  let delivered = countDelivered();
  let lastReport = performance.now();
  let timedOut = false;
  while (delivered < expected) {
    if (performance.now() > deadline) {
      timedOut = true;
      break;
    }
    await sleep(25);
    delivered = countDelivered();
    if (performance.now() - lastReport > 5000) {
      log(`${delivered}/${expected} delivered`);
      lastReport = performance.now();
    }
  }

  // The worker records success after the receiver answers: give the queue a moment to settle.
  const drainedQuery =
    "SELECT count(*)::int AS n FROM deliveries WHERE status = 'pending' OR claim_id IS NOT NULL";
  let notDrained = null;
  const drainDeadline = performance.now() + 10_000;
  for (;;) {
    notDrained = (await dataSource.query(drainedQuery))[0].n;
    if (notDrained === 0 || performance.now() > drainDeadline) break;
    await sleep(50);
  }
  if (notDrained !== 0) {
    const stuck = await dataSource.query(
      "SELECT id, status, claim_id, next_attempt_at FROM deliveries WHERE status = 'pending' OR claim_id IS NOT NULL LIMIT 5",
    );
    for (const row of stuck) log(`not drained: ${JSON.stringify(row)}`);
  }
  for (const sample of serverLog.samples) log(`server log sample — ${sample}`);
  const deliveryRows = (await dataSource.query('SELECT count(*)::int AS n FROM deliveries'))[0].n;

  // Figures.
  const e2e = [];
  let lastReceipt = publishStart;
  for (const { id, respondedAt } of published) {
    for (const path of paths) {
      const at = receiver.state.first.get(`${path}|${id}`);
      if (at === undefined) continue;
      e2e.push(at - respondedAt);
      if (at > lastReceipt) lastReceipt = at;
    }
  }
  const deliveredUnique = e2e.length;
  const lost = expected - deliveredUnique;
  const duplicates = receiver.state.okReceipts - receiver.state.first.size;
  // Pairs received for events whose POST never returned a 2xx (e.g. the client timed out after the commit).
  const publishedIds = new Set(published.map((p) => p.id));
  let unacknowledgedPairs = 0;
  for (const k of receiver.state.first.keys())
    if (!publishedIds.has(k.split('|')[1])) unacknowledgedPairs++;
  const ingestSeconds = (publishEnd - publishStart) / 1000;
  const deliverySeconds = (lastReceipt - publishStart) / 1000;

  const figures = {
    benchmark: 'delivery-throughput',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    database: embedded ? 'embedded' : 'postgres',
    database_source: source,
    pool_size: poolSize,
    worker_concurrency: config.worker.concurrency,
    endpoint_concurrency: config.worker.endpointConcurrency,
    poll_interval_ms: config.worker.pollIntervalMs,
    endpoints: ENDPOINTS,
    publishers: PUBLISHERS,
    events_requested: N,
    ingest_seconds: round(ingestSeconds, 3),
    ingest_events_per_s: round(sent / ingestSeconds),
    post_latency_p50_ms: round(percentile(postLatencies, 50)),
    post_latency_p95_ms: round(percentile(postLatencies, 95)),
    post_latency_p99_ms: round(percentile(postLatencies, 99)),
    publish_failures: Object.fromEntries(failures),
    wrong_fan_out: wrongFanOut,
    delivery_seconds: round(deliverySeconds, 3),
    deliveries_per_s: deliverySeconds > 0 ? round(deliveredUnique / deliverySeconds) : null,
    e2e_latency_p50_ms: round(percentile(e2e, 50)),
    e2e_latency_p95_ms: round(percentile(e2e, 95)),
    e2e_latency_max_ms: round(e2e.length ? Math.max(...e2e) : null),
    sent,
    publish_failed: N - sent,
    expected,
    expected_if_all_sent: N * ENDPOINTS,
    received_pairs_for_unacknowledged_events: unacknowledgedPairs,
    delivered_unique: deliveredUnique,
    lost,
    duplicates,
    receipts_total: receiver.state.receipts,
    max_concurrent_attempts_per_id: receiver.state.maxConcurrentPerId,
    delivery_rows: deliveryRows,
    queue_not_drained: notDrained,
    queue_drained: notDrained === 0,
    server_warnings_logged: serverLog.warnings,
    server_errors_logged: serverLog.errors,
    timed_out: timedOut,
    timeout_s: TIMEOUT_MS / 1000,
  };

  const rows = [
    ['database', `${figures.database} — ${source}`],
    ['events requested / sent (2xx)', `${N} / ${sent}`],
    ['publishers / endpoints', `${PUBLISHERS} / ${ENDPOINTS}`],
    [
      'worker concurrency / per endpoint / poll',
      `${figures.worker_concurrency} / ${figures.endpoint_concurrency} / ${figures.poll_interval_ms} ms`,
    ],
    ['— ingest —', ''],
    ['ingest time', `${figures.ingest_seconds} s`],
    ['ingest rate', `${figures.ingest_events_per_s} events/s`],
    [
      'POST latency p50 / p95 / p99',
      `${figures.post_latency_p50_ms} / ${figures.post_latency_p95_ms} / ${figures.post_latency_p99_ms} ms`,
    ],
    ['publish failures', failures.size ? JSON.stringify(figures.publish_failures) : 'none'],
    ['— delivery —', ''],
    ['first publish → last receipt', `${figures.delivery_seconds} s`],
    ['delivery rate', `${figures.deliveries_per_s} deliveries/s`],
    [
      'end-to-end p50 / p95 / max',
      `${figures.e2e_latency_p50_ms} / ${figures.e2e_latency_p95_ms} / ${figures.e2e_latency_max_ms} ms`,
    ],
    ['sent', `${sent}${sent === N ? '' : ` (FAIL: ${N - sent} publishes got no 2xx)`}`],
    ['expected (sent × endpoints)', String(expected)],
    ['delivered_unique', String(deliveredUnique)],
    ['lost', `${lost}${lost === 0 ? ' (ok)' : ' (FAIL)'}`],
    ['duplicates', String(duplicates)],
    ['pairs received for unacknowledged events', String(unacknowledgedPairs)],
    ['max_concurrent_attempts_per_id', String(figures.max_concurrent_attempts_per_id)],
    [
      'queue drained (pending or claimed rows)',
      `${notDrained}${notDrained === 0 ? ' (ok)' : ' (FAIL)'}`,
    ],
    ['server warnings / errors logged', `${serverLog.warnings} / ${serverLog.errors}`],
    ['timed out', timedOut ? `yes (after ${TIMEOUT_MS / 1000} s)` : 'no'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const out = [];
  out.push('');
  out.push('Hookyard delivery throughput');
  out.push('-'.repeat(width + 40));
  for (const [label, value] of rows) out.push(`${label.padEnd(width)}  ${value}`);
  out.push('-'.repeat(width + 40));
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  // Exit 1 on lost deliveries; also on failed publishes or an undrained queue, which RELIABILITY.md §3.4 counts as failures.
  return lost > 0 || sent < N || notDrained !== 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Nothing of ours should be left running; exit anyway so a stray handle cannot hold the process.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error) => {
    log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);

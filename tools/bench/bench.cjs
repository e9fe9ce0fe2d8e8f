#!/usr/bin/env node
// Hookyard's benchmark: prints figures, asserts nothing about speed (it is not part of `npm test`).
//
// Starts Hookyard as a user would, from the built apps (`npm run bench` builds them first): the API
// (`node apps/api/dist/main.js`, HOOKYARD_ROLE=api) and --workers worker processes
// (`node apps/worker/dist/main.js`) over a fresh database, a receiver process and a publishers' process,
// each its own process and event loop. Runs the scenarios, measures the raw ceiling (the same body
// POSTed to the same receiver at the same concurrency, no database) in the same run, and prints one
// table and one JSON line to stdout; progress goes to stderr. See tools/bench/README.md.
'use strict';

require('reflect-metadata');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } = require('node:fs');
const { Agent, request } = require('node:http');
const os = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { loadConfig } = require('@hookyard/config');
const { createDataSource } = require('@hookyard/data-access');
const { ApiKeyService, OrganizationsService } = require('@hookyard/api');
const { ObjectIdGenerator } = require('@hookyard/webhook-core');
const { chooseDatabase, openProbe, redact } = require('./lib/database.cjs');
const {
  API_MAIN,
  WORKER_MAIN,
  appEnv,
  forkChild,
  freePort,
  logCounts,
  procStats,
  startApp,
  stopProcess,
} = require('./lib/processes.cjs');
const { SCENARIOS } = require('./lib/scenarios.cjs');
const { printReport } = require('./lib/report.cjs');
const { errorText, sleep } = require('./lib/util.cjs');

const USAGE = `usage: node tools/bench/bench.cjs [options]        (npm run bench -- [options])
  --quick                 small versions of the scenarios (the whole run stays under a minute)
  --scenarios a,b         run only these: ${Object.keys(SCENARIOS).join(', ')}
  --workers N             worker processes (default 1)
  --events N              events of the throughput scenario (default 2000, quick 300)
  --cpu-prof              pass --cpu-prof to the API and the workers; the profiles' folder is printed
  --cpu-prof-dir DIR      where the profiles go (implies --cpu-prof; default: the run's log folder)
  --keep-logs             keep the run's log folder even when the run passes
  --help
Database: BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL (a server; the run makes a fresh
database on it and drops it), else postgres://postgres@127.0.0.1:5432/test when it answers, else an
embedded PostgreSQL server (BENCH_EMBEDDED=1 forces it).`;

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      workers: { type: 'string', default: '1' },
      events: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'cpu-prof-dir': { type: 'string' },
      'keep-logs': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const int = (name, raw, min, max) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`--${name} must be an integer from ${min} to ${max}`);
    return value;
  };
  const names = values.scenarios
    ? values.scenarios
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : Object.keys(SCENARIOS);
  for (const name of names)
    if (!SCENARIOS[name])
      throw new Error(`unknown scenario ${name} (one of ${Object.keys(SCENARIOS).join(', ')})`);
  return {
    help: values.help,
    quick: values.quick,
    scenarios: names,
    workers: int('workers', values.workers, 1, 8),
    events: values.events === undefined ? null : int('events', values.events, 1, 100_000),
    cpuProf: values['cpu-prof'] || values['cpu-prof-dir'] !== undefined,
    cpuProfDir: values['cpu-prof-dir'] ?? null,
    keepLogs: values['keep-logs'],
  };
}

/** Time bounds: the whole run (the watchdog), one scenario's wait, and a wait without progress. */
const limitsFor = (quick) =>
  quick
    ? { runMs: 150_000, scenarioMs: 30_000, stallMs: 10_000, ceilingMs: 1500, ceilingWarmupMs: 700 }
    : {
        runMs: 15 * 60_000,
        scenarioMs: 180_000,
        stallMs: 30_000,
        ceilingMs: 5000,
        ceilingWarmupMs: 1500,
      };

/** Runs `work` over `items` with at most `limit` at once; resolves with the results in order. */
async function mapLimit(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** A JSON request to the API from this process (set-up only, never measured). */
function apiClient(baseUrl) {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const call = (method, path, key, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
      const req = request(
        `${baseUrl}${path}`,
        {
          method,
          agent,
          headers: {
            authorization: `Bearer ${key}`,
            ...(payload
              ? { 'content-type': 'application/json', 'content-length': payload.length }
              : {}),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.once('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json = null;
            try {
              json = JSON.parse(text);
            } catch {
              json = null;
            }
            resolve({ status: res.statusCode, json, text });
          });
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.once('error', reject);
      req.end(payload ?? undefined);
    });
  return { call, close: () => agent.destroy() };
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${errorText(error)}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  for (const main of [API_MAIN, WORKER_MAIN]) {
    if (!existsSync(main)) {
      log(`${main} is missing: build first (npx nx run-many -t build, or npm run bench)`);
      return 1;
    }
  }
  const limits = limitsFor(options.quick);
  const runDir = mkdtempSync(join(os.tmpdir(), 'hookyard-bench-'));
  const cleanups = []; // [name, step], run in reverse order
  let cleaning = null; // one clean-up, whether the run ends, fails, is interrupted or times out
  const cleanup = () =>
    (cleaning ??= (async () => {
      while (cleanups.length > 0) {
        const [name, step] = cleanups.pop();
        try {
          await step();
        } catch (error) {
          log(`cleanup (${name}) failed: ${errorText(error)}`);
        }
      }
    })());
  const abort = (why) => {
    log(`${why}: stopping everything`);
    void Promise.race([cleanup(), sleep(30_000)]).finally(() => process.exit(1));
  };
  const watchdog = setTimeout(
    () => abort(`watchdog: the run passed ${limits.runMs / 1000} s`),
    limits.runMs,
  );
  watchdog.unref();
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => abort(signal));
  process.on('uncaughtException', (error) => abort(`unexpected error: ${errorText(error)}`));
  process.on('unhandledRejection', (error) => abort(`unexpected error: ${errorText(error)}`));

  let code = 1;
  try {
    code = await run(options, limits, runDir, cleanups);
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }
  const keep = options.keepLogs || code !== 0 || (options.cpuProf && !options.cpuProfDir);
  if (keep) log(`logs kept in ${runDir}`);
  else rmSync(runDir, { recursive: true, force: true });
  return code;
}

async function run(options, limits, runDir, cleanups) {
  const startedAt = Date.now();
  const defaults = loadConfig({}).worker; // the shipped defaults the apps run with
  const childLifetimeMs = limits.runMs + 60_000;

  // Processes that must not outlive this one: the guard stops them if this process dies first.
  const guard = await forkChild('guard', 'guard.cjs', childLifetimeMs, join(runDir, 'guard.log'));
  cleanups.push(['stop guard', () => guard.child.send({ type: 'exit' })]);
  const watch = (pid) => guard.child.send({ type: 'watch', pid });

  const { source, database } = await chooseDatabase(process.env);
  cleanups.push(['drop database', () => database.drop()]);
  log(`database: ${source}; fresh database ${redact(database.url)} (dropped at the end)`);

  const receiver = await forkChild(
    'receiver',
    'receiver.cjs',
    childLifetimeMs,
    join(runDir, 'receiver.log'),
  );
  cleanups.push(['stop receiver', () => stopProcess(receiver.child, 5000)]);
  const load = await forkChild(
    'publishers',
    'load.cjs',
    childLifetimeMs,
    join(runDir, 'publishers.log'),
  );
  cleanups.push(['stop publishers', () => stopProcess(load.child, 5000)]);
  const receiverUrl = `http://127.0.0.1:${receiver.ready.port}`;

  // Hookyard, with the shipped defaults for everything but what loopback needs.
  const bootstrapKey = `hy_bench_${randomBytes(16).toString('hex')}`;
  const apiPort = await freePort();
  const shared = {
    DATABASE_URL: database.url,
    HOOKYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    HOST: '127.0.0.1',
    HOOKYARD_REQUIRE_HTTPS: 'false',
    HOOKYARD_OUTBOUND_ALLOW: '127.0.0.1/32',
    HOOKYARD_ENDPOINT_LIMIT: '50',
    HOOKYARD_DATA_DIR: join(runDir, 'data'),
    // The publishers share one key and measure the ceiling: the per-key rate limits would be it.
    HOOKYARD_RATE_LIMIT_PER_SECOND: '0',
    HOOKYARD_PUBLISH_RATE_LIMIT_PER_SECOND: '0',
  };
  let profileDir = null;
  if (options.cpuProf) {
    profileDir = options.cpuProfDir ?? join(runDir, 'cpu-profiles');
    mkdirSync(profileDir, { recursive: true });
  }
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const apps = [];
  const stopApps = async () => {
    // Workers first (they drain their in-flight tries within the shutdown grace), then the API.
    const workers = apps.filter((a) => a.label !== 'api');
    await Promise.all(workers.map((a) => stopProcess(a.child, defaults.shutdownGraceMs + 5000)));
    await Promise.all(
      apps.filter((a) => a.label === 'api').map((a) => stopProcess(a.child, 15_000)),
    );
  };
  cleanups.push(['stop Hookyard', stopApps]);

  // The API runs the migrations at start; the workers join once it is up.
  const apiStart = Date.now();
  const api = await startApp({
    label: 'api',
    main: API_MAIN,
    env: appEnv({
      ...shared,
      HOOKYARD_ROLE: 'api',
      PORT: String(apiPort),
      HOOKYARD_BOOTSTRAP_API_KEY: bootstrapKey,
    }),
    nodeArgs,
    logFile: join(runDir, 'api.log'),
    readyUrl: `http://127.0.0.1:${apiPort}/readyz`,
  });
  apps.push(api);
  watch(api.pid);
  log(`API ready in ${Date.now() - apiStart} ms (pid ${api.pid}, port ${apiPort})`);
  for (let i = 1; i <= options.workers; i++) {
    const port = await freePort();
    const worker = await startApp({
      label: `worker-${i}`,
      main: WORKER_MAIN,
      env: appEnv({ ...shared, HOOKYARD_ROLE: 'worker', HOOKYARD_WORKER_PORT: String(port) }),
      nodeArgs,
      logFile: join(runDir, `worker-${i}.log`),
      readyUrl: `http://127.0.0.1:${port}/readyz`,
    });
    apps.push(worker);
    watch(worker.pid);
  }
  log(`${options.workers} worker process(es) ready; logs in ${runDir}`);

  // Set-up helpers: organizations through the API's own service (there is no HTTP route for them),
  // endpoints through the API.
  const setupSource = createDataSource({ url: database.url, poolSize: 4 });
  await setupSource.initialize();
  cleanups.push(['close set-up pool', () => setupSource.destroy()]);
  const ids = new ObjectIdGenerator(randomBytes);
  const organizations = new OrganizationsService(
    setupSource,
    new ApiKeyService(setupSource, ids),
    ids,
  );
  const probe = await openProbe(database.url, (message) => log(`figure unavailable — ${message}`));
  cleanups.push(['close probe', () => probe.close()]);
  const http = apiClient(`http://127.0.0.1:${apiPort}`);
  cleanups.push(['close API client', () => http.close()]);

  const secrets = new Map(); // receiver path -> secret
  const ceilings = new Map();
  const ctx = {
    runId: randomBytes(4).toString('hex'),
    apiUrl: `http://127.0.0.1:${apiPort}`,
    databaseUrl: database.url,
    bootstrapKey,
    receiver,
    load,
    probe,
    log,
    limits,
    workers: options.workers,
    eventsOverride: options.events,
    defaults: {
      workerConcurrency: defaults.concurrency,
      endpointConcurrency: defaults.endpointConcurrency,
    },
    mapLimit,
    api: http.call,
    processes: () => [
      ...apps,
      { label: 'receiver', pid: receiver.pid },
      { label: 'publishers', pid: load.pid },
    ],
    logCounts() {
      const total = { warnings: 0, errors: 0 };
      for (const app of apps) {
        const counts = logCounts(app.logFile);
        total.warnings += counts.warnings;
        total.errors += counts.errors;
      }
      return total;
    },
    assertAlive() {
      for (const app of apps) {
        if (app.exited() !== null)
          throw new Error(`${app.label} exited (${app.exited()}); log ${app.logFile}`);
      }
    },
    createOrganization: (name) => organizations.create(name),
    async createEndpoints(key, paths) {
      const created = await mapLimit(paths, 8, async (path) => {
        const answer = await http.call('POST', '/v1/endpoints', key, {
          url: `${receiverUrl}${path}`,
          name: path.slice(1).replaceAll('/', ' '),
          topics: ['post.created'],
        });
        if (answer.status !== 201 || !answer.json?.secret)
          throw new Error(
            `creating endpoint ${path}: ${answer.status} ${answer.text.slice(0, 300)}`,
          );
        secrets.set(path, answer.json.secret);
        return { id: answer.json.id, path, secret: answer.json.secret };
      });
      await receiver.call('secrets', { entries: created.map((e) => [e.path, e.secret]) });
      return created;
    },
    async deleteEndpoint(key, id) {
      const answer = await http.call('DELETE', `/v1/endpoints/${id}`, key);
      if (answer.status >= 300)
        log(`deleting endpoint ${id}: ${answer.status} ${answer.text.slice(0, 200)}`);
    },
    /** The raw ceiling for a receiver mode and concurrency, measured once per run with a real delivery's body. */
    async ceiling({ mode, concurrency }, sample) {
      const cacheKey = `${mode}@${concurrency}`;
      if (!ceilings.has(cacheKey)) {
        const path = `/ceiling/${mode}/c${concurrency}`;
        await receiver.call('secrets', { entries: [[path, secrets.get(sample.path)]] });
        const result = await load.call('ceiling', {
          url: `${receiverUrl}${path}`,
          headers: sample.headers,
          body: sample.body,
          concurrency,
          durationMs: limits.ceilingMs,
          warmupMs: limits.ceilingWarmupMs,
        });
        const check = await receiver.call('collect', { scenario: 'ceiling' });
        if (check.sigInvalid > 0)
          log(`ceiling: ${check.sigInvalid} signatures did not verify: ${check.invalidSamples[0]}`);
        await receiver.call('forget', { scenario: 'ceiling' });
        log(
          `ceiling ${cacheKey}: ${result.requests_per_s} requests/s (body ${Buffer.byteLength(sample.body)} bytes)`,
        );
        ceilings.set(cacheKey, {
          ...result,
          mode,
          concurrency,
          body_bytes: Buffer.byteLength(sample.body),
        });
      }
      return ceilings.get(cacheKey);
    },
  };

  const results = {};
  for (const name of options.scenarios) {
    const scenario = SCENARIOS[name];
    const size = scenario.sizes[options.quick ? 'quick' : 'full'];
    log(`scenario ${name}: ${scenario.title}`);
    const began = Date.now();
    try {
      Object.assign(results, await scenario.run(ctx, size));
    } catch (error) {
      log(`scenario ${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
      results[name] = { failed: errorText(error) };
      ctx.assertAlive(); // a dead app ends the run; anything else only this scenario
    }
    log(`scenario ${name} took ${((Date.now() - began) / 1000).toFixed(1)} s`);
  }

  // Peak RSS over the whole run (VmHWM), read before the processes stop.
  const peakRss = {};
  for (const { label, pid } of ctx.processes()) {
    const hwm = procStats(pid)?.hwmMb;
    peakRss[label] = hwm === undefined || hwm === null ? null : Number(hwm.toFixed(1));
  }
  const logs = {};
  for (const app of apps) {
    const counts = logCounts(app.logFile);
    logs[app.label] = { warnings: counts.warnings, errors: counts.errors };
    for (const sample of counts.samples) log(`${app.label} logged: ${sample.slice(0, 300)}`);
  }

  await stopApps();
  let profiles = null;
  if (profileDir) {
    const byPid = new Map(apps.map((a) => [String(a.pid), a.label]));
    profiles = readdirSync(profileDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((file) => ({
        process: byPid.get(/^CPU\.\d+\.\d+\.(\d+)\./.exec(file)?.[1]) ?? '?',
        file: join(profileDir, file),
      }));
    log(`CPU profiles in ${profileDir}:`);
    for (const p of profiles) log(`  ${p.process}: ${p.file}`);
  }

  const measured = Object.values(results).filter((r) => r && r.expected !== undefined);
  const sum = (field) => measured.reduce((total, r) => total + (r[field] ?? 0), 0);
  const failedScenarios = Object.entries(results)
    .filter(([, r]) => r.failed || r.timed_out)
    .map(([name]) => name);
  const publishFailures = measured.reduce(
    (total, r) => total + Object.values(r.publish_failures).reduce((a, b) => a + b, 0),
    0,
  );
  const summary = {
    lost: sum('lost'),
    duplicates: sum('duplicates'),
    signatures_invalid: sum('signatures_invalid'),
    publish_failures: publishFailures,
    failed_scenarios: failedScenarios,
  };
  const exitCode =
    summary.lost > 0 ||
    summary.signatures_invalid > 0 ||
    publishFailures > 0 ||
    failedScenarios.length > 0
      ? 1
      : 0;
  printReport({
    benchmark: 'hookyard-bench',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    quick: options.quick,
    database: database.kind,
    database_source: source,
    workers: options.workers,
    settings: {
      worker_concurrency: defaults.concurrency,
      endpoint_concurrency: defaults.endpointConcurrency,
      poll_interval_ms: defaults.pollIntervalMs,
      endpoint_limit: Number(shared.HOOKYARD_ENDPOINT_LIMIT),
      wal_of_database: probe.walInspect ? 'pg_walinspect' : 'unavailable',
    },
    ceilings: [...ceilings.values()],
    scenarios: results,
    peak_rss_mb: peakRss,
    app_log_lines: logs,
    cpu_profiles: profiles,
    run_seconds: Number(((Date.now() - startedAt) / 1000).toFixed(1)),
    ...summary,
    exit_code: exitCode,
  });
  return exitCode;
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

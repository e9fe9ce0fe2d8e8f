import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { freePort } from '@hookyard/data-access';
import { DELIVERY_ENV, endpointBody, eventually, startTestApp, type TestApp } from './harness';
import { Receiver } from './receiver';
import { collect } from './server-process';
import { exited, MAIN, spawnWorker, WORKER_MAIN } from './worker-process';

/**
 * The two apps of the design card on one PostgreSQL: the API app with `HOOKYARD_ROLE=api` (no worker)
 * and the worker app with `HOOKYARD_ROLE=worker`, which delivers and answers its own health port.
 */
describe('the API app and the worker app on one PostgreSQL', () => {
  let t: TestApp;
  let receiver: Receiver;
  let api: ChildProcess;
  let worker: ChildProcess;
  let apiPort: number;
  let workerPort: number;
  let workerOutput: () => string;
  let apiOutput: () => string;
  const key = 'hk_worker_app_key_0123456789abcdef';

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(DELIVERY_ENV); // makes the database and migrates it; its own HTTP stays unused
    apiPort = await freePort();
    workerPort = await freePort();
    api = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '',
        ...DELIVERY_ENV,
        HOOKYARD_ROLE: 'api',
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        DATABASE_URL: t.database.url,
        HOOKYARD_ENCRYPTION_KEY: t.encryptionKey,
        HOOKYARD_BOOTSTRAP_API_KEY: key,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    apiOutput = collect(api);
    await eventually(() => expect(apiOutput()).toContain('API docs:'), 20_000);
    worker = spawnWorker(
      t,
      {
        HOOKYARD_ROLE: 'worker',
        HOOKYARD_WORKER_PORT: String(workerPort),
        HOOKYARD_LOG_LEVEL: 'info',
      },
      'pipe',
    );
    workerOutput = collect(worker);
    await eventually(() => expect(workerOutput()).toContain('delivery worker started'), 20_000);
  }, 60_000);

  afterAll(async () => {
    for (const child of [worker, api]) {
      child?.kill('SIGTERM');
      if (child) await exited(child);
    }
    await t?.close();
    await receiver?.stop();
  });

  const call = (path: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${apiPort}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('delivers what the API app accepted, from the worker app', async () => {
    const created = await call('/v1/endpoints', endpointBody({ url: receiver.url('/ok?apps') }));
    expect(created.status).toBe(201);
    const published = await call('/v1/events', { topic: 'post.created', data: { n: 1 } });
    expect(published.status).toBe(202);
    const { id } = (await published.json()) as { id: string };
    await receiver.waitFor((ledger) => ledger.some((r) => r.webhookId === id), 20_000);
    expect(receiver.receipts('/ok?apps')).toHaveLength(1);
  });

  it('answers /healthz, /readyz and /metrics on the worker port', async () => {
    const base = `http://127.0.0.1:${workerPort}`;
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([
      200,
      { status: 'ready', checks: { database: 'up', migrations: 'applied', worker: 'running' } },
    ]);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toMatch(/^hookyard_deliveries_pending \d+$/m);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect(workerOutput()).toContain(`worker health on http://localhost:${workerPort}`);
  });

  it('loads nothing of the HTTP stack: the libs the worker app imports pull in no express or NestJS core', () => {
    const probe = [
      "require('reflect-metadata')",
      ...['@hookyard/config', '@hookyard/data-access', '@hookyard/delivery'].map(
        (lib) => `require('${lib}')`,
      ),
      'const loaded = Object.keys(require.cache)',
      "const stack = ['/express/', '@nestjs/platform-express', '@nestjs/swagger', '@nestjs/core', 'class-validator']",
      'process.stdout.write(JSON.stringify(stack.filter((s) => loaded.some((m) => m.includes(s)))))',
    ].join(';');
    const run = spawnSync(process.execPath, ['-e', probe], {
      cwd: dirname(WORKER_MAIN),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([]);
  });

  it('keeps the roles apart: no API in the worker app, no worker in the API app', async () => {
    expect((await fetch(`http://127.0.0.1:${workerPort}/v1/endpoints`)).status).toBe(404);
    expect(apiOutput()).toContain('(role: api)');
    expect(apiOutput()).not.toContain('delivery worker started');
  });
});

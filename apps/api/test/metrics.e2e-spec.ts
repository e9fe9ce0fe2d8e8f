import { type ChildProcess } from 'node:child_process';
import { freePort } from '@hookyard/data-access';
import { DELIVERY_ENV, endpointBody, eventually, startTestApp, type TestApp } from './harness';
import { parsePrometheusText } from './prometheus-text';
import { Receiver } from './receiver';
import { collect } from './server-process';
import { spawnApi, spawnWorker, stopChild } from './worker-process';

const KEY = 'hk_metrics_e2e_key_0123456789abcdef';

/** Publishes `singles` events one by one and a batch of `batched` plus one unknown topic. */
async function publishEvents(base: string, singles: number, batched: number): Promise<number> {
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  for (let n = 0; n < singles; n++)
    expect((await post('/v1/events', { topic: 'post.created', data: { n } })).status).toBe(202);
  const batch = await post('/v1/events/batch', {
    events: [
      ...Array.from({ length: batched }, (_, n) => ({ topic: 'post.created', data: { n } })),
      { topic: 'no.such.topic', data: {} }, // answered with an error: not accepted, not counted
    ],
  });
  expect(batch.status).toBe(200);
  return singles + batched;
}

async function scrape(base: string): Promise<Map<string, number>> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  return parsePrometheusText(await response.text());
}

/** The `_count` of every series of histogram `name`, summed over its labels. */
function observations(samples: Map<string, number>, name: string): number {
  let sum = 0;
  for (const [key, value] of samples)
    if (key === `${name}_count` || key.startsWith(`${name}_count{`)) sum += value;
  return sum;
}

describe('Prometheus metrics of the API app and the worker app', () => {
  let t: TestApp;
  let receiver: Receiver;
  let api: ChildProcess;
  let worker: ChildProcess;
  let apiBase: string;
  let workerBase: string;
  let apiOutput: () => string;
  let workerOutput: () => string;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(DELIVERY_ENV); // makes the database and migrates it
    const apiPort = await freePort();
    const workerPort = await freePort();
    apiBase = `http://127.0.0.1:${apiPort}`;
    workerBase = `http://127.0.0.1:${workerPort}`;
    api = spawnApi(t, { PORT: String(apiPort), HOOKYARD_BOOTSTRAP_API_KEY: KEY });
    apiOutput = collect(api);
    worker = spawnWorker(t, { HOOKYARD_WORKER_PORT: String(workerPort) }, 'pipe');
    workerOutput = collect(worker);
    await eventually(async () => {
      expect((await fetch(`${apiBase}/readyz`).catch(() => null))?.status).toBe(200);
      expect((await fetch(`${workerBase}/readyz`).catch(() => null))?.status).toBe(200);
    }, 20_000).catch((error: unknown) => {
      throw new Error(`apps not ready: ${String(error)}\n${apiOutput()}\n${workerOutput()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([worker, api].map((child) => child && stopChild(child)));
    await t?.close();
    await receiver?.stop();
  });

  it('counts the events the API accepted and the deliveries the worker recorded', async () => {
    const created = await fetch(`${apiBase}/v1/endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(endpointBody({ url: receiver.url('/ok?metrics') })),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(
      (
        await fetch(`${apiBase}/v1/endpoints/${id}`, {
          headers: { authorization: `Bearer ${KEY}` },
        })
      ).status,
    ).toBe(200);

    const accepted = await publishEvents(apiBase, 7, 5);
    await receiver.waitFor((ledger) => ledger.length >= accepted, 20_000);

    const fromApi = await scrape(apiBase);
    expect(fromApi.get('hookyard_events_accepted_total{dialect="native"}')).toBe(accepted);
    expect(
      fromApi.get(
        'hookyard_http_request_duration_seconds_count{method="POST",route="/v1/events",status="202"}',
      ),
    ).toBe(7);
    expect(
      fromApi.get(
        'hookyard_http_request_duration_seconds_count{method="GET",route="/v1/endpoints/:id",status="200"}',
      ),
    ).toBe(1);
    expect([...fromApi.keys()].filter((key) => key.includes(id))).toEqual([]);
    expect(fromApi.get('hookyard_endpoints{status="active"}')).toBe(1);
    expect([...fromApi.keys()].some((key) => key.startsWith('hookyard_deliveries_total'))).toBe(
      false,
    );

    await eventually(async () => {
      const fromWorker = await scrape(workerBase);
      expect(fromWorker.get('hookyard_deliveries_total{outcome="success"}')).toBe(
        receiver.receipts('/ok?metrics').length,
      );
      expect(fromWorker.get('hookyard_deliveries_pending')).toBe(0);
    }, 10_000);
    const fromWorker = await scrape(workerBase);
    expect(receiver.receipts('/ok?metrics').length).toBe(accepted);
    expect(observations(fromWorker, 'hookyard_attempt_duration_seconds')).toBe(accepted);
    expect(observations(fromWorker, 'hookyard_claim_batch_size')).toBeGreaterThan(0);
    // A row that slipped past an endpoint's limit is released and claimed again: at least, not exactly.
    expect(fromWorker.get('hookyard_claim_batch_size_sum')).toBeGreaterThanOrEqual(accepted);
    expect(observations(fromWorker, 'hookyard_flush_batch_size')).toBeGreaterThan(0);
    expect(fromWorker.get('hookyard_flush_batch_size_sum')).toBe(accepted);
    expect(fromWorker.get('hookyard_outbound_connections_in_use')).toBeGreaterThanOrEqual(0);
    expect(fromWorker.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(fromWorker.get('hookyard_events_accepted_total{dialect="native"}')).toBeUndefined();
  });

  it('reports the readiness checks of each app', async () => {
    const ready = async (base: string) => {
      const response = await fetch(`${base}/readyz`);
      return [response.status, await response.json()];
    };
    expect(await ready(apiBase)).toEqual([
      200,
      { status: 'ready', checks: { database: 'up', migrations: 'applied', worker: 'none' } },
    ]);
    expect(await ready(workerBase)).toEqual([
      200,
      { status: 'ready', checks: { database: 'up', migrations: 'applied', worker: 'running' } },
    ]);
  });
});

describe('Prometheus metrics of one process running both roles (npm start)', () => {
  let t: TestApp;
  let receiver: Receiver;
  let server: ChildProcess;
  let base: string;
  let output: () => string;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(DELIVERY_ENV);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawnApi(t, {
      PORT: String(port),
      HOOKYARD_BOOTSTRAP_API_KEY: KEY,
      HOOKYARD_ROLE: 'all',
    });
    output = collect(server);
    await eventually(async () => {
      expect((await fetch(`${base}/readyz`).catch(() => null))?.status).toBe(200);
    }, 20_000).catch((error: unknown) => {
      throw new Error(`server not ready: ${String(error)}\n${output()}`);
    });
  }, 60_000);

  afterAll(async () => {
    if (server) await stopChild(server);
    await t?.close();
    await receiver?.stop();
  });

  it("serves the API's and the worker's instruments from one registry, and checks the worker loop", async () => {
    const created = await fetch(`${base}/v1/endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(endpointBody({ url: receiver.url('/ok?single') })),
    });
    expect(created.status).toBe(201);
    const accepted = await publishEvents(base, 2, 3);
    await receiver.waitFor((ledger) => ledger.length >= accepted, 20_000);
    await eventually(async () => {
      const samples = await scrape(base);
      expect(samples.get('hookyard_events_accepted_total{dialect="native"}')).toBe(accepted);
      expect(samples.get('hookyard_deliveries_total{outcome="success"}')).toBe(accepted);
    }, 10_000);
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([
      200,
      { status: 'ready', checks: { database: 'up', migrations: 'applied', worker: 'running' } },
    ]);
  });

  it('answers /readyz 503 naming the worker while its loop is stuck, and 200 again once it goes round', async () => {
    const readiness = async () => {
      const response = await fetch(`${base}/readyz`);
      return [response.status, await response.json()];
    };
    // The loop's claim waits behind this lock; /readyz reads no deliveries, so it still answers.
    const holder = t.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query('LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE');
      await eventually(async () => {
        expect(await readiness()).toEqual([
          503,
          {
            status: 'not_ready',
            checks: { database: 'up', migrations: 'applied', worker: 'stalled' },
          },
        ]);
      }, 10_000);
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    await eventually(async () => {
      expect((await readiness())[0]).toBe(200);
    }, 10_000);
  });
});

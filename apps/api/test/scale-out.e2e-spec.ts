import { randomBytes } from 'node:crypto';
import { type ChildProcess } from 'node:child_process';
import { freePort } from '@hookyard/data-access';
import { verifyPayload } from '@hookyard/webhook-core';
import { DELIVERY_ENV, endpointBody, eventually, startTestApp, type TestApp } from './harness';
import { type ChildOutput, collectApart, jsonLines, type LogLine } from './json-logs';
import { parsePrometheusText } from './prometheus-text';
import { Receiver } from './receiver';
import {
  chunks,
  drained,
  ledgerFigures,
  pool,
  printFigures,
  spawnApi,
  spawnWorker,
  stopChild,
} from './worker-process';

const EVENTS = 5_000;
/** Each API takes half the events: this many as single `POST /v1/events`, the rest in batches. */
const SINGLE_PER_API = 500;
const BATCH_SIZE = 100;
const TOPIC = 'post.created';
const PATHS = ['/ok?scale-a', '/ok?scale-b'] as const;
/**
 * From the first publish to an empty queue. The run takes 20-40 s on this 2-core machine (about 500
 * deliveries a second); the deadline leaves room for a machine shared with other work.
 */
const RUN_DEADLINE_MS = 150_000;

/** One of the four processes: its name, where it answers HTTP, and what it wrote. */
interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly base: string;
  readonly output: ChildOutput;
  /** Everything it wrote to stdout and stderr. */
  all(): string;
}

type Scrape = { readonly status: number; readonly text: string };

interface Reply<T> extends Scrape {
  readonly body: T;
}

type BatchReply = { data: { index: number; id?: string }[] };

/**
 * Issue 14's scale-out acceptance: two API processes and two worker processes on one PostgreSQL take
 * 5,000 events (single and batch publishes through both APIs) to two endpoints. Every delivery is
 * made exactly once, both workers share the work, nobody crashes, each process's `/metrics` counts
 * what the test sent and received, and the JSON logs carry delivery ids and no secret.
 */
describe('scale-out: two API processes and two worker processes on one PostgreSQL', () => {
  let t: TestApp;
  let receiver: Receiver;
  const apis: Proc[] = [];
  const workers: Proc[] = [];
  const keys: string[] = [];
  const endpoints: { id: string; secret: string; path: string }[] = [];
  let eventIds: string[] = [];
  let scrapes = new Map<string, Scrape>();
  const metricsToken = `metrics-${randomBytes(12).toString('hex')}`;
  const bearerSecret = randomBytes(16).toString('hex');
  const basicPassword = `pw${randomBytes(12).toString('hex')}`;
  const basicAuth = `Basic ${Buffer.from(`scale:${basicPassword}`).toString('base64')}`;
  const signingKeys = PATHS.map(() => randomBytes(32).toString('base64'));

  const ENV = {
    // The default lease, not DELIVERY_ENV's 6 s (for the kill tests): no worker stops here, so a
    // duplicate must be a second claim, not a take-over after a stall of this overloaded machine.
    HOOKYARD_LEASE_SECONDS: '60',
    HOOKYARD_LOG_LEVEL: 'debug',
    HOOKYARD_LOG_FORMAT: 'json',
    HOOKYARD_METRICS_TOKEN: metricsToken,
  };

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(DELIVERY_ENV); // makes and migrates the database; its own HTTP stays unused
    keys.push((await t.createOrganization()).apiKey);
    const ports = await Promise.all([0, 1, 2, 3].map(() => freePort()));
    for (const [i, port] of ports.slice(0, 2).entries())
      apis.push(track(`api-${i + 1}`, spawnApi(t, { ...ENV, PORT: String(port) }), port));
    for (const [i, port] of ports.slice(2).entries()) {
      const env = { ...ENV, HOST: '127.0.0.1', HOOKYARD_WORKER_PORT: String(port) };
      workers.push(track(`worker-${i + 1}`, spawnWorker(t, env, 'pipe'), port));
    }
    await Promise.all([...apis, ...workers].map(untilHealthy));
    const publisher = await call<{ key: string }>(apis[1], 'POST', '/v1/api-keys', keys[0], {
      name: 'scale-out publisher',
      permissions: ['EVENT.PUBLISH'],
    });
    keys.push(expectStatus(publisher, 201).body.key);
    const auth = [
      { type: 'api_key', headerName: 'Authorization', apiKey: bearerSecret },
      { type: 'basic', username: 'scale', password: basicPassword },
    ];
    for (const [i, path] of PATHS.entries()) {
      const secret = `whsec_${signingKeys[i]}`; // set, so the test knows what must not be logged
      const body = endpointBody({
        url: receiver.url(path),
        topics: [TOPIC],
        secret,
        authentication: auth[i],
        requestConfig: { timeoutMs: 30_000 }, // the receiver shares jest's busy process: no give-up
      });
      const created = await call<{ id: string }>(apis[0], 'POST', '/v1/endpoints', keys[0], body);
      endpoints.push({ id: expectStatus(created, 201).body.id, secret, path });
    }
    for (const api of apis)
      // a route with a parameter, for the route label of the HTTP histogram
      expectStatus(await call(api, 'GET', `/v1/endpoints/${endpoints[0].id}`, keys[0]), 200);
  }, 60_000);

  beforeAll(async () => {
    const startedAt = Date.now();
    const ids = new Map<number, string>();
    await Promise.all(apis.map((api, i) => publishHalf(api, keys[i], i, ids)));
    const publishS = (Date.now() - startedAt) / 1000;
    eventIds = Array.from({ length: EVENTS }, (_, n) => ids.get(n) ?? '');
    await drained(t, RUN_DEADLINE_MS - (Date.now() - startedAt));
    await receiver.waitFor(() => pairsReceived() === EVENTS * PATHS.length, 5_000);
    const seconds = (Date.now() - startedAt) / 1000;
    scrapes = new Map(await Promise.all([...apis, ...workers].map(scrape)));
    const ledgers = PATHS.map((path) => ledgerFigures(receiver, path, eventIds));
    const sum = (figure: 'duplicates' | 'lost') => ledgers.reduce((n, l) => n + l[figure], 0);
    const made = workers.map((w) => successesOf(w));
    const total = made.reduce<number>((all, n) => all + (n ?? 0), 0);
    printFigures('scale-out 2 APIs x 2 workers', {
      events: EVENTS,
      deliveries: pairsReceived(),
      per_worker_share: made.map((n) => (n === null || total === 0 ? null : n / total)),
      seconds,
      publish_s: publishS,
      duplicates: sum('duplicates'),
      lost: sum('lost'),
    });
  }, RUN_DEADLINE_MS + 30_000);

  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((p) => stopChild(p.child, 10_000)));
    await t?.close();
    await receiver?.stop();
  }, 30_000);

  it('D1 delivers each of the 5,000 events to each endpoint exactly once', async () => {
    expect(new Set(eventIds.filter((id) => id !== '')).size).toBe(EVENTS);
    const figures = PATHS.map((path) => ledgerFigures(receiver, path, eventIds));
    const whole = {
      sent: EVENTS,
      expected: EVENTS,
      delivered_unique: EVENTS,
      lost: 0,
      duplicates: 0,
    };
    expect(figures).toEqual(PATHS.map(() => whole));
    expect(receiver.ledger.length).toBe(EVENTS * PATHS.length);
    const [deliveries] = await t.dataSource.query<{ n: number; succeeded: number }[]>(
      `SELECT count(*)::int AS n, (count(*) FILTER (WHERE status = 'succeeded'))::int AS succeeded FROM deliveries`,
    );
    const [attempts] = await t.dataSource.query<{ n: number; deliveries: number }[]>(
      `SELECT count(*)::int AS n, count(DISTINCT delivery_id)::int AS deliveries FROM attempts`,
    );
    const pairs = EVENTS * PATHS.length;
    expect({ deliveries, attempts }).toEqual({
      deliveries: { n: pairs, succeeded: pairs },
      attempts: { n: pairs, deliveries: pairs },
    });
  });

  it("signs with each endpoint's own secret and sends its outbound authentication", () => {
    for (const [i, endpoint] of endpoints.entries()) {
      const [receipt] = receiver.receipts(endpoint.path);
      const verified = verifyPayload({
        body: receipt.body,
        headers: receipt.headers,
        secrets: [endpoint.secret],
        now: new Date(receipt.receivedAt),
      });
      expect(verified.id).toBe(receipt.webhookId);
      expect(receipt.headers['authorization']).toBe([bearerSecret, basicAuth][i]);
    }
  });

  it('keeps all four processes running until the test stops them', () => {
    const states = [...apis, ...workers].map((p) => [p.name, p.child.exitCode, p.child.signalCode]);
    expect(states).toEqual([...apis, ...workers].map((p) => [p.name, null, null]));
  });

  it('D8 spreads the deliveries over both workers, each making at least 25% of them', () => {
    const made = workers.map((w) => successesOf(w) ?? 0);
    const total = made.reduce((sum, n) => sum + n, 0);
    expect(total).toBe(EVENTS * PATHS.length);
    expect(Math.min(...made) / total).toBeGreaterThanOrEqual(0.25);
  });

  it('serves Prometheus text on /metrics of every process, counting what was sent and received', () => {
    const samplesOf = (p: Proc) => {
      const s = scrapes.get(p.name);
      expect({ process: p.name, status: s?.status }).toEqual({ process: p.name, status: 200 });
      return parsePrometheusText(s?.text ?? '');
    };
    const accepted = apis.map((api) => {
      const samples = samplesOf(api);
      const requests = 'hookyard_http_request_duration_seconds_count';
      expect(sumSeries(samples, requests)).toBeGreaterThan(0);
      expect(sumSeries(samples, requests, { method: 'POST', status: '202' })).toBe(SINGLE_PER_API);
      const routes = [...samples.keys()].filter((k) => k.startsWith(requests));
      expect(routes.filter((k) => endpoints.some((e) => k.includes(e.id)))).toEqual([]);
      return sumSeries(samples, 'hookyard_events_accepted_total', { dialect: 'native' });
    });
    expect(accepted).toEqual([EVENTS / 2, EVENTS / 2]);
    const delivered = workers.map((worker) => {
      const samples = samplesOf(worker);
      expect(sumSeries(samples, 'hookyard_attempt_duration_seconds_count')).toBeGreaterThan(0);
      return sumSeries(samples, 'hookyard_deliveries_total', { outcome: 'success' });
    });
    expect(delivered.reduce((sum, n) => sum + n, 0)).toBe(pairsReceived());
  });

  it('writes every stdout line of the four processes as one JSON object with a level label', () => {
    for (const p of [...apis, ...workers])
      expect([p.name, logLines(p).length > 0]).toEqual([p.name, true]);
  });

  it('logs each attempt with its delivery id, and puts the delivery id on every line about a delivery', async () => {
    const lines = workers.flatMap(logLines);
    const aboutDelivery = lines.filter(
      (l) => 'eventId' in l || 'endpointId' in l || l.msg === 'delivery attempt',
    );
    const withoutId = aboutDelivery.filter((l) => typeof l['deliveryId'] !== 'string');
    expect(withoutId.slice(0, 3)).toEqual([]);
    const logged = aboutDelivery.filter((l) => l['msg'] === 'delivery attempt');
    const rows = await t.dataSource.query<{ id: string }[]>(`SELECT id FROM deliveries`);
    const [attempts] = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM attempts`,
    );
    expect(logged.length).toBe(attempts.n); // one line per recorded attempt
    expect(new Set(logged.map((l) => l['deliveryId']))).toEqual(new Set(rows.map((r) => r.id)));
  });

  it('logs none of the secrets the run used', () => {
    const secrets: Record<string, string> = {
      'api key (all permissions)': keys[0],
      'api key (publish)': keys[1],
      HOOKYARD_ENCRYPTION_KEY: t.encryptionKey,
      HOOKYARD_METRICS_TOKEN: metricsToken,
      'outbound Authorization key': bearerSecret,
      'basic-auth password': basicPassword,
      'basic-auth header': basicAuth.slice('Basic '.length),
      ...Object.fromEntries(signingKeys.map((k, i) => [`signing secret of ${PATHS[i]}`, k])),
    };
    const leaks = [...apis, ...workers].flatMap((p) =>
      Object.entries(secrets)
        .filter(([, secret]) => p.all().includes(secret))
        .map(([name]) => `${p.name}: ${name}`),
    );
    expect(leaks).toEqual([]);
  });

  /** Keeps a spawned process and collects its output. */
  function track(name: string, child: ChildProcess, port: number): Proc {
    const output = collectApart(child);
    return {
      name,
      child,
      base: `http://127.0.0.1:${port}`,
      output,
      all: () => output.stdout() + output.stderr(),
    };
  }

  /** Publishes the events whose number is `half` modulo 2 through `api`: singles and batches at once. */
  async function publishHalf(api: Proc, key: string, half: number, ids: Map<number, string>) {
    const numbers = Array.from({ length: EVENTS / 2 }, (_, i) => 2 * i + half);
    const batches = chunks(numbers.slice(SINGLE_PER_API), BATCH_SIZE);
    await Promise.all([
      pool(numbers.slice(0, SINGLE_PER_API), 6, async (n) => {
        const body = { topic: TOPIC, data: { n } };
        const reply = await call<{ id: string }>(api, 'POST', '/v1/events', key, body);
        ids.set(n, expectStatus(reply, 202).body.id);
      }),
      pool(batches, 2, async (batch) => {
        const body = { events: batch.map((n) => ({ topic: TOPIC, data: { n } })) };
        const reply = await call<BatchReply>(api, 'POST', '/v1/events/batch', key, body);
        for (const item of expectStatus(reply, 200).body.data) {
          if (item.id === undefined) throw new Error(`batch item not accepted: ${reply.text}`);
          ids.set(batch[item.index], item.id);
        }
      }),
    ]);
  }

  async function scrape(p: Proc): Promise<[string, Scrape]> {
    const response = await fetch(`${p.base}/metrics`, {
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    return [p.name, { status: response.status, text: await response.text() }];
  }

  /** The (event, endpoint) pairs the receiver answered 2xx for, each counted once. */
  function pairsReceived(): number {
    return PATHS.reduce(
      (n, path) => n + ledgerFigures(receiver, path, eventIds).delivered_unique,
      0,
    );
  }

  /** What a worker's `/metrics` says it delivered, or null when it did not answer Prometheus text. */
  function successesOf(worker: Proc): number | null {
    const s = scrapes.get(worker.name);
    if (s?.status !== 200) return null;
    try {
      return sumSeries(parsePrometheusText(s.text), 'hookyard_deliveries_total', {
        outcome: 'success',
      });
    } catch {
      return null;
    }
  }
});

/** Polls `/healthz` until it answers 200; fails with the process's output if it never does. */
async function untilHealthy(p: Proc): Promise<void> {
  try {
    await eventually(
      async () => expect((await fetch(`${p.base}/healthz`)).status).toBe(200),
      30_000,
    );
  } catch (error) {
    throw new Error(`${p.name} did not come up (${String(error)}):\n${p.all()}`);
  }
}

async function call<T = unknown>(
  p: Proc,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<Reply<T>> {
  const response = await fetch(`${p.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The reply, when its status is `status`; else an error that shows the body. */
function expectStatus<T>(reply: Reply<T>, status: number): Reply<T> {
  if (reply.status !== status)
    throw new Error(`expected ${status}, got ${reply.status}: ${reply.text.slice(0, 500)}`);
  return reply;
}

/** The complete stdout lines of `p` as JSON log lines; throws naming `p` and the first that is not one. */
function logLines(p: Proc): LogLine[] {
  try {
    return jsonLines(p.output.stdout());
  } catch (error) {
    throw new Error(`${p.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The sum of the series of `name` whose labels include `labels` (keys as `parsePrometheusText` makes them). */
function sumSeries(
  samples: ReadonlyMap<string, number>,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const [key, value] of samples) {
    const brace = key.indexOf('{');
    if ((brace === -1 ? key : key.slice(0, brace)) !== name) continue;
    const labelText = brace === -1 ? '' : key.slice(brace + 1, -1);
    const have = new Map(
      [...labelText.matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map(
        (m) => [m[1], m[2]] as const,
      ),
    );
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += value;
  }
  return sum;
}

import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { DELIVERY_ENV, endpointBody, eventually, startTestApp, type TestApp } from './harness';
import { Receiver } from './receiver';
import { type BuiltApps, startBuiltApps, stopBuiltApps } from './worker-process';

/** An OTLP/JSON attribute value (only the kinds the spans below carry). */
interface AnyValue {
  stringValue?: string;
  intValue?: number | string;
  arrayValue?: { values?: AnyValue[] };
}
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { spans?: { name: string; traceId: string; attributes?: KeyValue[] }[] }[];
  }[];
}

/** A span as the collector received it: its service, name and attributes as plain values. */
interface ReceivedSpan {
  readonly service: string | undefined;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
}

function plain(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  return undefined;
}

const attributesOf = (list: KeyValue[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, plain(value)]));

/**
 * A local OTLP/HTTP collector on 127.0.0.1: takes `POST /v1/traces` in the JSON encoding (what
 * @opentelemetry/exporter-trace-otlp-http sends) and keeps every span it was sent.
 */
class Collector {
  readonly spans: ReceivedSpan[] = [];
  readonly contentTypes = new Set<string>();
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.method !== 'POST' || request.url !== '/v1/traces') {
          response.writeHead(404).end();
          return;
        }
        this.contentTypes.add(request.headers['content-type'] ?? '');
        this.take(JSON.parse(body) as ExportRequest);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private take(request: ExportRequest): void {
    for (const { resource, scopeSpans } of request.resourceSpans ?? []) {
      const service = attributesOf(resource?.attributes)['service.name'];
      for (const { spans } of scopeSpans ?? [])
        for (const span of spans ?? [])
          this.spans.push({
            service: typeof service === 'string' ? service : undefined,
            name: span.name,
            attributes: attributesOf(span.attributes),
          });
    }
  }
}

/** What both apps need to send spans to `endpoint`, batched for `delayMs` before each export. */
const otelEnv = (endpoint: string, delayMs: number) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  OTEL_BSP_SCHEDULE_DELAY: String(delayMs),
});

/** POSTs `body` as JSON to the API at `base` with the bootstrap key `key`. */
const poster = (base: () => string, key: string) => (path: string, body: unknown) =>
  fetch(`${base()}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('OpenTelemetry traces of the built apps', () => {
  let t: TestApp;
  let receiver: Receiver;
  let collector: Collector;
  let apps: BuiltApps;
  const key = 'hk_tracing_key_0123456789abcdef';

  beforeAll(async () => {
    receiver = await new Receiver().start();
    collector = new Collector();
    const otel = otelEnv(await collector.start(), 100);
    t = await startTestApp(DELIVERY_ENV); // makes the database and migrates it; its HTTP stays unused
    apps = await startBuiltApps(t, {
      api: { HOOKYARD_BOOTSTRAP_API_KEY: key, ...otel },
      worker: { HOOKYARD_LOG_LEVEL: 'info', ...otel },
    });
  }, 60_000);

  afterAll(async () => {
    await stopBuiltApps(apps);
    await t?.close();
    await receiver?.stop();
    await collector?.stop();
  });

  const call = poster(() => apps.base, key);

  it('sends an ingest span from the API and an attempt span from the worker, sharing the event id', async () => {
    const created = await call('/v1/endpoints', endpointBody({ url: receiver.url('/ok?traced') }));
    expect(created.status).toBe(201);
    const endpoint = (await created.json()) as { id: string };
    const published = await call('/v1/events', { topic: 'post.created', data: { n: 1 } });
    expect(published.status).toBe(202);
    const { id: eventId } = (await published.json()) as { id: string };

    const spanOf = (name: string) =>
      collector.spans.find((s) => s.name === name && s.attributes['hookyard.event_id'] === eventId);
    await eventually(() => {
      expect(spanOf('hookyard.ingest')).toBeDefined();
      expect(spanOf('hookyard.attempt')).toBeDefined();
    }, 20_000);

    expect(spanOf('hookyard.ingest')).toMatchObject({ service: 'hookyard-api' });
    expect(spanOf('hookyard.attempt')).toEqual({
      service: 'hookyard-worker',
      name: 'hookyard.attempt',
      attributes: {
        'hookyard.event_id': eventId,
        'hookyard.delivery_id': expect.any(String),
        'hookyard.endpoint_id': endpoint.id,
        'http.response.status_code': 200,
      },
    });
    expect([...collector.contentTypes]).toEqual(['application/json']);
  });

  it('names every accepted event of a batch on its one ingest span', async () => {
    const batch = await call('/v1/events/batch', {
      events: [
        { topic: 'post.created', data: { n: 2 } },
        { topic: 'no.such.topic', data: {} },
        { topic: 'post.created', data: { n: 3 } },
      ],
    });
    expect(batch.status).toBe(200);
    const { data } = (await batch.json()) as { data: { id?: string }[] };
    const ids = data.flatMap((r) => (r.id ? [r.id] : []));
    expect(ids).toHaveLength(2);
    await eventually(
      () =>
        expect(
          collector.spans.filter(
            (s) =>
              s.name === 'hookyard.ingest' &&
              JSON.stringify(s.attributes['hookyard.event_ids']) === JSON.stringify(ids),
          ),
        ).toHaveLength(1),
      10_000,
    );
  });
});

/**
 * The spans a process still holds when it is stopped: with a 60 s batch delay nothing is exported
 * while the apps run, so the spans reach the collector only if SIGTERM flushes them before the exit.
 */
describe('the last spans of the built apps when they are stopped', () => {
  let t: TestApp;
  let receiver: Receiver;
  let collector: Collector;
  let apps: BuiltApps;
  const key = 'hk_tracing_stop_key_0123456789abc';

  beforeAll(async () => {
    receiver = await new Receiver().start();
    collector = new Collector();
    const otel = otelEnv(await collector.start(), 60_000);
    t = await startTestApp(DELIVERY_ENV);
    apps = await startBuiltApps(t, {
      api: { HOOKYARD_BOOTSTRAP_API_KEY: key, ...otel },
      worker: { HOOKYARD_LOG_LEVEL: 'info', ...otel },
    });
  }, 60_000);

  afterAll(async () => {
    await stopBuiltApps(apps);
    await t?.close();
    await receiver?.stop();
    await collector?.stop();
  });

  it('sends the buffered ingest and attempt spans on SIGTERM, then exits 0', async () => {
    const call = poster(() => apps.base, key);
    const created = await call('/v1/endpoints', endpointBody({ url: receiver.url('/ok?at-stop') }));
    expect(created.status).toBe(201);
    const published = await call('/v1/events', { topic: 'post.created', data: { n: 1 } });
    expect(published.status).toBe(202);
    const { id: eventId } = (await published.json()) as { id: string };
    await eventually(async () => {
      const rows = await t.dataSource.query<{ status: string }[]>(
        `SELECT status FROM deliveries WHERE event_id = $1`,
        [eventId],
      );
      expect(rows).toEqual([{ status: 'succeeded' }]);
    }, 20_000);
    expect(collector.spans).toEqual([]); // still in the processes' batches

    await stopBuiltApps(apps);

    expect([apps.api.exitCode, apps.worker.exitCode]).toEqual([0, 0]);
    const names = collector.spans
      .filter((s) => s.attributes['hookyard.event_id'] === eventId)
      .map((s) => `${s.service ?? '?'} ${s.name}`)
      .sort();
    expect(names).toEqual(['hookyard-api hookyard.ingest', 'hookyard-worker hookyard.attempt']);
  });
});

import { type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { freePort } from '@hookyard/data-access';
import { DELIVERY_ENV, endpointBody, eventually, startTestApp, type TestApp } from './harness';
import { collectApart, type ChildOutput } from './json-logs';
import { Receiver } from './receiver';
import { spawnApi, spawnWorker, stopChild } from './worker-process';

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

describe('OpenTelemetry traces of the built apps', () => {
  let t: TestApp;
  let receiver: Receiver;
  let collector: Collector;
  let api: ChildProcess;
  let worker: ChildProcess;
  let apiOutput: ChildOutput;
  let workerOutput: ChildOutput;
  let base: string;
  const key = 'hk_tracing_key_0123456789abcdef';

  beforeAll(async () => {
    receiver = await new Receiver().start();
    collector = new Collector();
    const endpoint = await collector.start();
    t = await startTestApp(DELIVERY_ENV); // makes the database and migrates it; its HTTP stays unused
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
    api = spawnApi(t, { PORT: String(port), HOOKYARD_BOOTSTRAP_API_KEY: key, ...otel });
    apiOutput = collectApart(api);
    worker = spawnWorker(t, { HOOKYARD_LOG_LEVEL: 'info', ...otel }, 'pipe');
    workerOutput = collectApart(worker);
    await eventually(() => expect(apiOutput.stdout()).toContain('API docs:'), 30_000);
    await eventually(
      () => expect(workerOutput.stdout()).toContain('delivery worker started'),
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all([worker, api].filter(Boolean).map((child) => stopChild(child)));
    await t?.close();
    await receiver?.stop();
    await collector?.stop();
  });

  const call = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

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

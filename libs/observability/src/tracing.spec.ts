import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { inSpan, SPAN, startTracing, type Tracing } from './tracing';

const OFF = { tracing: { endpoint: null, serviceName: null } };

/** Keeps its spans when the provider shuts down (the in-memory exporter forgets them then). */
class KeepingExporter extends InMemorySpanExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('tracing', () => {
  let tracing: Tracing | null = null;
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = null;
  });

  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT: no provider, and the work runs as it is', async () => {
    tracing = startTracing(OFF, 'hookyard-api');
    expect(tracing.enabled).toBe(false);
    const outcome = jest.fn(() => ({}));
    await expect(inSpan(SPAN.ingest, {}, () => Promise.resolve(7), outcome)).resolves.toBe(7);
    expect(outcome).not.toHaveBeenCalled();
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
  });

  it('records a span with its attributes, what the outcome adds, and a thrown error', async () => {
    const exporter = new KeepingExporter();
    tracing = startTracing(OFF, 'hookyard-worker', exporter);
    await inSpan(
      SPAN.attempt,
      { 'hookyard.event_id': 'evt_1' },
      () => Promise.resolve({ status: 503 }),
      (r) => ({ attributes: { 'http.response.status_code': r.status }, error: 'HTTP 503' }),
    );
    await expect(
      inSpan(SPAN.ingest, {}, () => Promise.reject(new Error('database down'))),
    ).rejects.toThrow('database down');
    await tracing.shutdown();
    tracing = null;
    const [attempt, ingest] = exporter.getFinishedSpans();
    expect(attempt).toMatchObject({
      name: 'hookyard.attempt',
      attributes: { 'hookyard.event_id': 'evt_1', 'http.response.status_code': 503 },
      status: { code: SpanStatusCode.ERROR, message: 'HTTP 503' },
    });
    expect(attempt?.resource.attributes['service.name']).toBe('hookyard-worker');
    expect(ingest).toMatchObject({
      name: 'hookyard.ingest',
      status: { code: SpanStatusCode.ERROR },
    });
    expect(ingest?.events.map((e) => e.name)).toEqual(['exception']);
  });

  describe('over OTLP/HTTP', () => {
    let server: Server;
    const received: { path: string; type: string; body: string }[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          received.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('sends the spans as JSON to <endpoint>/v1/traces when shut down, named by OTEL_SERVICE_NAME', async () => {
      const { port } = server.address() as AddressInfo;
      tracing = startTracing(
        { tracing: { endpoint: `http://127.0.0.1:${port}`, serviceName: 'hookyard-eu' } },
        'hookyard-api',
      );
      await inSpan(SPAN.ingest, { 'hookyard.event_id': 'evt_otlp' }, () => Promise.resolve());
      expect(received).toEqual([]); // batched, not sent per span
      await tracing.shutdown();
      tracing = null;
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ path: '/v1/traces', type: 'application/json' });
      const body = received[0]?.body ?? '';
      expect(body).toContain('"hookyard.ingest"');
      expect(body).toContain('"evt_otlp"');
      expect(body).toContain('"hookyard-eu"');
    });
  });
});

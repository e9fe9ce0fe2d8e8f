import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  defaultServiceName,
  inSpan,
  SPAN,
  startTracing,
  type Tracing,
  tracingEnabled,
} from './tracing';

const OFF = { tracing: { endpoint: null, serviceName: null } };

/** `ExportResultCode` of @opentelemetry/core (not a dependency of its own here). */
const SUCCESS = 0;
const FAILED = 1;

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
    expect(tracingEnabled()).toBe(false);
    const outcome = jest.fn(() => ({}));
    const work = Promise.resolve(7);
    const run = inSpan(SPAN.ingest, {}, () => work, outcome);
    expect(run).toBe(work); // the work's own promise: no wrapper, no extra ticks
    await expect(run).resolves.toBe(7);
    expect(outcome).not.toHaveBeenCalled();
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
  });

  it('records a span with its attributes, what the outcome adds, and a thrown error', async () => {
    const exporter = new KeepingExporter();
    tracing = startTracing(OFF, 'hookyard-worker', { exporter });
    expect(tracingEnabled()).toBe(true);
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
    expect(tracingEnabled()).toBe(false);
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

  it('names the spans of both roles in one process hookyard, and each role after itself', () => {
    expect(['all', 'api', 'worker'].map((r) => defaultServiceName(r as 'all'))).toEqual([
      'hookyard',
      'hookyard-api',
      'hookyard-worker',
    ]);
  });

  it('gives up on the last spans after the shutdown timeout, rejecting, and stops tracing anyway', async () => {
    const pending: ((result: { code: number }) => void)[] = [];
    const stuck: SpanExporter = {
      export: (_spans, done) => void pending.push(done), // no answer, like a collector that hangs
      shutdown: () => Promise.resolve(),
    };
    tracing = startTracing(OFF, 'hookyard-api', { exporter: stuck, shutdownTimeoutMs: 200 });
    await inSpan(SPAN.ingest, {}, () => Promise.resolve());
    const started = Date.now();
    await expect(tracing.shutdown()).rejects.toThrow(
      'sending the last spans took longer than 200 ms',
    );
    tracing = null;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(pending).toHaveLength(1);
    expect(tracingEnabled()).toBe(false);
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
    pending[0]?.({ code: SUCCESS }); // lets the processor end its export timer
  });

  it('rejects the shutdown when the export fails', async () => {
    const failing: SpanExporter = {
      export: (_spans, done) => done({ code: FAILED, error: new Error('refused') }),
      shutdown: () => Promise.resolve(),
    };
    tracing = startTracing(OFF, 'hookyard-api', { exporter: failing });
    await inSpan(SPAN.ingest, {}, () => Promise.resolve());
    await expect(tracing.shutdown()).rejects.toThrow('refused');
    tracing = null;
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

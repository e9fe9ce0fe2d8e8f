import { createRequire } from 'node:module';
import { type Attributes, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkTraceBase from '@opentelemetry/sdk-trace-base';
import { type HookyardConfig } from '@hookyard/config';

/** Loads the SDK only when tracing is on: it takes about 250 ms and 16 MB to load. */
const load = createRequire(__filename);

/** The spans of the contract. */
export const SPAN = { ingest: 'hookyard.ingest', attempt: 'hookyard.attempt' } as const;

/**
 * How long a shutdown waits for the last spans to be sent (the exporter's own timeout is 10 s, and a
 * process being stopped has a grace period to keep).
 */
export const TRACING_SHUTDOWN_TIMEOUT_MS = 3_000;

/** The tracing of one process: stop it last, so the spans still buffered are sent. */
export interface Tracing {
  readonly enabled: boolean;
  /**
   * Sends what is buffered and stops the exporter (at once when tracing is off). Rejects when the
   * export fails or does not finish within the shutdown timeout; tracing is stopped either way.
   */
  shutdown(): Promise<void>;
}

/** What tests replace: the exporter (instead of OTLP) and the shutdown timeout. */
export interface TracingOptions {
  readonly exporter?: SdkTraceBase.SpanExporter;
  /** Default {@link TRACING_SHUTDOWN_TIMEOUT_MS}. */
  readonly shutdownTimeoutMs?: number;
}

/** Set while a provider is registered: with tracing off, {@link inSpan} costs one branch. */
let tracer: Tracer | null = null;

/**
 * Whether spans are being recorded: hot paths check it to skip building a span's attributes and
 * closures at all when tracing is off.
 */
export function tracingEnabled(): boolean {
  return tracer !== null;
}

/**
 * The default `service.name` of a process running `role`: `hookyard-api`, `hookyard-worker`, and
 * `hookyard` for both roles in one process (`npm start`), whose spans are of either kind.
 */
export function defaultServiceName(role: HookyardConfig['role']): string {
  switch (role) {
    case 'api':
      return 'hookyard-api';
    case 'worker':
      return 'hookyard-worker';
    case 'all':
      return 'hookyard';
  }
}

/**
 * Starts OpenTelemetry traces when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: a BasicTracerProvider whose
 * BatchSpanProcessor sends OTLP/HTTP JSON to `<endpoint>/v1/traces` (the processor's `OTEL_BSP_*`
 * and the exporter's `OTEL_EXPORTER_OTLP_HEADERS`/`_TIMEOUT` are read by the SDK itself). With no
 * endpoint nothing is registered and spans are never built.
 */
export function startTracing(
  config: Pick<HookyardConfig, 'tracing'>,
  fallbackServiceName: string,
  options: TracingOptions = {},
): Tracing {
  const { endpoint, serviceName } = config.tracing;
  const { exporter, shutdownTimeoutMs = TRACING_SHUTDOWN_TIMEOUT_MS } = options;
  if (endpoint === null && !exporter) return { enabled: false, shutdown: () => Promise.resolve() };
  const { BasicTracerProvider, BatchSpanProcessor } = load(
    '@opentelemetry/sdk-trace-base',
  ) as typeof SdkTraceBase;
  const { resourceFromAttributes } = load('@opentelemetry/resources') as typeof Resources;
  const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName ?? fallbackServiceName }),
    spanProcessors: [
      new BatchSpanProcessor(exporter ?? new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  tracer = trace.getTracer('hookyard');
  return {
    enabled: true,
    async shutdown() {
      tracer = null;
      try {
        await withinMs(provider.shutdown(), shutdownTimeoutMs, 'sending the last spans');
      } finally {
        trace.disable();
      }
    },
  };
}

/** `work`, or a rejection naming `what` once `ms` have passed first (the timer keeps no process up). */
function withinMs(work: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** What a finished piece of work adds to its span: attributes, and why it failed if it did. */
export interface SpanOutcome {
  readonly attributes?: Attributes;
  /** Marks the span as an error with this description. */
  readonly error?: string;
}

/**
 * Runs `work` in a span named `name` with `attributes`, adding what `outcome` reads of the result;
 * a thrown error is recorded on the span and rethrown. With tracing off it returns `work()` itself:
 * no span, no promise of its own.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
  outcome?: (result: T) => SpanOutcome,
): Promise<T> {
  if (tracer === null) return work();
  return traced(tracer, name, attributes, work, outcome);
}

async function traced<T>(
  active: Tracer,
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
  outcome?: (result: T) => SpanOutcome,
): Promise<T> {
  const span = active.startSpan(name, { attributes });
  try {
    const result = await work();
    const { attributes: more, error } = outcome?.(result) ?? {};
    if (more) span.setAttributes(more);
    if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    return result;
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

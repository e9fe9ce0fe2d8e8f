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

/** The tracing of one process: stop it last, so the spans still buffered are sent. */
export interface Tracing {
  readonly enabled: boolean;
  /** Sends what is buffered and stops the exporter (at once when tracing is off). */
  shutdown(): Promise<void>;
}

/** Set while a provider is registered: with tracing off, {@link inSpan} costs one branch. */
let tracer: Tracer | null = null;

/**
 * Starts OpenTelemetry traces when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: a BasicTracerProvider whose
 * BatchSpanProcessor sends OTLP/HTTP JSON to `<endpoint>/v1/traces` (the processor's `OTEL_BSP_*`
 * and the exporter's `OTEL_EXPORTER_OTLP_HEADERS`/`_TIMEOUT` are read by the SDK itself). With no
 * endpoint nothing is registered and spans are never built. `exporter` replaces OTLP in tests.
 */
export function startTracing(
  config: Pick<HookyardConfig, 'tracing'>,
  defaultServiceName: string,
  exporter?: SdkTraceBase.SpanExporter,
): Tracing {
  const { endpoint, serviceName } = config.tracing;
  if (endpoint === null && !exporter) return { enabled: false, shutdown: () => Promise.resolve() };
  const { BasicTracerProvider, BatchSpanProcessor } = load(
    '@opentelemetry/sdk-trace-base',
  ) as typeof SdkTraceBase;
  const { resourceFromAttributes } = load('@opentelemetry/resources') as typeof Resources;
  const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName ?? defaultServiceName }),
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
      await provider.shutdown();
      trace.disable();
    },
  };
}

/** What a finished piece of work adds to its span: attributes, and why it failed if it did. */
export interface SpanOutcome {
  readonly attributes?: Attributes;
  /** Marks the span as an error with this description. */
  readonly error?: string;
}

/**
 * Runs `work` in a span named `name` with `attributes`, adding what `outcome` reads of the result;
 * a thrown error is recorded on the span and rethrown. With tracing off it only calls `work`.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
  outcome?: (result: T) => SpanOutcome,
): Promise<T> {
  if (tracer === null) return work();
  const span = tracer.startSpan(name, { attributes });
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

import { createHash, timingSafeEqual } from 'node:crypto';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  Registry,
} from 'prom-client';

/** How a recorded try left its delivery: done, another attempt scheduled, or given up. */
export type DeliveryOutcomeLabel = 'success' | 'retry' | 'failed';

/** The API-side dialects whose ingest is counted (one label value each). */
export type IngestDialect = 'native';

/** What the API records. */
export interface ApiMetrics {
  /**
   * Events one publish request wrote (each once: a replayed idempotency key, from an earlier request
   * or earlier in the same batch, is answered with an id but not counted again).
   */
  countEventsAccepted(dialect: IngestDialect, organizationId: string, count: number): void;
  /** One HTTP request, labelled by its matched route pattern, never its raw URL. */
  observeHttpRequest(method: string, route: string, status: number, seconds: number): void;
}

/** What the delivery engine records. */
export interface WorkerMetrics {
  /** One try whose result was written (its claim still held), with its outcome and duration. */
  recordDelivery(outcome: DeliveryOutcomeLabel, seconds: number, organizationId: string): void;
  /** Deliveries one claim statement took. */
  observeClaimBatch(size: number): void;
  /** Tries one recording transaction wrote (its claim still held), once it has committed. */
  observeFlushBatch(size: number): void;
  /** Adds a source of open outbound sockets, read at scrape time; the returned function removes it. */
  watchOutboundConnections(read: () => number): () => void;
}

/** Records nothing: the default of the engine and the services when no registry is wired in. */
export const NO_METRICS: ApiMetrics & WorkerMetrics = {
  countEventsAccepted: () => undefined,
  observeHttpRequest: () => undefined,
  recordDelivery: () => undefined,
  observeClaimBatch: () => undefined,
  observeFlushBatch: () => undefined,
  watchOutboundConnections: () => () => undefined,
};

export interface MetricsOptions {
  /** Adds `organization_id` to events accepted and deliveries (`HOOKYARD_METRICS_PER_ORG`). */
  readonly perOrganization: boolean;
  /** prom-client's process metrics (`process_resident_memory_bytes`, ...); default true. */
  readonly defaultMetrics?: boolean;
}

/** Seconds an HTTP request of the API takes: most are a few milliseconds, a test send up to 30 s. */
const HTTP_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds a delivery attempt takes, up to the 30 s maximum timeout. */
const ATTEMPT_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
/** Claim sizes go up to the worker's concurrency (at most 1000). */
const CLAIM_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000];
/** Recording transactions write up to 256 tries. */
const FLUSH_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** The label children of one delivery outcome. */
interface OutcomeChildren {
  readonly deliveries: Counter.Internal | null;
  readonly duration: Histogram.Internal<string>;
}

/**
 * The Prometheus instruments of one process, on a registry of its own (never prom-client's global
 * one, so tests can make several and one `npm start` process serves the API's and the worker's
 * instruments from one registry). Every label value is from a small fixed set (outcome, dialect,
 * method, route pattern, status code) unless `perOrganization` adds tenant ids.
 */
export class Metrics implements ApiMetrics, WorkerMetrics {
  readonly registry = new Registry();
  private readonly perOrganization: boolean;
  private readonly eventsAccepted: Counter<string>;
  private readonly httpDuration: Histogram<string>;
  private readonly deliveries: Counter<string>;
  private readonly attemptDuration: Histogram<string>;
  /**
   * Each outcome's children, bound once so a try hashes no label set (the deliveries' child only
   * without per-organization labels, whose values are not known up front).
   */
  private readonly byOutcome: Readonly<Record<DeliveryOutcomeLabel, OutcomeChildren>>;
  private readonly claimBatch: Histogram<string>;
  private readonly flushBatch: Histogram<string>;
  private readonly outboundSources = new Set<() => number>();

  constructor(options: MetricsOptions) {
    this.perOrganization = options.perOrganization;
    const org = options.perOrganization ? ['organization_id'] : [];
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.eventsAccepted = new Counter({
      name: 'hookyard_events_accepted_total',
      help: 'Events accepted by publish requests (a batch counts each event answered with an id).',
      labelNames: ['dialect', ...org],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'hookyard_http_request_duration_seconds',
      help: 'HTTP requests of the API by method, matched route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_SECONDS,
      registers,
    });
    this.deliveries = new Counter({
      name: 'hookyard_deliveries_total',
      help: 'Recorded delivery attempts by outcome: success, retry (another attempt scheduled) or failed (none left).',
      labelNames: ['outcome', ...org],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'hookyard_attempt_duration_seconds',
      help: 'Duration of recorded delivery attempts by outcome.',
      labelNames: ['outcome'],
      buckets: ATTEMPT_SECONDS,
      registers,
    });
    const bind = (outcome: DeliveryOutcomeLabel): OutcomeChildren => ({
      deliveries: options.perOrganization ? null : this.deliveries.labels({ outcome }),
      duration: this.attemptDuration.labels({ outcome }),
    });
    this.byOutcome = { success: bind('success'), retry: bind('retry'), failed: bind('failed') };
    this.claimBatch = new Histogram({
      name: 'hookyard_claim_batch_size',
      help: 'Deliveries taken by one claim of the worker (claims that found none are not observed).',
      buckets: CLAIM_SIZES,
      registers,
    });
    this.flushBatch = new Histogram({
      name: 'hookyard_flush_batch_size',
      help: 'Tries written by one recording transaction of the worker.',
      buckets: FLUSH_SIZES,
      registers,
    });
    const sources = this.outboundSources;
    this.gauge({
      name: 'hookyard_outbound_connections_in_use',
      help: 'Sockets of the worker serving a request to an endpoint now (idle keep-alive ones not counted).',
      collect() {
        this.set([...sources].reduce((sum, read) => sum + read(), 0));
      },
    });
  }

  /** The Prometheus text of every instrument (database-backed gauges query now). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type `render` writes (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Adds a gauge to this registry, typically one whose `collect` reads its value at scrape time
   * (the database-backed gauges of `@hookyard/data-access`).
   */
  gauge<T extends string>(configuration: Omit<GaugeConfiguration<T>, 'registers'>): Gauge<T> {
    return new Gauge<T>({ ...configuration, registers: [this.registry] });
  }

  countEventsAccepted(dialect: IngestDialect, organizationId: string, count: number): void {
    if (count > 0) this.eventsAccepted.inc(this.tenant({ dialect }, organizationId), count);
  }

  observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  recordDelivery(outcome: DeliveryOutcomeLabel, seconds: number, organizationId: string): void {
    const bound = this.byOutcome[outcome];
    if (bound.deliveries) bound.deliveries.inc();
    else this.deliveries.inc({ outcome, organization_id: organizationId });
    bound.duration.observe(seconds);
  }

  observeClaimBatch(size: number): void {
    this.claimBatch.observe(size);
  }

  observeFlushBatch(size: number): void {
    this.flushBatch.observe(size);
  }

  watchOutboundConnections(read: () => number): () => void {
    const source = () => read();
    this.outboundSources.add(source);
    return () => this.outboundSources.delete(source);
  }

  /** The labels plus `organization_id` when per-organization metrics are on. */
  private tenant(labels: Record<string, string>, organizationId: string): Record<string, string> {
    return this.perOrganization ? { ...labels, organization_id: organizationId } : labels;
  }
}

/**
 * Whether an `Authorization` header may read the metrics (both apps' `/metrics`): always without a
 * token (`HOOKYARD_METRICS_TOKEN` unset), else only its bearer.
 */
export function metricsAuthorized(
  token: string | null,
  authorization: string | undefined,
): boolean {
  return token === null || sameSecret(authorization ?? '', `Bearer ${token}`);
}

/** Compares in constant time (over hashes, so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

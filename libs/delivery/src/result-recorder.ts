import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { type DataSource, type EntityManager } from 'typeorm';
import {
  type ClaimedDelivery,
  type DeliveryOutcome,
  DeliveryQueueRepository,
  DeliveryRepository,
  endpointStateOf,
  type EndpointStateWrite,
} from '@hookyard/data-access';
import {
  classifyStatus,
  type EndpointEvent,
  type EndpointState,
  type ObjectIdGenerator,
  type StateThresholds,
  transition,
} from '@hookyard/webhook-core';
import { type DeliveryOutcomeLabel, NO_METRICS, type WorkerMetrics } from '@hookyard/observability';
import { attemptRow } from './attempt-row';
import { type SendEndpoint } from './delivery-sender';
import { attemptLogLine, deliveryLogFields } from './delivery-telemetry';
import { type OrganizationSettingsSource } from './organization-settings.cache';
import { type OrganizationDeliverySettings } from './organization-settings';
import { type OutboundResult } from './outbound-client';

/** One finished try, waiting to be recorded. */
export interface TryResult {
  readonly claimId: string;
  readonly delivery: ClaimedDelivery;
  readonly endpoint: SendEndpoint;
  readonly result: OutboundResult;
  readonly requestHeaders: Record<string, string>;
  readonly at: Date;
}

/** What to do with a delivery after its try: done, retry at a time, or give up. */
export type NextStep = Pick<DeliveryOutcome, 'status' | 'nextAttemptAt'>;

export interface RecorderSettings {
  /** Results recorded in one transaction at the most. */
  readonly maxResults: number;
  /** How long the first result of a batch waits for others. */
  readonly delayMs: number;
  /** The installation's thresholds: those of an organization the source has no settings for. */
  readonly thresholds: StateThresholds;
  /**
   * Each organization's own settings (retry schedule, thresholds), read before each transaction;
   * without it, every organization has the installation's.
   */
  readonly organizations?: OrganizationSettingsSource;
  /**
   * Decides the next step of one try (the retry policy of the endpoint's dialect, or its
   * organization's, when `organization` is given).
   */
  readonly nextStep: (
    result: TryResult,
    outcome: Outcome,
    organization: OrganizationDeliverySettings | undefined,
  ) => NextStep;
  /** Where recorded tries and transaction sizes are counted (default: nowhere). */
  readonly metrics?: WorkerMetrics;
  /**
   * Whether each written try gets its `debug` line ("delivery attempt"); default true. Pass
   * `config.logLevel === 'debug'` so that, at any other level, no line object is built per try.
   */
  readonly logAttempts?: boolean;
}

export type Outcome = 'success' | 'failure' | 'gone';

/**
 * Records finished tries in batches: results wait a few milliseconds (or until `maxResults` have
 * come), then one short transaction records them all. It locks the batch's endpoints in id order
 * (`FOR NO KEY UPDATE`, so ingest's foreign-key locks never wait), writes every delivery with one
 * statement that still checks each claim (a lost lease writes nothing), inserts every attempt with
 * one statement, folds each endpoint's tries through webhook-core's state machine in completion
 * order and writes the endpoints with one statement; a newly suspended endpoint's waiting deliveries
 * fail. A failed transaction is tried again (the leases are renewed meanwhile) until it succeeds or
 * the recorder is closed. What it wrote is counted and logged once, after the commit: never for a
 * transaction that rolled back, and a failing log write cannot make a committed batch run again.
 */
export class ResultRecorder {
  private readonly logger = new Logger('ResultRecorder');
  private buffer: TryResult[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ids: ObjectIdGenerator,
    private readonly settings: RecorderSettings,
    /** Called once the results are recorded (or given up), to free their slots. */
    private readonly recorded: (results: readonly TryResult[]) => void,
  ) {}

  add(result: TryResult): void {
    this.buffer.push(result);
    if (this.buffer.length >= this.settings.maxResults) this.flushSoon(0);
    else this.flushSoon(this.settings.delayMs);
  }

  /** How many results wait to be recorded. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Records what is buffered now, each batch tried once more at the most. */
  async close(): Promise<void> {
    this.closed = true; // a failing transaction is no longer tried again
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    while (this.buffer.length > 0) await this.flush();
  }

  private flushSoon(delayMs: number): void {
    if (this.flushing) return; // the running flush schedules the next one
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
  }

  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.run().finally(() => {
      this.flushing = null;
      if (this.buffer.length > 0 && !this.closed)
        this.flushSoon(this.buffer.length >= this.settings.maxResults ? 0 : this.settings.delayMs);
    });
    return this.flushing;
  }

  private async run(): Promise<void> {
    const batch = this.buffer.splice(0, this.settings.maxResults);
    let committed: Recorded | null = null;
    for (let attempt = 1; committed === null; attempt++) {
      try {
        const organizations = await this.organizationsOf(batch);
        committed = await this.dataSource.transaction((tx) =>
          this.record(tx, batch, organizations),
        );
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const deliveryIds = batch.map((r) => r.delivery.id);
        if (this.closed || attempt >= 30) {
          // The rows stay claimed until their leases end; another try follows then.
          this.logger.error({
            msg: `could not record ${batch.length} tries, giving up: ${reason}`,
            deliveryIds,
          });
          break;
        }
        this.logger.warn({
          msg: `could not record ${batch.length} tries (retrying): ${reason}`,
          deliveryIds,
        });
        await sleep(Math.min(2_000, 100 * attempt));
      }
    }
    try {
      if (committed) this.report(committed);
    } catch {
      // A metric or log write that throws (stdout gone) must neither repeat nor hold up a committed batch.
    } finally {
      this.recorded(batch);
    }
  }

  /**
   * Counts and logs a committed transaction: its size and each try it wrote by how it left the
   * delivery, the tries it could not write, and the internal errors among those it wrote.
   */
  private report({ written, unwritten }: Recorded): void {
    const metrics = this.settings.metrics ?? NO_METRICS;
    metrics.observeFlushBatch(written.length);
    const logAttempts = this.settings.logAttempts ?? true;
    for (const { result: r, outcome } of written) {
      metrics.recordDelivery(outcome, r.result.durationMs / 1000, r.delivery.organizationId);
      if (r.result.kind === 'error' && r.result.errorClass === 'internal')
        this.logger.error({ msg: r.result.message, ...deliveryLogFields(r.delivery) });
      if (logAttempts) this.logger.debug(attemptLogLine(r, outcome));
    }
    for (const r of unwritten)
      this.logger.warn({
        msg: 'try not recorded: the lease ran out and another worker took the delivery, or it was deleted with its endpoint',
        ...deliveryLogFields(r.delivery),
      });
  }

  /** The settings of the batch's organizations (cached by the source, so mostly no query). */
  private async organizationsOf(
    batch: readonly TryResult[],
  ): Promise<ReadonlyMap<string, OrganizationDeliverySettings>> {
    const source = this.settings.organizations;
    if (!source) return new Map();
    return source.settingsOf([...new Set(batch.map((r) => r.delivery.organizationId))]);
  }

  /** Records the batch; answers the tries written (whose claims still held) with their outcomes. */
  private async record(
    tx: EntityManager,
    batch: readonly TryResult[],
    organizations: ReadonlyMap<string, OrganizationDeliverySettings>,
  ): Promise<Recorded> {
    const queue = new DeliveryQueueRepository(tx);
    const endpointIds = [...new Set(batch.map((r) => r.delivery.endpointId))].sort();
    const locked = new Map(
      (await queue.lockEndpointsForRecording(endpointIds)).map((e) => [e.id, e]),
    );
    const outcomes = batch.map((r) => {
      const outcome = outcomeOf(r.result);
      let step = this.settings.nextStep(r, outcome, organizations.get(r.delivery.organizationId));
      if (locked.get(r.delivery.endpointId)?.status === 'suspended' && step.status === 'pending')
        step = { status: 'failed', nextAttemptAt: null }; // suspended while this try was in flight
      return {
        claimId: r.claimId,
        id: r.delivery.id,
        ...step,
        attemptCount: r.delivery.attemptCount + 1,
        at: r.at,
      };
    });
    const finished = await queue.finishMany(outcomes);
    const written = batch.filter((r) => finished.has(r.delivery.id));
    await queue.insertAttempts(
      written.map((r) => ({
        organizationId: r.delivery.organizationId,
        ...attemptRow(
          {
            id: this.ids.next(r.at),
            endpointId: r.delivery.endpointId,
            deliveryId: r.delivery.id,
            eventId: r.delivery.eventId,
            trigger: r.delivery.trigger,
            createdAt: r.at,
          },
          r.result,
          r.requestHeaders,
        ),
      })),
    );
    const states = new Map<string, { before: EndpointState; after: EndpointState }>();
    for (const r of written) {
      // Our fault, not the endpoint's: its health and state stay as they are (logged after commit).
      if (r.result.kind === 'error' && r.result.errorClass === 'internal') continue;
      const row = locked.get(r.delivery.endpointId);
      if (!row) continue;
      const current = states.get(row.id) ?? {
        before: endpointStateOf(row),
        after: endpointStateOf(row),
      };
      const event = endpointEventOf(r.result, outcomeOf(r.result), r.at);
      const thresholds =
        organizations.get(row.organizationId)?.thresholds ?? this.settings.thresholds;
      states.set(row.id, { ...current, after: transition(current.after, event, thresholds) });
    }
    const changed: EndpointStateWrite[] = [...states]
      .filter(([, s]) => s.after !== s.before)
      .map(([id, s]) => ({ id, state: s.after }));
    await queue.writeEndpointStates(changed);
    const deliveries = new DeliveryRepository(tx);
    const suspended = new Set<string>();
    for (const [id, s] of states) {
      if (s.after.status === 'suspended' && s.before.status !== 'suspended') {
        const row = locked.get(id);
        if (!row) continue;
        await deliveries.failPendingOfEndpoint(row.organizationId, id, new Date());
        suspended.add(id);
      }
    }
    const statusOf = new Map(outcomes.map((o) => [o.id, o.status]));
    return {
      written: written.map((r) => {
        const status = statusOf.get(r.delivery.id) ?? 'failed';
        // The rows written `pending` above are no longer claimed: suspending their endpoint failed them.
        const failedBySuspension = status === 'pending' && suspended.has(r.delivery.endpointId);
        return { result: r, outcome: outcomeLabel(failedBySuspension ? 'failed' : status) };
      }),
      unwritten: batch.filter((r) => !finished.has(r.delivery.id)),
    };
  }
}

/** A try the transaction wrote, and how it left its delivery. */
interface Written {
  readonly result: TryResult;
  readonly outcome: DeliveryOutcomeLabel;
}

/** What one recording transaction did: the tries it wrote, and those whose claim no longer held. */
interface Recorded {
  readonly written: readonly Written[];
  readonly unwritten: readonly TryResult[];
}

/** The metrics' outcome of a delivery's status after a try. */
function outcomeLabel(status: NextStep['status']): DeliveryOutcomeLabel {
  switch (status) {
    case 'succeeded':
      return 'success';
    case 'pending':
      return 'retry';
    case 'failed':
      return 'failed';
  }
}

function outcomeOf(result: OutboundResult): Outcome {
  return result.kind === 'response' ? classifyStatus(result.status) : 'failure';
}

function endpointEventOf(result: OutboundResult, outcome: Outcome, at: Date): EndpointEvent {
  if (result.kind === 'error') {
    return {
      type: 'attempt_failed',
      at,
      statusCode: null,
      responseTimeMs: null,
      message: `${result.errorClass}: ${result.message}`,
    };
  }
  const responseTimeMs = Math.round(result.durationMs);
  switch (outcome) {
    case 'success':
      return { type: 'attempt_succeeded', at, statusCode: result.status, responseTimeMs };
    case 'gone':
      return { type: 'gone', at, responseTimeMs };
    case 'failure':
      return {
        type: 'attempt_failed',
        at,
        statusCode: result.status,
        responseTimeMs,
        message: `HTTP ${result.status}`,
      };
  }
}

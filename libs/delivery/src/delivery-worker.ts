import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import {
  type ClaimedDelivery,
  type ClaimedRef,
  DeliveryQueueRepository,
  type SecretCipher,
} from '@hookyard/data-access';
import {
  type DialectConfigs,
  type ObjectIdGenerator,
  type StateThresholds,
} from '@hookyard/webhook-core';
import { NO_METRICS, tracingEnabled, type WorkerMetrics } from '@hookyard/observability';
import { DeliverySender, type SendTarget } from './delivery-sender';
import { deliveryLogFields, traceAttempt } from './delivery-telemetry';
import { DueListener } from './due-listener';
import { EndpointCache } from './endpoint-cache';
import { type OutboundClient } from './outbound-client';
import { retryStep } from './next-step';
import { OrganizationSettingsCache } from './organization-settings.cache';
import { type RetryPolicies } from './organization-settings';
import { ResultRecorder } from './result-recorder';

export interface WorkerSettings {
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  /** Attempts in flight at once in this process (sending, or sent and waiting to be recorded). */
  readonly concurrency: number;
  /** Attempts in flight at once to one endpoint, so one slow endpoint cannot starve the rest. */
  readonly endpointConcurrency: number;
  readonly shutdownGraceMs: number;
  /**
   * Each dialect may keep its own retry schedule (Featurebase documents its own); an organization's
   * own schedule replaces it for all of that organization's endpoints.
   */
  readonly retryPolicies: RetryPolicies;
  /** The installation's thresholds; an organization's own override them one by one. */
  readonly thresholds: StateThresholds;
  /** How long an organization's settings are kept before they are read again (default 5 s). */
  readonly organizationSettingsTtlMs?: number;
  /** Tries recorded in one transaction at the most (default 256). */
  readonly recordBatch?: number;
  /** How long a finished try waits for others before they are recorded together (default 5 ms). */
  readonly recordDelayMs?: number;
  /** Whether each recorded try gets its `debug` line (default true; off unless debug logs are on). */
  readonly logAttempts?: boolean;
}

export interface WorkerDependencies {
  readonly dataSource: DataSource;
  readonly cipher: SecretCipher;
  readonly client: OutboundClient;
  readonly ids: ObjectIdGenerator;
  readonly random?: () => number;
  /** The configuration's settings of each dialect, which shape its delivery format. */
  readonly dialects?: DialectConfigs;
  /** Where claims and recorded tries are counted (default: nowhere). */
  readonly metrics?: WorkerMetrics;
}

/** How long a woken worker waits after a short claim, so notifications coalesce into batches. */
const COALESCE_MS = 2;
/** Results recorded in one statement when the settings name no other size. */
const DEFAULT_RECORD_BATCH = 256;

interface InFlight {
  readonly claimId: string;
  readonly delivery: ClaimedDelivery;
}

/**
 * The delivery engine of one process. It claims due deliveries in batches, each claim returning the
 * event it sends (`FOR UPDATE SKIP LOCKED`, under a lease one heartbeat statement renews for every
 * held row), and claims again only when a batch's worth of room is free (the low-water mark) or
 * `LISTEN/NOTIFY` says ingest made due deliveries. It sends to endpoints from a cache keyed by
 * `(id, updated_at)`, outside any transaction, and hands each result to the {@link ResultRecorder},
 * which records them in batches.
 */
export class DeliveryWorker {
  private readonly logger = new Logger('DeliveryWorker');
  private readonly deliveries: DeliveryQueueRepository;
  /** Claimed and not yet recorded (sending, or sent and waiting for the recorder): renewed, released. */
  private readonly inFlight = new Map<string, InFlight>();
  /** Requests open now: what `concurrency` bounds. */
  private sending = 0;
  /**
   * What this worker holds of each endpoint: requests open to it, and also, for a probe or a fifo
   * head, the try until it is recorded (the next one must see its outcome).
   */
  private readonly perEndpoint = new Map<string, number>();
  private readonly sender: DeliverySender;
  private readonly cache: EndpointCache;
  private readonly recorder: ResultRecorder;
  private readonly listener: DueListener;
  /**
   * Claim again once this many slots are free (a quarter of the concurrency), so wake-ups make
   * batches; a poll interval after the last claim, any free slot is claimed into.
   */
  private readonly lowWater: number;
  /** When the loop last claimed (ms since the epoch). */
  private claimedAt = 0;
  /** No claims while this many finished tries wait to be recorded. */
  private readonly backlogLimit: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  /** Set when a wake-up came while the loop was busy, so it claims again at once. */
  private woken = false;
  /** When the loop last went round (ms since the epoch), for readiness. */
  private loopAt: number | null = null;

  constructor(
    private readonly settings: WorkerSettings,
    private readonly deps: WorkerDependencies,
  ) {
    this.deliveries = new DeliveryQueueRepository(deps.dataSource.manager);
    this.sender = new DeliverySender(deps.cipher, deps.client, deps.dialects);
    this.cache = new EndpointCache(deps.dataSource, this.sender);
    this.lowWater = Math.max(1, Math.floor(settings.concurrency / 4));
    const recordBatch = settings.recordBatch ?? DEFAULT_RECORD_BATCH;
    this.backlogLimit = 4 * recordBatch;
    this.recorder = new ResultRecorder(
      deps.dataSource,
      deps.ids,
      {
        maxResults: recordBatch,
        delayMs: settings.recordDelayMs ?? 5,
        thresholds: settings.thresholds,
        organizations: new OrganizationSettingsCache(
          deps.dataSource,
          { retryPolicies: settings.retryPolicies, thresholds: settings.thresholds },
          settings.organizationSettingsTtlMs,
        ),
        nextStep: (result, outcome, organization) =>
          retryStep(
            result,
            outcome,
            organization?.retryPolicies ?? settings.retryPolicies,
            deps.random ?? Math.random,
          ),
        metrics: deps.metrics,
        logAttempts: settings.logAttempts,
      },
      (results) => this.recordedAll(results.map((r) => r.delivery)),
    );
    this.listener = new DueListener(deps.dataSource, () => this.nudge());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.heartbeat = setInterval(
      () => void this.renewLeases(),
      Math.max(100, Math.floor(this.settings.leaseMs / 3)),
    );
    this.listener.start();
    this.loop = this.run();
  }

  /**
   * Stops claiming, lets in-flight attempts finish and be recorded within the grace period, aborts
   * those still open, then releases whatever is left.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.listener.stop();
    this.nudge();
    await this.loop;
    await this.drain(this.settings.shutdownGraceMs);
    if (this.inFlight.size > 0) {
      // Past the grace period: abort the requests still open (each is recorded as a failed try and
      // retried later) before giving anything back, so no other worker sends a delivery this one is
      // still sending.
      this.deps.client.close();
      await this.drain(2_000);
    }
    await this.recorder.close();
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.deliveries.releaseMany(this.held()).catch(() => undefined);
  }

  private async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.inFlight.size > 0 && Date.now() < deadline) await sleep(20);
  }

  /** How many attempts are in flight now (for tests and metrics). */
  get busy(): number {
    return this.inFlight.size;
  }

  /** When the claim loop last went round (ms since the epoch); null before it starts and once stopped. */
  lastLoopAt(): number | null {
    return this.running ? this.loopAt : null;
  }

  private held(): ClaimedRef[] {
    return [...this.inFlight.values()].map(({ claimId, delivery }) => ({
      claimId,
      id: delivery.id,
    }));
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.loopAt = Date.now();
      this.woken = false;
      let claimed = 0;
      const free = this.room();
      // Below the low-water mark the loop still claims when nothing is sending, or once a poll
      // interval has passed: slow receivers holding most slots must not leave the rest idle.
      const pollDue = Date.now() - this.claimedAt >= this.settings.pollIntervalMs;
      if (free >= this.lowWater || (free > 0 && (this.sending === 0 || pollDue))) {
        this.claimedAt = Date.now();
        try {
          claimed = await this.claimBatch(free);
        } catch (error) {
          this.logger.warn(
            `claim failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      if (!this.running) break;
      // A full batch means more may be due: claim again at once if there is room. Otherwise wait for
      // room, a notification or the poll; after a short batch, wait a little even when woken, so a
      // stream of notifications makes batches rather than one claim per event.
      const room = this.room() >= this.lowWater;
      if (claimed > 0 && claimed >= free && room) continue;
      if (this.woken) await sleep(COALESCE_MS);
      else await this.idle(this.settings.pollIntervalMs);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Wakes the loop if it waits; if it is busy, makes it claim again when it is done. */
  private nudge(): void {
    this.woken = true;
    this.wake?.();
  }

  private async claimBatch(free: number): Promise<number> {
    if (free <= 0) return 0;
    const claimId = randomUUID();
    const claimed = await this.deliveries.claimDue(claimId, free, this.settings.leaseMs, {
      perEndpoint: this.settings.endpointConcurrency,
      busy: this.perEndpoint,
    });
    if (claimed.length === 0) return 0;
    (this.deps.metrics ?? NO_METRICS).observeClaimBatch(claimed.length);
    // The claim already respects each endpoint's room; this check only guards against a row that
    // slipped past it (one probe or fifo head per endpoint per batch, the limit per endpoint).
    const taken: ClaimedDelivery[] = [];
    const released: string[] = [];
    const single = new Set<string>();
    for (const delivery of claimed) {
      const busy = this.perEndpoint.get(delivery.endpointId) ?? 0;
      const one = delivery.probe || delivery.fifo;
      if (
        busy >= (one ? 1 : this.settings.endpointConcurrency) ||
        (one && single.has(delivery.endpointId))
      ) {
        released.push(delivery.id);
        continue;
      }
      if (one) single.add(delivery.endpointId);
      this.perEndpoint.set(delivery.endpointId, busy + 1);
      this.inFlight.set(delivery.id, { claimId, delivery });
      this.sending++;
      taken.push(delivery);
    }
    await this.deliveries.release(claimId, released);
    let targets: Map<string, SendTarget>;
    try {
      targets = await this.cache.targets(
        new Map(taken.map((d) => [d.endpointId, d.endpointVersion])),
      );
    } catch (error) {
      for (const delivery of taken) this.sendDone(delivery);
      this.recordedAll(taken);
      await this.deliveries.release(
        claimId,
        taken.map((d) => d.id),
      );
      throw error;
    }
    for (const delivery of taken)
      void this.process(claimId, delivery, targets.get(delivery.endpointId));
    return taken.length;
  }

  private async renewLeases(): Promise<void> {
    await this.deliveries.renewMany(this.held(), this.settings.leaseMs).catch((error: unknown) => {
      this.logger.warn(
        `lease renewal failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  private async process(
    claimId: string,
    delivery: ClaimedDelivery,
    target: SendTarget | undefined,
  ): Promise<void> {
    if (!target) {
      // Deleted since the claim: its delivery row went with it.
      this.sendDone(delivery);
      this.recordedAll([delivery]);
      return;
    }
    try {
      const now = new Date();
      const message = { id: delivery.eventId, ...delivery.event };
      // With tracing off, no span closure or attributes are built for the try.
      const { result, requestHeaders } = tracingEnabled()
        ? await traceAttempt(delivery, () => this.sender.sendTo(target, message, now))
        : await this.sender.sendTo(target, message, now);
      this.sendDone(delivery);
      this.recorder.add({
        claimId,
        delivery,
        endpoint: target.endpoint,
        result,
        requestHeaders,
        at: new Date(),
      });
    } catch (error) {
      // The claim is kept: the row comes back when its lease ends, which also spaces out the next try.
      this.logger.error({
        msg: `failed to process: ${error instanceof Error ? error.message : String(error)}`,
        ...deliveryLogFields(delivery),
      });
      this.sendDone(delivery);
      this.recordedAll([delivery]);
    }
  }

  /** Free slots: the concurrency minus the requests open, none while the recorder is far behind. */
  private room(): number {
    if (this.recorder.pending >= this.backlogLimit) return 0;
    return this.settings.concurrency - this.sending;
  }

  /** A request is over: its slot is free, and so is its endpoint's unless it must be recorded first. */
  private sendDone(delivery: ClaimedDelivery): void {
    this.sending--;
    if (!delivery.probe && !delivery.fifo) this.leaveEndpoint(delivery);
    if (this.room() >= this.lowWater) this.nudge();
  }

  /** Tries recorded (or given up): they are no longer held, and a probe's or fifo head's endpoint is free. */
  private recordedAll(deliveries: readonly ClaimedDelivery[]): void {
    for (const delivery of deliveries) {
      this.inFlight.delete(delivery.id);
      if (delivery.probe || delivery.fifo) this.leaveEndpoint(delivery);
    }
    if (this.room() >= this.lowWater) this.nudge();
  }

  private leaveEndpoint(delivery: ClaimedDelivery): void {
    const busy = (this.perEndpoint.get(delivery.endpointId) ?? 1) - 1;
    if (busy <= 0) this.perEndpoint.delete(delivery.endpointId);
    else this.perEndpoint.set(delivery.endpointId, busy);
  }
}

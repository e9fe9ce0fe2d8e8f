import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type DataSource, type EntityManager } from 'typeorm';
import {
  AttemptRepository,
  type ClaimedDelivery,
  DeliveryRepository,
  type EndpointDialect,
  type EndpointEntity,
  EndpointRepository,
  EventRepository,
  type SecretCipher,
} from '@hookyard/data-access';
import {
  classifyStatus,
  type EndpointEvent,
  type FormatSettings,
  nextRetry,
  type ObjectIdGenerator,
  parseRetryAfter,
  type RetryPolicy,
  type StateThresholds,
} from '@hookyard/webhook-core';
import { attemptRow } from './attempt-row';
import { DeliverySender } from './delivery-sender';
import { type OutboundClient, type OutboundResult } from './outbound-client';

export interface WorkerSettings {
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  /** Attempts in flight at once in this process. */
  readonly concurrency: number;
  /** Attempts in flight at once to one endpoint, so one slow endpoint cannot starve the rest. */
  readonly endpointConcurrency: number;
  readonly shutdownGraceMs: number;
  /** Each dialect may keep its own retry schedule (Featurebase documents its own). */
  readonly retryPolicies: Readonly<Record<EndpointDialect, RetryPolicy>>;
  readonly thresholds: StateThresholds;
}

export interface WorkerDependencies {
  readonly dataSource: DataSource;
  readonly cipher: SecretCipher;
  readonly client: OutboundClient;
  readonly ids: ObjectIdGenerator;
  readonly random?: () => number;
  /** What the delivery formats read from the configuration (the platform envelope's environment). */
  readonly formats?: FormatSettings;
}

interface InFlight {
  readonly claimId: string;
  readonly delivery: ClaimedDelivery;
}

/**
 * Claims due deliveries in batches (FOR UPDATE SKIP LOCKED, under a lease renewed by a heartbeat), sends
 * each outside any transaction, then records the attempt, the retry and the endpoint's health in one
 * transaction that first checks the claim is still its own.
 */
export class DeliveryWorker {
  private readonly logger = new Logger('DeliveryWorker');
  private readonly deliveries: DeliveryRepository;
  private readonly endpoints: EndpointRepository;
  private readonly events: EventRepository;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly perEndpoint = new Map<string, number>();
  private running = false;
  private loop: Promise<void> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private readonly sender: DeliverySender;

  constructor(
    private readonly settings: WorkerSettings,
    private readonly deps: WorkerDependencies,
  ) {
    this.deliveries = new DeliveryRepository(deps.dataSource.manager);
    this.endpoints = new EndpointRepository(deps.dataSource.manager);
    this.events = new EventRepository(deps.dataSource.manager);
    this.sender = new DeliverySender(deps.cipher, deps.client, deps.formats);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.heartbeat = setInterval(
      () => void this.renewLeases(),
      Math.max(100, Math.floor(this.settings.leaseMs / 3)),
    );
    this.loop = this.run();
  }

  /**
   * Stops claiming, lets in-flight attempts finish within the grace period, aborts those still open,
   * then releases whatever is left.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.drain(this.settings.shutdownGraceMs);
    if (this.inFlight.size > 0) {
      // Past the grace period: abort the requests still open (each is recorded as a failed try and
      // retried later) before giving anything back, so no other worker sends a delivery this one is
      // still sending.
      this.deps.client.close();
      await this.drain(2_000);
    }
    if (this.heartbeat) clearInterval(this.heartbeat);
    const byClaim = new Map<string, string[]>();
    for (const { claimId, delivery } of this.inFlight.values()) {
      byClaim.set(claimId, [...(byClaim.get(claimId) ?? []), delivery.id]);
    }
    for (const [claimId, ids] of byClaim)
      await this.deliveries.release(claimId, ids).catch(() => undefined);
  }

  private async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.inFlight.size > 0 && Date.now() < deadline) await sleep(20);
  }

  /** How many attempts are in flight now (for tests and metrics). */
  get busy(): number {
    return this.inFlight.size;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.claimBatch();
      } catch (error) {
        this.logger.warn(`claim failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      const full = this.inFlight.size >= this.settings.concurrency;
      if (!this.running) break;
      if (claimed === 0 || full) await this.idle(this.settings.pollIntervalMs);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async claimBatch(): Promise<number> {
    const free = this.settings.concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    const claimId = randomUUID();
    const claimed = await this.deliveries.claimDue(claimId, free, this.settings.leaseMs, {
      perEndpoint: this.settings.endpointConcurrency,
      busy: this.perEndpoint,
    });
    if (claimed.length === 0) return 0;
    // The claim already respects each endpoint's room; this check only guards against a row that
    // slipped past it (one probe or one delivery of a FIFO endpoint per endpoint per batch, nothing
    // else in flight to either; the limit per endpoint for the rest).
    const taken: ClaimedDelivery[] = [];
    const released: string[] = [];
    const single = new Set<string>();
    for (const delivery of claimed) {
      const busy = this.perEndpoint.get(delivery.endpointId) ?? 0;
      const isSingle = delivery.probe || delivery.fifo;
      if (
        busy >= (isSingle ? 1 : this.settings.endpointConcurrency) ||
        (isSingle && single.has(delivery.endpointId))
      ) {
        released.push(delivery.id);
        continue;
      }
      if (isSingle) single.add(delivery.endpointId);
      this.perEndpoint.set(delivery.endpointId, busy + 1);
      this.inFlight.set(delivery.id, { claimId, delivery });
      taken.push(delivery);
    }
    await this.deliveries.release(claimId, released);
    for (const delivery of taken) void this.process(claimId, delivery);
    return taken.length;
  }

  private async renewLeases(): Promise<void> {
    const byClaim = new Map<string, string[]>();
    for (const { claimId, delivery } of this.inFlight.values()) {
      byClaim.set(claimId, [...(byClaim.get(claimId) ?? []), delivery.id]);
    }
    for (const [claimId, ids] of byClaim) {
      await this.deliveries.renew(claimId, ids, this.settings.leaseMs).catch((error: unknown) => {
        this.logger.warn(
          `lease renewal failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }
  }

  private async process(claimId: string, delivery: ClaimedDelivery): Promise<void> {
    try {
      await this.attempt(claimId, delivery);
    } catch (error) {
      // The claim is kept: the row comes back when its lease ends, which also spaces out the next try.
      this.logger.error(
        `delivery ${delivery.id} failed to process: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.inFlight.delete(delivery.id);
      const busy = (this.perEndpoint.get(delivery.endpointId) ?? 1) - 1;
      if (busy <= 0) this.perEndpoint.delete(delivery.endpointId);
      else this.perEndpoint.set(delivery.endpointId, busy);
      this.wake?.();
    }
  }

  private async attempt(claimId: string, delivery: ClaimedDelivery): Promise<void> {
    const { organizationId, endpointId, eventId } = delivery;
    const [endpoint, event, secretRows] = await Promise.all([
      this.endpoints.findById(organizationId, endpointId),
      this.events.findById(organizationId, eventId),
      this.endpoints.secrets(organizationId, endpointId),
    ]);
    if (!endpoint || !event) return; // deleted since: the delivery row went with it
    if (endpoint.status !== 'active') {
      await this.deliveries.release(claimId, [delivery.id]); // held until reactivation
      return;
    }
    const { result, requestHeaders } = await this.sender.send(
      endpoint,
      secretRows,
      event,
      new Date(),
    );
    await this.deps.dataSource.transaction((tx) =>
      this.record(tx, claimId, delivery, endpoint, requestHeaders, result),
    );
  }

  /**
   * Records one try in a single short transaction: first the delivery row, only if this claim still
   * holds it (a worker whose lease ran out records nothing); then, under the endpoint's row lock, the
   * attempt and the endpoint's health and state; a newly suspended endpoint's pending deliveries fail.
   */
  private async record(
    tx: EntityManager,
    claimId: string,
    delivery: ClaimedDelivery,
    sent: EndpointEntity,
    requestHeaders: Record<string, string>,
    result: OutboundResult,
  ): Promise<void> {
    const deliveries = new DeliveryRepository(tx);
    const now = new Date();
    const attemptCount = delivery.attemptCount + 1;
    const outcome = result.kind === 'response' ? classifyStatus(result.status) : 'failure';
    // Every path that touches an endpoint's deliveries locks the endpoint row first (the health sweep
    // and a suspension fail its pending deliveries under that lock), so lock it before the delivery.
    // It also comes before the attempt's foreign key takes a KEY SHARE lock on it.
    const endpoints = new EndpointRepository(tx);
    const endpoint = await endpoints.findByIdForUpdate(
      delivery.organizationId,
      delivery.endpointId,
    );
    if (!endpoint) return;
    let step = this.nextStep(sent, result, outcome, attemptCount, now);
    if (endpoint.status === 'suspended' && step.status === 'pending') {
      step = { status: 'failed', nextAttemptAt: null }; // suspended while this try was in flight
    }
    const finished = await deliveries.finishIfClaimed(claimId, delivery.id, {
      ...step,
      attemptCount,
      at: now,
    });
    if (!finished) {
      this.logger.warn(
        `delivery ${delivery.id}: lease lost before the attempt was recorded; another worker owns it`,
      );
      return;
    }
    await new AttemptRepository(tx).insert(
      delivery.organizationId,
      attemptRow(
        {
          id: this.deps.ids.next(now),
          endpointId: delivery.endpointId,
          deliveryId: delivery.id,
          eventId: delivery.eventId,
          trigger: delivery.trigger,
          createdAt: now,
        },
        result,
        requestHeaders,
      ),
    );
    if (result.kind === 'error' && result.errorClass === 'internal') {
      this.logger.error(`delivery ${delivery.id}: ${result.message}`);
      return; // our fault, not the endpoint's: its health and state stay as they are
    }
    await endpoints.applyEvent(
      endpoint,
      endpointEventOf(result, outcome, now),
      this.settings.thresholds,
    );
  }

  /** After this try: done, retry at a time (the schedule, or Retry-After on 429/503), or give up. */
  private nextStep(
    endpoint: EndpointEntity,
    result: OutboundResult,
    outcome: 'success' | 'failure' | 'gone',
    attemptCount: number,
    now: Date,
  ): { status: 'pending' | 'succeeded' | 'failed'; nextAttemptAt: Date | null } {
    if (outcome === 'success') return { status: 'succeeded', nextAttemptAt: null };
    const retryAfterMs =
      result.kind === 'response' && (result.status === 429 || result.status === 503)
        ? parseRetryAfter(result.headers['retry-after'], now)
        : null;
    const decision = nextRetry(this.settings.retryPolicies[endpoint.dialect], {
      attemptsMade: attemptCount,
      now,
      random: this.deps.random ?? Math.random,
      retryAfterMs,
      statusCode: result.kind === 'response' ? result.status : null,
    });
    return decision.kind === 'retry'
      ? { status: 'pending', nextAttemptAt: decision.at }
      : { status: 'failed', nextAttemptAt: null };
  }
}

function endpointEventOf(
  result: OutboundResult,
  outcome: 'success' | 'failure' | 'gone',
  at: Date,
): EndpointEvent {
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

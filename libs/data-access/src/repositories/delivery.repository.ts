import { type EntityManager, In } from 'typeorm';
import { DeliveryEntity, type DeliveryStatus } from '../entities/delivery.entity';
import { newestFirst, type NewestFirstQuery, ofEndpoint } from './newest-first';
import { returned } from './returned';

/** A delivery a worker has claimed, with what it needs to send it. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly organizationId: string;
  readonly eventId: string;
  readonly endpointId: string;
  readonly attemptCount: number;
  readonly trigger: 'scheduled' | 'manual';
  /** The endpoint is in the penalty box and its cool-down has ended: this is a probe. */
  readonly probe: boolean;
  /** The endpoint's `ordering` is `fifo`: nothing else of it may be in flight. */
  readonly fifo: boolean;
  /** The endpoint's `updated_at` as text: a worker's cached copy of it is current while this matches. */
  readonly endpointVersion: string;
  /** What the send needs of the event, read by the claim itself. */
  readonly event: {
    readonly topic: string;
    readonly data: unknown;
    readonly previousData: unknown;
    readonly createdAt: Date;
  };
}

/** One claimed row, named by the claim that holds it. */
export interface ClaimedRef {
  readonly claimId: string;
  readonly id: string;
}

/** The outcome of one try, for {@link DeliveryRepository.finishMany}. */
export interface DeliveryOutcome extends ClaimedRef {
  readonly status: 'pending' | 'succeeded' | 'failed';
  readonly attemptCount: number;
  readonly nextAttemptAt: Date | null;
  readonly at: Date;
}

/** A delivery row before it is written; the repository sets the organization, `next_trigger` its default. */
export type NewDelivery = Omit<DeliveryEntity, 'organizationId' | 'nextTrigger'>;

/** One page of an endpoint's deliveries, optionally narrowed by status, creation time and topic. */
export interface DeliveryPageQuery extends NewestFirstQuery {
  readonly status?: DeliveryStatus | null;
  /** Made at or after this time. */
  readonly since?: Date | null;
  /** Made at or before this time. */
  readonly until?: Date | null;
  /** Of an event with exactly this topic. */
  readonly topic?: string | null;
}

interface ClaimedRow {
  id: string;
  organization_id: string;
  event_id: string;
  endpoint_id: string;
  attempt_count: number;
  next_trigger: 'scheduled' | 'manual';
  probe: boolean;
  fifo: boolean;
  endpoint_version: string;
  topic: string;
  data: unknown;
  previous_data: unknown;
  event_created_at: Date;
}

/**
 * The deliveries queue. Claims are leases: `claim_id` names the batch that holds a row and
 * `claim_expires_at` ends the lease unless a heartbeat renews it. A worker whose lease ran out can
 * neither renew nor finish the row once another has claimed it.
 *
 * The API's methods take the organization first. The worker's claim methods (`claimDue`, `renew`,
 * `release`, `renewMany`, `releaseMany`, `finishMany`) take claim ids instead: one worker serves every tenant.
 */
export class DeliveryRepository {
  constructor(private readonly manager: EntityManager) {}

  findById(organizationId: string, id: string): Promise<DeliveryEntity | null> {
    return this.manager.findOneBy(DeliveryEntity, { organizationId, id });
  }

  /**
   * The endpoint's deliveries, newest first: one page plus one row. Status and time narrow the range
   * scan of `deliveries_endpoint_newest_idx`; the topic is checked on each row's event by its key, or,
   * for a rare topic, its events are found first through `events_organization_topic_idx`.
   */
  pageByEndpoint(
    organizationId: string,
    endpointId: string,
    page: DeliveryPageQuery,
  ): Promise<DeliveryEntity[]> {
    const query = ofEndpoint(this.manager, DeliveryEntity, organizationId, endpointId);
    if (page.status) query.andWhere('row.status = :status', { status: page.status });
    if (page.since) query.andWhere('row.created_at >= :since', { since: page.since });
    if (page.until) query.andWhere('row.created_at <= :until', { until: page.until });
    if (page.topic) {
      query.andWhere(
        'EXISTS (SELECT 1 FROM events ev WHERE ev.id = row.event_id AND ev.organization_id = row.organization_id AND ev.topic = :topic)',
        { topic: page.topic },
      );
    }
    return newestFirst(query, page).getMany();
  }

  /**
   * The event's deliveries, one per endpoint it went to, oldest first; only those to `endpointIds`
   * when given.
   */
  listByEvent(
    organizationId: string,
    eventId: string,
    endpointIds: readonly string[] | null = null,
  ): Promise<DeliveryEntity[]> {
    if (endpointIds?.length === 0) return Promise.resolve([]);
    return this.manager.find(DeliveryEntity, {
      where: {
        organizationId,
        eventId,
        ...(endpointIds === null ? {} : { endpointId: In([...endpointIds]) }),
      },
      order: { id: 'ASC' },
    });
  }

  /** Whether the event went to any of `endpointIds`. */
  hasDeliveryTo(
    organizationId: string,
    eventId: string,
    endpointIds: readonly string[],
  ): Promise<boolean> {
    if (endpointIds.length === 0) return Promise.resolve(false);
    return this.manager.existsBy(DeliveryEntity, {
      organizationId,
      eventId,
      endpointId: In([...endpointIds]),
    });
  }

  countByEvent(organizationId: string, eventId: string): Promise<number> {
    return this.manager.countBy(DeliveryEntity, { organizationId, eventId });
  }

  /** Inserts the rows in one statement, each under `organizationId`. */
  async insertMany(organizationId: string, deliveries: readonly NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.manager.insert(
      DeliveryEntity,
      deliveries.map((delivery) =>
        Object.assign(new DeliveryEntity(), delivery, { organizationId }),
      ),
    );
  }

  /**
   * Claims up to `limit` due deliveries of active endpoints outside the penalty-box cool-down, oldest
   * due first, taking no more of one endpoint than it has room for: `perEndpoint` minus what this
   * worker already sends to it (`busy`), and a single probe for an endpoint whose cool-down has ended
   * (`probe`), only while nothing else is in flight to it. Endpoints without room are left out before
   * the look-ahead, so one endpoint's backlog cannot fill every batch. Rows are locked with
   * `SKIP LOCKED` and checked again under the lock.
   *
   * A `fifo` endpoint (`fifo`) is sent one delivery at a time, in id order (ids are made at ingest, so
   * in publish order). Its rows are kept out of the look-ahead; instead `heads` takes, per active FIFO
   * endpoint, the head of its queue (the pending delivery with the smallest id, from
   * `deliveries_endpoint_pending_idx`), and only if that head is due and unclaimed and no other
   * pending delivery of the endpoint is claimed by any worker; like a probe, only while this worker
   * sends nothing to it. A head waiting for its retry is not due, so nothing of the endpoint is: later
   * deliveries wait until the head has succeeded or been given up. Held, paused and recovered rows stay
   * pending (or become so again) under their ids, so they keep their place. Under the lock the row must
   * still be the head. The "no other claimed" check reads the endpoint's pending rows, but only when
   * its head could be sent.
   * Cross-tenant: one worker claims the due deliveries of every organization in one query. Every join
   * names the organization as well as the id, as the composite foreign keys do.
   */
  async claimDue(
    claimId: string,
    limit: number,
    leaseMs: number,
    room: { readonly perEndpoint?: number; readonly busy?: ReadonlyMap<string, number> } = {},
  ): Promise<ClaimedDelivery[]> {
    const perEndpoint = room.perEndpoint ?? limit;
    const busy = [...(room.busy ?? new Map<string, number>())];
    const full = busy.filter(([, n]) => n >= perEndpoint).map(([endpointId]) => endpointId);
    const rows = returned<ClaimedRow>(
      await this.manager.query(
        `WITH candidates AS (
           SELECT d.id, d.endpoint_id, d.next_attempt_at, e.penalty_level, false AS fifo FROM deliveries d
           JOIN endpoints e ON e.organization_id = d.organization_id AND e.id = d.endpoint_id
           WHERE d.status = 'pending'
             AND d.next_attempt_at <= now()
             AND (d.claim_expires_at IS NULL OR d.claim_expires_at < now())
             AND e.status = 'active'
             AND e.ordering <> 'fifo'
             AND (e.penalty_until IS NULL OR e.penalty_until <= now())
             AND NOT (d.endpoint_id = ANY($4::char(24)[]))
           ORDER BY d.next_attempt_at
           LIMIT $5
         ), heads AS (
           SELECT head.id, e.id AS endpoint_id, head.next_attempt_at, e.penalty_level, true AS fifo
           FROM endpoints e
           CROSS JOIN LATERAL (
             SELECT h.id, h.next_attempt_at, h.claim_expires_at FROM deliveries h
             WHERE h.organization_id = e.organization_id AND h.endpoint_id = e.id AND h.status = 'pending'
             ORDER BY h.id
             LIMIT 1
           ) head
           WHERE e.ordering = 'fifo'
             AND e.status = 'active'
             AND (e.penalty_until IS NULL OR e.penalty_until <= now())
             AND NOT (e.id = ANY($4::char(24)[]))
             AND head.next_attempt_at <= now()
             AND (head.claim_expires_at IS NULL OR head.claim_expires_at < now())
             AND NOT EXISTS (
               SELECT 1 FROM deliveries held
               WHERE held.organization_id = e.organization_id AND held.endpoint_id = e.id
                 AND held.status = 'pending'
                 AND held.claim_id IS NOT NULL AND held.claim_expires_at >= now())
           ORDER BY head.next_attempt_at
           LIMIT $5
         ), ranked AS (
           SELECT c.id, c.next_attempt_at, c.penalty_level, c.fifo, coalesce(b.busy, 0) AS busy,
             row_number() OVER (PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at, c.id) AS n
           FROM (SELECT * FROM candidates UNION ALL SELECT * FROM heads) c
           LEFT JOIN unnest($6::char(24)[], $7::int[]) AS b(endpoint_id, busy) ON b.endpoint_id = c.endpoint_id
         ), picked AS (
           SELECT id, penalty_level, fifo FROM ranked
           WHERE CASE WHEN penalty_level > 0 OR fifo THEN busy = 0 AND n = 1 ELSE n + busy <= $8 END
           ORDER BY next_attempt_at
           LIMIT $2
         ), due AS (
           SELECT d.id, picked.penalty_level, picked.fifo FROM deliveries d
           JOIN picked ON picked.id = d.id
           WHERE d.status = 'pending' AND (d.claim_expires_at IS NULL OR d.claim_expires_at < now())
             AND (NOT picked.fifo OR NOT EXISTS (
               SELECT 1 FROM deliveries earlier
               WHERE earlier.organization_id = d.organization_id AND earlier.endpoint_id = d.endpoint_id
                 AND earlier.status = 'pending' AND earlier.id < d.id))
           FOR UPDATE OF d SKIP LOCKED
         )
         UPDATE deliveries SET claim_id = $1, claim_expires_at = now() + make_interval(secs => $3::double precision / 1000)
         FROM due, events ev, endpoints ep
         WHERE deliveries.id = due.id
           AND ev.organization_id = deliveries.organization_id AND ev.id = deliveries.event_id
           AND ep.organization_id = deliveries.organization_id AND ep.id = deliveries.endpoint_id
         RETURNING deliveries.id, deliveries.organization_id, deliveries.event_id, deliveries.endpoint_id,
           deliveries.attempt_count, deliveries.next_trigger, due.penalty_level > 0 AS probe, due.fifo,
           ep.updated_at::text AS endpoint_version, ev.topic, ev.data, ev.previous_data,
           ev.created_at AS event_created_at`,
        [
          claimId,
          limit,
          leaseMs,
          full,
          Math.max(100, limit * 10),
          busy.map(([endpointId]) => endpointId),
          busy.map(([, n]) => n),
          perEndpoint,
        ],
      ),
    );
    return rows.map((row) => ({
      id: row.id,
      organizationId: row.organization_id,
      eventId: row.event_id,
      endpointId: row.endpoint_id,
      attemptCount: row.attempt_count,
      trigger: row.next_trigger,
      probe: row.probe,
      fifo: row.fifo,
      endpointVersion: row.endpoint_version,
      event: {
        topic: row.topic,
        data: row.data,
        previousData: row.previous_data,
        createdAt: row.event_created_at,
      },
    }));
  }

  /**
   * Gives rows back to the queue untouched (held, or not started before shutdown).
   * Cross-tenant: scoped by the claim, which may hold rows of several organizations.
   */
  async release(claimId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.manager.query(
      `UPDATE deliveries SET claim_id = NULL, claim_expires_at = NULL WHERE claim_id = $1 AND id = ANY($2::char(24)[])`,
      [claimId, ids],
    );
  }

  /**
   * Extends the lease of every row in `held`, whatever claim holds it, in one statement; returns how
   * many are still held. Cross-tenant: scoped by each row's claim.
   */
  async renewMany(held: readonly ClaimedRef[], leaseMs: number): Promise<number> {
    if (held.length === 0) return 0;
    const rows = returned<{ id: string }>(
      await this.manager.query(
        `UPDATE deliveries d SET claim_expires_at = now() + make_interval(secs => $3::double precision / 1000)
         FROM unnest($1::char(24)[], $2::uuid[]) AS h(id, claim_id)
         WHERE d.id = h.id AND d.claim_id = h.claim_id AND d.status = 'pending'
         RETURNING d.id`,
        [held.map((r) => r.id), held.map((r) => r.claimId), leaseMs],
      ),
    );
    return rows.length;
  }

  /** Gives every row in `held` back to the queue untouched, in one statement (see `release`). */
  async releaseMany(held: readonly ClaimedRef[]): Promise<void> {
    if (held.length === 0) return;
    await this.manager.query(
      `UPDATE deliveries d SET claim_id = NULL, claim_expires_at = NULL
       FROM unnest($1::char(24)[], $2::uuid[]) AS h(id, claim_id)
       WHERE d.id = h.id AND d.claim_id = h.claim_id`,
      [held.map((r) => r.id), held.map((r) => r.claimId)],
    );
  }

  /**
   * Records the outcomes of many tries in one statement, each only if its claim still holds the row
   * (a worker whose lease ran out writes nothing for it); returns the ids it wrote. Inside the
   * recording transaction, this also locks those rows. Cross-tenant: scoped by each row's claim.
   */
  async finishMany(outcomes: readonly DeliveryOutcome[]): Promise<Set<string>> {
    if (outcomes.length === 0) return new Set();
    const rows = returned<{ id: string }>(
      await this.manager.query(
        `UPDATE deliveries d SET status = o.status, attempt_count = o.attempt_count,
           next_attempt_at = o.next_attempt_at, last_attempt_at = o.at,
           completed_at = CASE WHEN o.status = 'pending' THEN NULL ELSE o.at END,
           claim_id = NULL, claim_expires_at = NULL, next_trigger = 'scheduled'
         FROM unnest($1::char(24)[], $2::uuid[], $3::text[], $4::int[], $5::timestamptz[], $6::timestamptz[])
           AS o(id, claim_id, status, attempt_count, next_attempt_at, at)
         WHERE d.id = o.id AND d.claim_id = o.claim_id AND d.status = 'pending'
         RETURNING d.id`,
        [
          outcomes.map((o) => o.id),
          outcomes.map((o) => o.claimId),
          outcomes.map((o) => o.status),
          outcomes.map((o) => o.attemptCount),
          outcomes.map((o) => o.nextAttemptAt),
          outcomes.map((o) => o.at),
        ],
      ),
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * A suspended endpoint's pending deliveries fail (they can be recovered later). Rows a worker is
   * sending right now are left to it: it records the try, and fails the row itself on seeing the
   * endpoint suspended. Call it under the endpoint's row lock.
   */
  /**
   * Makes the endpoint's oldest waiting delivery due now (a penalty-box probe asked for), unless it is
   * claimed; false when there is none to send.
   */
  async dueNowOldestOfEndpoint(organizationId: string, endpointId: string): Promise<boolean> {
    const rows = returned<{ id: string }>(
      await this.manager.query(
        `UPDATE deliveries SET next_attempt_at = now()
         WHERE id = (
           SELECT id FROM deliveries
           WHERE organization_id = $1 AND endpoint_id = $2 AND status = 'pending'
           ORDER BY id LIMIT 1)
           AND (claim_id IS NULL OR claim_expires_at < now())
         RETURNING id`,
        [organizationId, endpointId],
      ),
    );
    return rows.length > 0;
  }

  async failPendingOfEndpoint(
    organizationId: string,
    endpointId: string,
    at: Date,
  ): Promise<number> {
    const rows = returned<{ id: string }>(
      await this.manager.query(
        `UPDATE deliveries SET status = 'failed', completed_at = $3, claim_id = NULL, claim_expires_at = NULL
       WHERE organization_id = $1 AND endpoint_id = $2 AND status = 'pending'
         AND (claim_id IS NULL OR claim_expires_at < now())
       RETURNING id`,
        [organizationId, endpointId, at],
      ),
    );
    return rows.length;
  }

  /**
   * Sends a delivery again now, recorded as `manual` (same event, so the same `webhook-id`). Refused
   * (false) while a worker holds it.
   */
  async retryNow(organizationId: string, id: string): Promise<boolean> {
    const rows = returned<{ id: string }>(
      await this.manager.query(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), next_trigger = 'manual', completed_at = NULL,
           claim_id = NULL, claim_expires_at = NULL
         WHERE organization_id = $1 AND id = $2 AND (claim_id IS NULL OR claim_expires_at < now())
         RETURNING id`,
        [organizationId, id],
      ),
    );
    return rows.length === 1;
  }

  /** Requeues an endpoint's failed deliveries made since `since`, each with a fresh retry schedule. */
  async recoverFailed(organizationId: string, endpointId: string, since: Date): Promise<number> {
    const rows = returned<{ id: string }>(
      await this.manager.query(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), next_trigger = 'manual', attempt_count = 0,
           completed_at = NULL, claim_id = NULL, claim_expires_at = NULL
         WHERE organization_id = $1 AND endpoint_id = $2 AND status = 'failed' AND created_at >= $3
         RETURNING id`,
        [organizationId, endpointId, since],
      ),
    );
    return rows.length;
  }
}

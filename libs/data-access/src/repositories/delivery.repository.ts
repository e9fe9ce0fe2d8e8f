import { type EntityManager, In } from 'typeorm';
import { DeliveryEntity, type DeliveryStatus } from '../entities/delivery.entity';
import { newestFirst, type NewestFirstQuery, ofEndpoint } from './newest-first';
import { returned } from './returned';

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

/**
 * Deliveries as the API sees them, one organization at a time: every method takes the organization
 * first. The worker's cross-tenant queue (claim, renew, release, finish) is
 * {@link DeliveryQueueRepository}.
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

  /**
   * A suspended endpoint's pending deliveries fail (they can be recovered later). Rows a worker is
   * sending right now are left to it: it records the try, and fails the row itself on seeing the
   * endpoint suspended. Call it under the endpoint's row lock.
   */
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

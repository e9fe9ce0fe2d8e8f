import { type EntityManager } from 'typeorm';
import { EventEntity } from '../entities/event.entity';

/** An event to publish. `data` and `previousData` are stored as JSON; no `previousData` is SQL NULL. */
export interface NewEvent {
  readonly id: string;
  readonly topic: string;
  readonly data: unknown;
  readonly previousData?: unknown;
  readonly idempotencyKey: string | null;
  readonly payloadHash: string;
  readonly createdAt: Date;
}

/** Published events. Every method takes the organization first. */
export class EventRepository {
  constructor(private readonly manager: EntityManager) {}

  findById(organizationId: string, id: string): Promise<EventEntity | null> {
    return this.manager.findOneBy(EventEntity, { organizationId, id });
  }

  /** The event of the endpoint's oldest waiting delivery (what its next try sends), if any. */
  async nextPendingFor(organizationId: string, endpointId: string): Promise<EventEntity | null> {
    return this.manager
      .createQueryBuilder(EventEntity, 'event')
      .innerJoin(
        'deliveries',
        'd',
        'd.event_id = event.id AND d.organization_id = event.organization_id',
      )
      .where('event.organization_id = :organizationId', { organizationId })
      .andWhere("d.endpoint_id = :endpointId AND d.status = 'pending'", { endpointId })
      .orderBy('d.id', 'ASC')
      .limit(1)
      .getOne();
  }

  findByIdempotencyKey(organizationId: string, key: string): Promise<EventEntity | null> {
    return this.manager.findOneBy(EventEntity, { organizationId, idempotencyKey: key });
  }

  /**
   * Inserts the event unless the organization already has one with its idempotency key; false when
   * it has (the first one, or a concurrent request's, holds the key).
   */
  async insertUnlessKeyUsed(organizationId: string, event: NewEvent): Promise<boolean> {
    const inserted = await this.manager.query<{ id: string }[]>(
      `INSERT INTO events (id, organization_id, topic, data, previous_data, idempotency_key, payload_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (organization_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING id`,
      [
        event.id,
        organizationId,
        event.topic,
        JSON.stringify(event.data),
        event.previousData === undefined ? null : JSON.stringify(event.previousData),
        event.idempotencyKey,
        event.payloadHash,
        event.createdAt,
      ],
    );
    return inserted.length > 0;
  }
}

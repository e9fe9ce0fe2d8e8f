import { type EntityManager } from 'typeorm';
import { EventEntity } from '../entities/event.entity';

/**
 * An event to publish, its data already serialised (the caller has the text to hash anyway): stored as
 * `jsonb`; no previous data (`null` here) is SQL NULL, while the text `'null'` is a JSON null.
 */
export interface NewEvent {
  readonly id: string;
  readonly topic: string;
  readonly dataJson: string;
  readonly previousDataJson: string | null;
  readonly idempotencyKey: string | null;
  readonly payloadHash: string;
  readonly createdAt: Date;
}

/** What ingest reads of an endpoint to decide whether an event goes to it. */
export interface IngestTarget {
  readonly id: string;
  readonly topics: readonly string[];
  readonly excludedTopics: readonly string[];
}

/**
 * A delivery to make with its event. Its status is decided by the insert from the endpoint's row:
 * `pending` and due at once, or `failed` at once when the endpoint is suspended.
 */
export interface NewEventDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly endpointId: string;
}

/** An event the insert wrote, and how many deliveries it wrote with it. */
export interface IngestedEvent {
  readonly id: string;
  readonly deliveries: number;
}

/** The event that holds an idempotency key, and the number of its deliveries. */
export interface KeyHolder extends IngestedEvent {
  readonly idempotencyKey: string;
  readonly payloadHash: string;
}

/** The channel workers listen on for deliveries that became due now (see `DueSignal`). */
export const DELIVERIES_DUE_CHANNEL = 'hookyard_deliveries_due';

/** Published events. Every method takes the organization first. */
export class EventRepository {
  constructor(private readonly manager: EntityManager) {}

  findById(organizationId: string, id: string): Promise<EventEntity | null> {
    return this.manager.findOneBy(EventEntity, { organizationId, id });
  }

  /** The topics of the organization's events among `ids`, by event id: one narrow query. */
  async topicsOf(organizationId: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.manager.query<{ id: string; topic: string }[]>(
      `SELECT id, topic FROM events WHERE organization_id = $1 AND id = ANY($2::char(24)[])`,
      [organizationId, [...new Set(ids)]],
    );
    return new Map(rows.map((row) => [row.id, row.topic]));
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

  /** The organization's endpoints, only what topic matching needs: one narrow query. */
  ingestTargets(organizationId: string): Promise<IngestTarget[]> {
    return this.manager.query<IngestTarget[]>(
      `SELECT id, topics, excluded_topics AS "excludedTopics" FROM endpoints WHERE organization_id = $1`,
      [organizationId],
    );
  }

  /**
   * Inserts the events and their deliveries in one statement: one round trip, atomic without a
   * transaction.
   * - An event whose idempotency key the organization has already used is not inserted, and neither
   *   are its deliveries. The keys of `events` must be distinct; they are taken in key order, so two
   *   batches that share keys wait for each other instead of deadlocking.
   * - A delivery whose endpoint is not (or no longer) the organization's is left out rather than
   *   failing the foreign key. The endpoint rows are locked `FOR KEY SHARE` (the lock the foreign key
   *   check takes anyway), in id order: the insert waits for a delete in progress and then leaves
   *   that endpoint out, and a later delete waits for the insert and cascades to its deliveries.
   * - The endpoint's status as of the insert decides the delivery's: `failed` at once when it is
   *   suspended (so the event shows in its log and `recover` can send it later), else `pending` and
   *   due at `now`.
   * - It does not notify workers: a `NOTIFY` here would serialise every ingest commit on
   *   PostgreSQL's notification lock. The caller raises a `DueSignal` after it.
   *
   * Returns the events inserted, each with the number of deliveries made for it.
   */
  async insertWithDeliveries(
    organizationId: string,
    events: readonly NewEvent[],
    deliveries: readonly NewEventDelivery[],
    now: Date,
  ): Promise<IngestedEvent[]> {
    if (events.length === 0) return [];
    const rows = await this.manager.query<IngestedEvent[]>(
      `WITH input AS (
         SELECT * FROM unnest($2::char(24)[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
           WITH ORDINALITY AS i(id, topic, data, previous_data, idempotency_key, payload_hash, created_at, n)
       ), ev AS (
         INSERT INTO events (id, organization_id, topic, data, previous_data, idempotency_key, payload_hash, created_at)
         SELECT id, $1, topic, data::jsonb, previous_data::jsonb, idempotency_key, payload_hash, created_at
         FROM input ORDER BY idempotency_key, n
         ON CONFLICT (organization_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING id
       ), targets AS (
         SELECT id, status FROM endpoints
         WHERE organization_id = $1 AND id = ANY($11::char(24)[])
         ORDER BY id
         FOR KEY SHARE
       ), d AS (
         INSERT INTO deliveries (id, organization_id, event_id, endpoint_id, status, attempt_count, next_attempt_at, completed_at, created_at)
         SELECT p.id, $1, p.event_id, p.endpoint_id,
                CASE WHEN t.status = 'suspended' THEN 'failed' ELSE 'pending' END,
                0,
                CASE WHEN t.status = 'suspended' THEN NULL ELSE $12::timestamptz END,
                CASE WHEN t.status = 'suspended' THEN $12::timestamptz END,
                $12::timestamptz
         FROM unnest($9::char(24)[], $10::char(24)[], $11::char(24)[]) AS p(id, event_id, endpoint_id)
         JOIN ev ON ev.id = p.event_id
         JOIN targets t ON t.id = p.endpoint_id
         ORDER BY p.id
         RETURNING event_id, status
       ), counts AS (
         SELECT event_id, count(*)::int AS deliveries FROM d GROUP BY event_id
       )
       SELECT ev.id, coalesce(c.deliveries, 0) AS deliveries
       FROM ev LEFT JOIN counts c ON c.event_id = ev.id`,
      [
        organizationId,
        events.map((e) => e.id),
        events.map((e) => e.topic),
        events.map((e) => e.dataJson),
        events.map((e) => e.previousDataJson),
        events.map((e) => e.idempotencyKey),
        events.map((e) => e.payloadHash),
        events.map((e) => e.createdAt),
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.eventId),
        deliveries.map((d) => d.endpointId),
        now,
      ],
    );
    return rows.map(({ id, deliveries: count }) => ({ id, deliveries: count }));
  }

  /** The events that hold any of `keys`, each with its number of deliveries: one query. */
  async findKeyHolders(organizationId: string, keys: readonly string[]): Promise<KeyHolder[]> {
    if (keys.length === 0) return [];
    return this.manager.query<KeyHolder[]>(
      `SELECT e.id, e.idempotency_key AS "idempotencyKey", e.payload_hash AS "payloadHash",
              (SELECT count(*)::int FROM deliveries d
               WHERE d.organization_id = e.organization_id AND d.event_id = e.id) AS deliveries
       FROM events e
       WHERE e.organization_id = $1 AND e.idempotency_key = ANY($2::text[])`,
      [organizationId, keys],
    );
  }
}

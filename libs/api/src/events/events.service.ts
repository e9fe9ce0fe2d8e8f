import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  DueSignal,
  EventRepository,
  type IngestTarget,
  type NewEvent,
  type NewEventDelivery,
} from '@hookyard/data-access';
import {
  isTopicSelected,
  ObjectIdGenerator,
  TopicCatalogue,
  ValidationCode,
} from '@hookyard/webhook-core';
import { Metrics } from '@hookyard/observability';
import { ApiError, ErrorCode, type FieldError, statusOf } from '../common/api-error';

export interface PublishInput {
  readonly topic: string;
  readonly data: unknown;
  readonly previousData?: unknown;
  readonly idempotencyKey?: string | null;
}

export interface Published {
  readonly id: string;
  readonly deliveries: number;
}

/** Why one event of a batch was not accepted: what `POST /v1/events` would have answered for it. */
export interface BatchItemError {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: FieldError[];
}

/** One event's answer in a batch, at its index in the request. */
export type BatchItemResult =
  | ({ readonly index: number } & Published)
  | { readonly index: number; readonly error: BatchItemError };

const MAX_IDEMPOTENCY_KEY = 255;

/** Where an event's fields are, for error paths: the body and header of one publish, or a batch item. */
interface FieldPaths {
  readonly topic: string;
  readonly idempotencyKey: string;
}

const SINGLE_PATHS: FieldPaths = {
  topic: 'topic',
  idempotencyKey: 'Idempotency-Key',
};

function batchPaths(index: number): FieldPaths {
  const at = `events.${index}`;
  return {
    topic: `${at}.topic`,
    idempotencyKey: `${at}.idempotencyKey`,
  };
}

/** An event that passed the checks, serialised and hashed once. */
interface Checked {
  readonly topic: string;
  readonly dataJson: string;
  readonly previousDataJson: string | null;
  readonly key: string | null;
  readonly payloadHash: string;
  readonly paths: FieldPaths;
}

/**
 * Ingest: the event and one delivery per matching endpoint commit together, so an accepted event is
 * never lost. The same idempotency key returns the first result; with another body it is a 422.
 *
 * Two round trips on the way in, for one event or a hundred: a narrow read of the organization's
 * endpoints (what topic matching needs), then one statement that inserts the events whose keys are
 * free together with their deliveries (`EventRepository.insertWithDeliveries`). After the commit a
 * `DueSignal` wakes idle workers, beside the request rather than in its transaction. Replays of
 * used keys cost one more query, for the events that hold them.
 */
@Injectable()
export class EventsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(TopicCatalogue) private readonly catalogue: TopicCatalogue,
    @Inject(ObjectIdGenerator) private readonly ids: ObjectIdGenerator,
    @Inject(DueSignal) private readonly due: DueSignal,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  async publish(organizationId: string, input: PublishInput): Promise<Published> {
    const checked = this.check(input, SINGLE_PATHS);
    if (checked instanceof ApiError) throw checked;
    const [outcome] = await this.ingest(organizationId, [checked]);
    if (outcome === undefined) throw new Error('ingest answered nothing for the event');
    if (outcome instanceof ApiError) throw outcome;
    return outcome;
  }

  /**
   * Publishes each event as `publish` would, answering each at its index: the events that pass their
   * checks are written together in one statement (all or none of them, so a 2xx means every accepted
   * event is committed), and one that does not is answered with the error `publish` would have thrown
   * for it, without holding the others back. Within a batch the first event with a key takes it;
   * later ones with the same key replay it (or are `IDEMPOTENCY_KEY_REUSED` with another body).
   */
  async publishBatch(
    organizationId: string,
    events: readonly PublishInput[],
  ): Promise<BatchItemResult[]> {
    const checked = events.map((input, index) => this.check(input, batchPaths(index)));
    const outcomes = await this.ingest(
      organizationId,
      checked.filter((item): item is Checked => !(item instanceof ApiError)),
    );
    let next = 0;
    return checked.map((item, index): BatchItemResult => {
      const outcome = item instanceof ApiError ? item : outcomes[next++];
      if (outcome === undefined) throw new Error(`ingest answered nothing for event ${index}`);
      return outcome instanceof ApiError
        ? { index, error: itemError(outcome) }
        : { index, id: outcome.id, deliveries: outcome.deliveries };
    });
  }

  /** The checks of one event, in the order `publish` has always made them; the first failure wins. */
  private check(input: PublishInput, paths: FieldPaths): Checked | ApiError {
    if (!this.catalogue.has(input.topic)) {
      return ApiError.validation(
        [
          {
            path: paths.topic,
            message: 'not a topic of the catalogue',
            code: ValidationCode.TOPIC_UNKNOWN,
          },
        ],
        ValidationCode.TOPIC_UNKNOWN,
      );
    }
    const key = input.idempotencyKey ?? null;
    if (
      key !== null &&
      (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY || /[\u0000-\u001f]/.test(key))
    ) {
      return ApiError.validation([
        {
          path: paths.idempotencyKey,
          message: `must be 1 to ${MAX_IDEMPOTENCY_KEY} printable characters`,
        },
      ]);
    }
    const dataJson = JSON.stringify(input.data);
    const previousDataJson =
      input.previousData === undefined ? null : JSON.stringify(input.previousData);
    // The hash of `[topic, data, previousData ?? null]` as before, built from the texts made above.
    const payloadHash = createHash('sha256')
      .update(`[${JSON.stringify(input.topic)},${dataJson},${previousDataJson ?? 'null'}]`)
      .digest('hex');
    return { topic: input.topic, dataJson, previousDataJson, key, payloadHash, paths };
  }

  /**
   * Writes the events in one statement and answers each (in order) with its result or its error. The
   * first event with a key is the one written for it; every event with a key is then answered from
   * the event that holds the key, written now or before. Only the events written now are counted as
   * accepted.
   */
  private async ingest(
    organizationId: string,
    items: readonly Checked[],
  ): Promise<(Published | ApiError)[]> {
    if (items.length === 0) return [];
    const writes: Checked[] = [];
    const claimed = new Set<string>();
    for (const item of items) {
      if (item.key !== null) {
        if (claimed.has(item.key)) continue;
        claimed.add(item.key);
      }
      writes.push(item);
    }

    const events = new EventRepository(this.dataSource.manager);
    const targets = await events.ingestTargets(organizationId);
    const subscribers = new Map<string, IngestTarget[]>();
    const subscribersOf = (topic: string): IngestTarget[] => {
      let found = subscribers.get(topic);
      if (!found) {
        found = targets.filter((t) =>
          isTopicSelected({ include: t.topics, exclude: t.excludedTopics }, topic),
        );
        subscribers.set(topic, found);
      }
      return found;
    };

    // Ids in publish order, each event's before its deliveries': a FIFO endpoint is sent in id order.
    const now = new Date();
    const rows: NewEvent[] = [];
    const deliveries: NewEventDelivery[] = [];
    const idOf = new Map<Checked, string>();
    for (const item of writes) {
      const id = this.ids.next(now);
      idOf.set(item, id);
      rows.push({
        id,
        topic: item.topic,
        dataJson: item.dataJson,
        previousDataJson: item.previousDataJson,
        idempotencyKey: item.key,
        payloadHash: item.payloadHash,
        createdAt: now,
      });
      for (const target of subscribersOf(item.topic)) {
        deliveries.push({ id: this.ids.next(now), eventId: id, endpointId: target.id });
      }
    }
    const written = await events.insertWithDeliveries(organizationId, rows, deliveries, now);
    // Counted as written (the statement has committed): a replayed key is answered, not accepted again.
    this.metrics.countEventsAccepted('native', organizationId, written.length);
    // Deliveries to a suspended endpoint are made `failed`, not due: a rare wake-up for nothing.
    if (written.some((e) => e.deliveries > 0)) this.due.raise();
    const inserted = new Map(written.map((e) => [e.id, e.deliveries]));

    const holders = new Map<string, { id: string; payloadHash: string; deliveries: number }>();
    const taken: string[] = [];
    for (const item of writes) {
      if (item.key === null) continue;
      const id = idOf.get(item) as string;
      const count = inserted.get(id);
      if (count === undefined) taken.push(item.key);
      else holders.set(item.key, { id, payloadHash: item.payloadHash, deliveries: count });
    }
    for (const holder of await events.findKeyHolders(organizationId, taken)) {
      holders.set(holder.idempotencyKey, holder);
    }

    return items.map((item) => {
      if (item.key === null) {
        const id = idOf.get(item) as string;
        const count = inserted.get(id);
        if (count === undefined) throw new Error(`event ${id} without a key was not inserted`);
        return { id, deliveries: count };
      }
      const holder = holders.get(item.key);
      if (!holder) {
        return new ApiError(
          ErrorCode.CONFLICT,
          'the idempotency key is being used by a concurrent request',
        );
      }
      if (holder.payloadHash !== item.payloadHash) {
        return ApiError.validation(
          [
            {
              path: item.paths.idempotencyKey,
              message: 'already used with a different request body',
            },
          ],
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
        );
      }
      return { id: holder.id, deliveries: holder.deliveries };
    });
  }
}

function itemError(error: ApiError): BatchItemError {
  return {
    status: statusOf(error.code),
    code: error.code,
    detail: error.message,
    errors: [...error.errors],
  };
}

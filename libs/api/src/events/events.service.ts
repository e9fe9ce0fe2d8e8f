import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DeliveryRepository, EndpointRepository, EventRepository } from '@hookyard/data-access';
import {
  isTopicSelected,
  ObjectIdGenerator,
  TopicCatalogue,
  ValidationCode,
} from '@hookyard/webhook-core';
import { ApiError, ErrorCode } from '../common/api-error';

export interface PublishInput {
  readonly topic: string;
  readonly data: unknown;
  readonly previousData?: unknown;
  readonly idempotencyKey?: string;
}

export interface Published {
  readonly id: string;
  readonly deliveries: number;
}

const MAX_IDEMPOTENCY_KEY = 255;

/**
 * Ingest: the event and one delivery per matching endpoint commit together, so an accepted event is
 * never lost. The same idempotency key returns the first result; with another body it is a 422.
 */
@Injectable()
export class EventsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(TopicCatalogue) private readonly catalogue: TopicCatalogue,
    @Inject(ObjectIdGenerator) private readonly ids: ObjectIdGenerator,
  ) {}

  async publish(organizationId: string, input: PublishInput): Promise<Published> {
    if (!this.catalogue.has(input.topic)) {
      throw ApiError.validation(
        [
          {
            path: 'topic',
            message: 'not a topic of the catalogue',
            code: ValidationCode.TOPIC_UNKNOWN,
          },
        ],
        ValidationCode.TOPIC_UNKNOWN,
      );
    }
    const key = input.idempotencyKey;
    if (
      key !== undefined &&
      (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY || /[\u0000-\u001f]/.test(key))
    ) {
      throw ApiError.validation([
        {
          path: 'Idempotency-Key',
          message: `must be 1 to ${MAX_IDEMPOTENCY_KEY} printable characters`,
        },
      ]);
    }
    const payloadHash = createHash('sha256')
      .update(JSON.stringify([input.topic, input.data, input.previousData ?? null]))
      .digest('hex');
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const id = this.ids.next(now);
      const inserted = await new EventRepository(manager).insertUnlessKeyUsed(organizationId, {
        id,
        topic: input.topic,
        data: input.data,
        previousData: input.previousData,
        idempotencyKey: key ?? null,
        payloadHash,
        createdAt: now,
      });
      if (!inserted) return this.replay(manager, organizationId, key as string, payloadHash);
      const endpoints = await new EndpointRepository(manager).listAll(organizationId);
      // A suspended endpoint is not sent to, but it still gets its delivery, failed at once, so the
      // event shows in its log and `recover` can send it after reactivation (as Svix's recover does).
      const matching = endpoints.filter((e) =>
        isTopicSelected({ include: e.topics, exclude: e.excludedTopics }, input.topic),
      );
      await new DeliveryRepository(manager).insertMany(
        organizationId,
        matching.map((endpoint) => ({
          id: this.ids.next(now),
          eventId: id,
          endpointId: endpoint.id,
          ...(endpoint.status === 'suspended'
            ? { status: 'failed' as const, nextAttemptAt: null, completedAt: now }
            : { status: 'pending' as const, nextAttemptAt: now, completedAt: null }),
          attemptCount: 0,
          claimId: null,
          claimExpiresAt: null,
          lastAttemptAt: null,
          createdAt: now,
        })),
      );
      return { id, deliveries: matching.length };
    });
  }

  private async replay(
    manager: EntityManager,
    organizationId: string,
    key: string,
    payloadHash: string,
  ): Promise<Published> {
    const existing = await new EventRepository(manager).findByIdempotencyKey(organizationId, key);
    if (!existing)
      throw new ApiError(
        ErrorCode.CONFLICT,
        'the idempotency key is being used by a concurrent request',
      );
    if (existing.payloadHash !== payloadHash) {
      throw ApiError.validation(
        [{ path: 'Idempotency-Key', message: 'already used with a different request body' }],
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
      );
    }
    return {
      id: existing.id,
      deliveries: await new DeliveryRepository(manager).countByEvent(organizationId, existing.id),
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type AttemptBucket,
  AttemptEntity,
  AttemptRepository,
  DeliveryEntity,
  DeliveryRepository,
  EndpointEntity,
  EndpointRepository,
  EventEntity,
  EventRepository,
} from '@hookyard/data-access';
import { ApiError, ErrorCode } from '../common/api-error';
import { decodeCursor, toPage } from '../common/keyset-cursor';
import { type EndpointScope, reaches } from './endpoint-scope';
import { checkRange, type StatsBucket, statsWindow } from './stats-window';

export interface Page<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}

/** A delivery as the log lists it: with the topic of its event. */
export interface ListedDelivery {
  readonly delivery: DeliveryEntity;
  readonly topic: string;
}

/** The filters of an endpoint's delivery list. */
export interface DeliveryFilter {
  readonly status?: DeliveryEntity['status'];
  readonly since?: Date;
  readonly until?: Date;
  readonly topic?: string;
}

/** What a stats request asks for; each part has a default. */
export interface StatsQuery {
  readonly since?: Date;
  readonly until?: Date;
  readonly bucket?: StatsBucket;
}

/**
 * What was sent and what came back: attempts, deliveries and events, newest first; statistics; retry
 * and recover. Every method takes the organization and the caller's {@link EndpointScope}: an
 * endpoint outside it, or a delivery or event of none inside it, is not found.
 */
@Injectable()
export class DeliveryLogService {
  private readonly attemptRows: AttemptRepository;
  private readonly deliveries: DeliveryRepository;
  private readonly endpoints: EndpointRepository;
  private readonly events: EventRepository;

  constructor(@Inject(DataSource) dataSource: DataSource) {
    this.attemptRows = new AttemptRepository(dataSource.manager);
    this.deliveries = new DeliveryRepository(dataSource.manager);
    this.endpoints = new EndpointRepository(dataSource.manager);
    this.events = new EventRepository(dataSource.manager);
  }

  async attempts(
    organizationId: string,
    scope: EndpointScope,
    endpointId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<AttemptEntity>> {
    await this.endpoint(organizationId, scope, endpointId);
    const rows = await this.attemptRows.pageByEndpoint(organizationId, endpointId, {
      limit,
      after: decodeCursor(cursor),
    });
    return toPage(rows, limit);
  }

  /** The delivery's attempts, newest first. */
  async attemptsOfDelivery(
    organizationId: string,
    scope: EndpointScope,
    deliveryId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<AttemptEntity>> {
    const after = decodeCursor(cursor);
    await this.delivery(organizationId, scope, deliveryId);
    const rows = await this.attemptRows.pageByDelivery(organizationId, deliveryId, {
      limit,
      after,
    });
    return toPage(rows, limit);
  }

  /** The endpoint's deliveries, newest first, with their events' topics (one query per page). */
  async deliveriesOfEndpoint(
    organizationId: string,
    scope: EndpointScope,
    endpointId: string,
    limit: number,
    cursor?: string,
    filter: DeliveryFilter = {},
  ): Promise<Page<ListedDelivery>> {
    checkRange(filter.since, filter.until);
    const after = decodeCursor(cursor);
    await this.endpoint(organizationId, scope, endpointId);
    const rows = await this.deliveries.pageByEndpoint(organizationId, endpointId, {
      limit,
      after,
      ...filter,
    });
    const page = toPage(rows, limit);
    const topics = await this.events.topicsOf(
      organizationId,
      page.data.map((delivery) => delivery.eventId),
    );
    // Deleting an event deletes its deliveries: one whose event went in between is gone too.
    const data = page.data.flatMap((delivery) => {
      const topic = topics.get(delivery.eventId);
      return topic === undefined ? [] : [{ delivery, topic }];
    });
    return { data, nextCursor: page.nextCursor };
  }

  /** The endpoint's attempts per bucket of time (see `statsWindow` for the range and defaults). */
  async stats(
    organizationId: string,
    scope: EndpointScope,
    endpointId: string,
    query: StatsQuery,
    now: Date,
  ): Promise<{ bucket: StatsBucket; data: AttemptBucket[] }> {
    const window = statsWindow(query, now);
    await this.endpoint(organizationId, scope, endpointId);
    return {
      bucket: window.bucket,
      data: await this.attemptRows.statsByEndpoint(organizationId, endpointId, window),
    };
  }

  /** An event; for a scoped caller only one that went to an endpoint in its scope. */
  async event(organizationId: string, scope: EndpointScope, id: string): Promise<EventEntity> {
    const event = await this.events.findById(organizationId, id);
    const reachable =
      scope === null || (await this.deliveries.hasDeliveryTo(organizationId, id, scope));
    if (!event || !reachable) throw ApiError.notFound('event');
    return event;
  }

  /** The event's deliveries; for a scoped caller only those to endpoints in its scope. */
  async deliveriesOfEvent(
    organizationId: string,
    scope: EndpointScope,
    eventId: string,
  ): Promise<ListedDelivery[]> {
    const { topic } = await this.event(organizationId, scope, eventId);
    const deliveries = await this.deliveries.listByEvent(organizationId, eventId, scope);
    return deliveries.map((delivery) => ({ delivery, topic }));
  }

  /** Sends a delivery again now, with its original `webhook-id`; refused for paused or suspended endpoints. */
  async retry(organizationId: string, scope: EndpointScope, id: string): Promise<DeliveryEntity> {
    const delivery = await this.delivery(organizationId, scope, id);
    const endpoint = await this.endpoint(organizationId, scope, delivery.endpointId);
    if (endpoint.status !== 'active') {
      throw new ApiError(
        ErrorCode.CONFLICT,
        `the endpoint is ${endpoint.status}: reactivate it before retrying`,
      );
    }
    if (!(await this.deliveries.retryNow(organizationId, id))) {
      throw new ApiError(ErrorCode.CONFLICT, 'the delivery is being sent right now');
    }
    return (await this.deliveries.findById(organizationId, id)) as DeliveryEntity;
  }

  /** Requeues the endpoint's failed deliveries created since `since`; nothing else is touched. */
  async recover(
    organizationId: string,
    scope: EndpointScope,
    endpointId: string,
    since: Date,
  ): Promise<number> {
    await this.endpoint(organizationId, scope, endpointId);
    return this.deliveries.recoverFailed(organizationId, endpointId, since);
  }

  /** The delivery, if it is the organization's and to an endpoint in the scope; else not found, alike. */
  private async delivery(
    organizationId: string,
    scope: EndpointScope,
    id: string,
  ): Promise<DeliveryEntity> {
    const delivery = await this.deliveries.findById(organizationId, id);
    if (!delivery || !reaches(scope, delivery.endpointId)) throw ApiError.notFound('delivery');
    return delivery;
  }

  /** The endpoint, if it is the organization's and in the scope; else not found, alike. */
  async endpoint(
    organizationId: string,
    scope: EndpointScope,
    id: string,
  ): Promise<EndpointEntity> {
    const endpoint = reaches(scope, id) ? await this.endpoints.findById(organizationId, id) : null;
    if (!endpoint) throw ApiError.notFound('endpoint');
    return endpoint;
  }
}

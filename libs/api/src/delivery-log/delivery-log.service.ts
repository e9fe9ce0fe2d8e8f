import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
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

export interface Page<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}

/** What was sent and what came back: attempts, deliveries and events, newest first; retry and recover. */
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
    endpointId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<AttemptEntity>> {
    await this.endpoint(organizationId, endpointId);
    const rows = await this.attemptRows.pageByEndpoint(organizationId, endpointId, {
      limit,
      after: decodeCursor(cursor),
    });
    return toPage(rows, limit);
  }

  async deliveriesOfEndpoint(
    organizationId: string,
    endpointId: string,
    limit: number,
    cursor?: string,
    status?: DeliveryEntity['status'],
  ): Promise<Page<DeliveryEntity>> {
    await this.endpoint(organizationId, endpointId);
    const rows = await this.deliveries.pageByEndpoint(organizationId, endpointId, {
      limit,
      after: decodeCursor(cursor),
      status,
    });
    return toPage(rows, limit);
  }

  async event(organizationId: string, id: string): Promise<EventEntity> {
    const event = await this.events.findById(organizationId, id);
    if (!event) throw ApiError.notFound('event');
    return event;
  }

  async deliveriesOfEvent(organizationId: string, eventId: string): Promise<DeliveryEntity[]> {
    await this.event(organizationId, eventId);
    return this.deliveries.listByEvent(organizationId, eventId);
  }

  /** Sends a delivery again now, with its original `webhook-id`; refused for paused or suspended endpoints. */
  async retry(organizationId: string, id: string): Promise<DeliveryEntity> {
    const delivery = await this.deliveries.findById(organizationId, id);
    if (!delivery) throw ApiError.notFound('delivery');
    const endpoint = await this.endpoint(organizationId, delivery.endpointId);
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
  async recover(organizationId: string, endpointId: string, since: Date): Promise<number> {
    await this.endpoint(organizationId, endpointId);
    return this.deliveries.recoverFailed(organizationId, endpointId, since);
  }

  private async endpoint(organizationId: string, id: string): Promise<EndpointEntity> {
    const endpoint = await this.endpoints.findById(organizationId, id);
    if (!endpoint) throw ApiError.notFound('endpoint');
    return endpoint;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import {
  AttemptEntity,
  DeliveryEntity,
  DeliveryRepository,
  EndpointEntity,
  EventEntity,
} from '@hookyard/data-access';
import { ApiError, ErrorCode } from '../common/api-error';
import { decodeCursor, type KeysetCursor, toPage } from '../common/keyset-cursor';

export interface Page<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}

/** What was sent and what came back: attempts, deliveries and events, newest first; retry and recover. */
@Injectable()
export class DeliveryLogService {
  private readonly deliveries: DeliveryRepository;

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {
    this.deliveries = new DeliveryRepository(dataSource.manager);
  }

  async attempts(
    organizationId: string,
    endpointId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<AttemptEntity>> {
    await this.endpoint(organizationId, endpointId);
    const query = this.dataSource.manager
      .createQueryBuilder(AttemptEntity, 'row')
      .where('row.organization_id = :organizationId AND row.endpoint_id = :endpointId', {
        organizationId,
        endpointId,
      });
    return toPage(await newestFirst(query, decodeCursor(cursor), limit).getMany(), limit);
  }

  async deliveriesOfEndpoint(
    organizationId: string,
    endpointId: string,
    limit: number,
    cursor?: string,
    status?: DeliveryEntity['status'],
  ): Promise<Page<DeliveryEntity>> {
    await this.endpoint(organizationId, endpointId);
    const query = this.dataSource.manager
      .createQueryBuilder(DeliveryEntity, 'row')
      .where('row.organization_id = :organizationId AND row.endpoint_id = :endpointId', {
        organizationId,
        endpointId,
      });
    if (status) query.andWhere('row.status = :status', { status });
    return toPage(await newestFirst(query, decodeCursor(cursor), limit).getMany(), limit);
  }

  async event(organizationId: string, id: string): Promise<EventEntity> {
    const event = await this.dataSource.manager.findOneBy(EventEntity, { organizationId, id });
    if (!event) throw ApiError.notFound('event');
    return event;
  }

  async deliveriesOfEvent(organizationId: string, eventId: string): Promise<DeliveryEntity[]> {
    await this.event(organizationId, eventId);
    return this.dataSource.manager.find(DeliveryEntity, {
      where: { organizationId, eventId },
      order: { id: 'ASC' },
    });
  }

  /** Sends a delivery again now, with its original `webhook-id`; refused for paused or suspended endpoints. */
  async retry(organizationId: string, id: string): Promise<DeliveryEntity> {
    const delivery = await this.dataSource.manager.findOneBy(DeliveryEntity, {
      organizationId,
      id,
    });
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
    return (await this.dataSource.manager.findOneBy(DeliveryEntity, {
      organizationId,
      id,
    })) as DeliveryEntity;
  }

  /** Requeues the endpoint's failed deliveries created since `since`; nothing else is touched. */
  async recover(organizationId: string, endpointId: string, since: Date): Promise<number> {
    await this.endpoint(organizationId, endpointId);
    return this.deliveries.recoverFailed(organizationId, endpointId, since);
  }

  private async endpoint(organizationId: string, id: string): Promise<EndpointEntity> {
    const endpoint = await this.dataSource.manager.findOneBy(EndpointEntity, {
      organizationId,
      id,
    });
    if (!endpoint) throw ApiError.notFound('endpoint');
    return endpoint;
  }
}

/** Orders newest first and starts after the cursor; fetches one row more than the page. */
function newestFirst<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  cursor: KeysetCursor | null,
  limit: number,
): SelectQueryBuilder<T> {
  if (cursor)
    query.andWhere('(row.created_at, row.id) < (:cursorAt, :cursorId)', {
      cursorAt: cursor.createdAt,
      cursorId: cursor.id,
    });
  return query
    .orderBy('row.created_at', 'DESC')
    .addOrderBy('row.id', 'DESC')
    .take(limit + 1);
}

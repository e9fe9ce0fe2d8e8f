import { And, type EntityManager, type FindOptionsWhere, In, MoreThan } from 'typeorm';
import {
  type EndpointEvent,
  type EndpointState,
  type StateThresholds,
  transition,
} from '@hookyard/webhook-core';
import { EndpointEntity } from '../entities/endpoint.entity';
import { EndpointSecretEntity } from '../entities/endpoint-secret.entity';
import { endpointStateColumns, endpointStateOf } from '../endpoint-state.mapper';
import { DeliveryRepository } from './delivery.repository';

export interface EndpointPageQuery {
  limit: number;
  /** The last id of the previous page; the page holds ids after it, ascending. */
  cursor?: string | null;
  status?: EndpointEntity['status'] | null;
  /** Only these endpoints (a portal session's scope); null or absent = every endpoint. */
  ids?: readonly string[] | null;
}

/** A numbered page: `page` counts from 1, ordered by one column, ties broken by id. */
export interface EndpointOffsetQuery {
  readonly limit: number;
  readonly page: number;
  readonly orderBy: 'createdAt' | 'name';
  readonly direction: 'ASC' | 'DESC';
}

/** Endpoint rows and their secrets. Every method takes the organization first. */
export class EndpointRepository {
  constructor(private readonly manager: EntityManager) {}

  withManager(manager: EntityManager): EndpointRepository {
    return new EndpointRepository(manager);
  }

  findById(organizationId: string, id: string): Promise<EndpointEntity | null> {
    return this.manager.findOneBy(EndpointEntity, { organizationId, id });
  }

  /**
   * Applies one state-machine event to an endpoint row the caller has locked: writes the new state
   * if it changed, and fails the endpoint's waiting deliveries when it has just been suspended.
   */
  async applyEvent(
    endpoint: EndpointEntity,
    event: EndpointEvent,
    thresholds: StateThresholds,
  ): Promise<{ before: EndpointState; after: EndpointState }> {
    const { organizationId, id } = endpoint;
    const before = endpointStateOf(endpoint);
    const after = transition(before, event, thresholds);
    if (after === before) return { before, after };
    await this.manager.update(EndpointEntity, { organizationId, id }, endpointStateColumns(after));
    if (after.status === 'suspended' && before.status !== 'suspended') {
      await new DeliveryRepository(this.manager).failPendingOfEndpoint(
        organizationId,
        id,
        event.at,
      );
    }
    return { before, after };
  }

  /** Locks the row for the rest of the transaction (the manager must be transactional). */
  findByIdForUpdate(organizationId: string, id: string): Promise<EndpointEntity | null> {
    return this.manager
      .createQueryBuilder(EndpointEntity, 'e')
      .setLock('pessimistic_write')
      .where('e.organization_id = :organizationId AND e.id = :id', { organizationId, id })
      .getOne();
  }

  /** One page plus one row, so the caller knows whether another page follows. */
  page(organizationId: string, query: EndpointPageQuery): Promise<EndpointEntity[]> {
    const where: FindOptionsWhere<EndpointEntity> = { organizationId };
    const idConditions = [
      ...(query.ids ? [In([...query.ids])] : []),
      ...(query.cursor ? [MoreThan(query.cursor)] : []),
    ];
    if (idConditions.length > 0) where.id = And(...idConditions);
    if (query.status) where.status = query.status;
    return this.manager.find(EndpointEntity, {
      where,
      order: { id: 'ASC' },
      take: query.limit + 1,
    });
  }

  /** One numbered page of the organization's endpoints and how many it has in all. */
  pageByNumber(
    organizationId: string,
    query: EndpointOffsetQuery,
  ): Promise<[EndpointEntity[], number]> {
    return this.manager.findAndCount(EndpointEntity, {
      where: { organizationId },
      order: { [query.orderBy]: query.direction, id: query.direction },
      skip: (query.page - 1) * query.limit,
      take: query.limit,
    });
  }

  /** The topics and excluded topics of those of `ids` the organization has. */
  subscriptions(
    organizationId: string,
    ids: readonly string[],
  ): Promise<Pick<EndpointEntity, 'id' | 'topics' | 'excludedTopics'>[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.manager.find(EndpointEntity, {
      select: { id: true, topics: true, excludedTopics: true },
      where: { organizationId, id: In([...ids]) },
    });
  }

  count(organizationId: string): Promise<number> {
    return this.manager.countBy(EndpointEntity, { organizationId });
  }

  async insert(endpoint: EndpointEntity): Promise<void> {
    await this.manager.insert(EndpointEntity, endpoint);
  }

  async save(endpoint: EndpointEntity): Promise<EndpointEntity> {
    return this.manager.save(EndpointEntity, endpoint);
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.manager.delete(EndpointEntity, { organizationId, id });
    return (result.affected ?? 0) > 0;
  }

  secrets(organizationId: string, endpointId: string): Promise<EndpointSecretEntity[]> {
    return this.manager.find(EndpointSecretEntity, {
      where: { organizationId, endpointId },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  /**
   * The secrets of several endpoints in one query, by endpoint id, each list in the order of
   * `secrets`; an id of another organization, or of no endpoint, gets no entry.
   */
  async secretsByEndpoint(
    organizationId: string,
    endpointIds: readonly string[],
  ): Promise<Map<string, EndpointSecretEntity[]>> {
    const byEndpoint = new Map<string, EndpointSecretEntity[]>();
    if (endpointIds.length === 0) return byEndpoint;
    const rows = await this.manager.find(EndpointSecretEntity, {
      where: { organizationId, endpointId: In([...endpointIds]) },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    for (const row of rows) {
      const list = byEndpoint.get(row.endpointId);
      if (list) list.push(row);
      else byEndpoint.set(row.endpointId, [row]);
    }
    return byEndpoint;
  }

  /** Replaces the endpoint's secret set (call inside a transaction). */
  async replaceSecrets(
    organizationId: string,
    endpointId: string,
    secrets: EndpointSecretEntity[],
  ): Promise<void> {
    await this.manager.delete(EndpointSecretEntity, { organizationId, endpointId });
    if (secrets.length > 0) await this.manager.insert(EndpointSecretEntity, secrets);
  }
}

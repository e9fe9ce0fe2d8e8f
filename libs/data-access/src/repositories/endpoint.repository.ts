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

/** The endpoint columns a send reads, and the encrypted credential of its outbound authentication. */
export type DeliveryTargetEndpoint = Pick<
  EndpointEntity,
  | 'id'
  | 'organizationId'
  | 'dialect'
  | 'url'
  | 'timeoutMs'
  | 'headers'
  | 'authType'
  | 'authUsername'
  | 'authHeaderName'
  | 'authSecretEnc'
  | 'includePreviousData'
>;

/** What a worker needs to send to an endpoint: its request settings and its secrets, encrypted. */
export interface DeliveryTargetRow {
  readonly endpoint: DeliveryTargetEndpoint;
  /** The endpoint's `updated_at` as text, the version a worker's cache keys it by. */
  readonly version: string;
  readonly secrets: readonly Pick<
    EndpointSecretEntity,
    'id' | 'organizationId' | 'secretEnc' | 'createdAt' | 'expiresAt'
  >[];
  /** The organization's own outbound allowance (`organizations.outbound_allow`). */
  readonly outboundAllow: readonly string[];
}

/** An endpoint's state after a batch of tries, for {@link EndpointRepository.writeStates}. */
export interface EndpointStateWrite {
  readonly id: string;
  readonly state: EndpointState;
}

interface TargetRow {
  id: string;
  organization_id: string;
  dialect: EndpointEntity['dialect'];
  url: string;
  timeout_ms: number;
  headers: Record<string, string>;
  auth_type: EndpointEntity['authType'];
  auth_username: string | null;
  auth_header_name: string | null;
  auth_secret_enc: string | null;
  include_previous_data: boolean;
  version: string;
  secrets: { id: string; secretEnc: string; createdAt: string; expiresAt: string | null }[];
  outbound_allow: string[];
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

  /** Every endpoint of the organization (ingest matches an event against all of them). */
  listAll(organizationId: string): Promise<EndpointEntity[]> {
    return this.manager.find(EndpointEntity, { where: { organizationId } });
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

  /**
   * The delivery targets of `ids` with their secrets, in one query. Cross-tenant: the worker loads the
   * endpoints of a claimed batch, whichever organizations they belong to.
   */
  async deliveryTargets(ids: readonly string[]): Promise<DeliveryTargetRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.manager.query<TargetRow[]>(
      `SELECT e.id, e.organization_id, e.dialect, e.url, e.timeout_ms, e.headers, e.auth_type,
         e.auth_username, e.auth_header_name, e.auth_secret_enc, e.include_previous_data,
         e.updated_at::text AS version,
         coalesce((SELECT json_agg(json_build_object('id', s.id, 'secretEnc', s.secret_enc,
             'createdAt', s.created_at, 'expiresAt', s.expires_at) ORDER BY s.created_at DESC, s.id DESC)
           FROM endpoint_secrets s WHERE s.organization_id = e.organization_id AND s.endpoint_id = e.id),
           '[]'::json) AS secrets,
         o.outbound_allow
       FROM endpoints e JOIN organizations o ON o.id = e.organization_id
       WHERE e.id = ANY($1::char(24)[])`,
      [ids],
    );
    return rows.map((row) => ({
      endpoint: {
        id: row.id,
        organizationId: row.organization_id,
        dialect: row.dialect,
        url: row.url,
        timeoutMs: row.timeout_ms,
        headers: row.headers,
        authType: row.auth_type,
        authUsername: row.auth_username,
        authHeaderName: row.auth_header_name,
        authSecretEnc: row.auth_secret_enc,
        includePreviousData: row.include_previous_data,
      },
      version: row.version,
      secrets: row.secrets.map((secret) => ({
        id: secret.id,
        organizationId: row.organization_id,
        secretEnc: secret.secretEnc,
        createdAt: new Date(secret.createdAt),
        expiresAt: secret.expiresAt === null ? null : new Date(secret.expiresAt),
      })),
      outboundAllow: row.outbound_allow,
    }));
  }

  /**
   * Locks the rows of `ids` in id order with `FOR NO KEY UPDATE` (the manager must be transactional),
   * so workers recording tries never deadlock on each other, and ingest's foreign-key locks (`KEY
   * SHARE`) never wait on them. Cross-tenant: the worker records tries of several organizations.
   */
  lockForRecording(ids: readonly string[]): Promise<EndpointEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.manager
      .createQueryBuilder(EndpointEntity, 'e')
      .setLock('for_no_key_update')
      .where('e.id IN (:...ids)', { ids: [...ids] })
      .orderBy('e.id')
      .getMany();
  }

  /**
   * Writes the state of several endpoints in one statement, under the locks of `lockForRecording`.
   * Cross-tenant, like that lock.
   */
  async writeStates(writes: readonly EndpointStateWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const columns = writes.map((w) => endpointStateColumns(w.state));
    const pick = <T>(get: (c: Partial<EndpointEntity>) => T) => columns.map(get);
    await this.manager.query(
      `UPDATE endpoints e SET status = w.status, status_reason = w.status_reason,
         avg_response_time = w.avg_response_time, last_response_time = w.last_response_time,
         consecutive_failures = w.consecutive_failures,
         errors_since_last_success = w.errors_since_last_success, last_success_at = w.last_success_at,
         failing_since = w.failing_since, sample_count = w.sample_count,
         last_status_code = w.last_status_code, last_status_message = w.last_status_message,
         last_status_at = w.last_status_at, penalty_until = w.penalty_until,
         penalty_level = w.penalty_level, paused_at = w.paused_at, suspended_at = w.suspended_at
       FROM unnest($1::char(24)[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[],
         $8::timestamptz[], $9::timestamptz[], $10::int[], $11::int[], $12::text[], $13::timestamptz[],
         $14::timestamptz[], $15::int[], $16::timestamptz[], $17::timestamptz[])
         AS w(id, status, status_reason, avg_response_time, last_response_time, consecutive_failures,
           errors_since_last_success, last_success_at, failing_since, sample_count, last_status_code,
           last_status_message, last_status_at, penalty_until, penalty_level, paused_at, suspended_at)
       WHERE e.id = w.id`,
      [
        writes.map((w) => w.id),
        pick((c) => c.status),
        pick((c) => c.statusReason),
        pick((c) => c.avgResponseTime),
        pick((c) => c.lastResponseTime),
        pick((c) => c.consecutiveFailures),
        pick((c) => c.errorsSinceLastSuccess),
        pick((c) => c.lastSuccessAt),
        pick((c) => c.failingSince),
        pick((c) => c.sampleCount),
        pick((c) => c.lastStatusCode),
        pick((c) => c.lastStatusMessage),
        pick((c) => c.lastStatusAt),
        pick((c) => c.penaltyUntil),
        pick((c) => c.penaltyLevel),
        pick((c) => c.pausedAt),
        pick((c) => c.suspendedAt),
      ],
    );
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

  /** Those of `ids` that are endpoints of the organization. */
  async existingIds(organizationId: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.manager.find(EndpointEntity, {
      select: { id: true },
      where: { organizationId, id: In([...ids]) },
    });
    return rows.map((row) => row.id);
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

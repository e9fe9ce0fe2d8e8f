import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  applyEndpointState,
  DeliveryRepository,
  EndpointEntity,
  type EndpointOffsetQuery,
  type EndpointPageQuery,
  EndpointRepository,
  EndpointSecretEntity,
  endpointStateOf,
  OrganizationRepository,
  SecretCipher,
} from '@hookyard/data-access';
import {
  combinePolicies,
  type OutboundPolicy,
  parseOutboundAllow,
  credentialsLeftBehind,
  dialectDefinition,
  type Subscription,
  generateSecretFor,
  initialEndpointState,
  ObjectIdGenerator,
  TopicCatalogue,
  transition,
} from '@hookyard/webhook-core';
import { ApiError, ErrorCode } from '../common/api-error';
import { HOOKYARD_CONFIG } from '../common/config.module';
import { type HookyardConfig } from '@hookyard/config';
import {
  type DialectRules,
  type EndpointInput,
  type EndpointPatch,
  type SecretRoll,
  type SecretSet,
} from './endpoint-input';
import { EndpointSecrets } from './endpoint-secrets';
import {
  assertTargetAllowed,
  assertValid,
  assertWithinCeilings,
  endpointFieldRules,
} from './endpoint-write-rules';

export interface EndpointPage {
  readonly data: EndpointEntity[];
  readonly nextCursor: string | null;
}

/** Endpoint use cases shared by every dialect: validation, limits, secrets, status changes. */
@Injectable()
export class EndpointsService {
  private readonly logger = new Logger('Endpoints');
  private readonly endpoints: EndpointRepository;
  private readonly outbound: OutboundPolicy;
  private readonly secretKeeper: EndpointSecrets;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(HOOKYARD_CONFIG) private readonly config: HookyardConfig,
    @Inject(SecretCipher) cipher: SecretCipher,
    @Inject(TopicCatalogue) private readonly catalogue: TopicCatalogue,
    @Inject(ObjectIdGenerator) private readonly ids: ObjectIdGenerator,
  ) {
    this.endpoints = new EndpointRepository(dataSource.manager);
    this.secretKeeper = new EndpointSecrets(cipher, ids);
    this.outbound = parseOutboundAllow(config.outboundAllow);
  }

  async get(organizationId: string, id: string): Promise<EndpointEntity> {
    const endpoint = await this.endpoints.findById(organizationId, id);
    if (!endpoint) throw ApiError.notFound('endpoint');
    return endpoint;
  }

  async list(organizationId: string, query: EndpointPageQuery): Promise<EndpointPage> {
    const rows = await this.endpoints.page(organizationId, query);
    const data = rows.slice(0, query.limit);
    const last = data[data.length - 1];
    return { data, nextCursor: rows.length > query.limit && last ? last.id : null };
  }

  /** One numbered page (the platform dialect's paging) and the organization's endpoint count. */
  async listPage(
    organizationId: string,
    query: EndpointOffsetQuery,
  ): Promise<{ data: EndpointEntity[]; total: number }> {
    const [data, total] = await this.endpoints.pageByNumber(organizationId, query);
    return { data, total };
  }

  /**
   * An endpoint as `create` would make it, validated (the SSRF guard included) but not stored: for
   * testing a configuration before creating it.
   */
  async draft(
    organizationId: string,
    input: EndpointInput,
    rules: DialectRules,
  ): Promise<{ endpoint: EndpointEntity; secrets: EndpointSecretEntity[] }> {
    const secret = input.secret ?? generateSecretFor(input.signingProtocol ?? 'HmacSHA256');
    assertValid(
      endpointFieldRules(input, {
        allowHttp: this.allowHttp(rules),
        rules,
        catalogue: this.catalogue,
      }),
    );
    if (input.secret !== undefined) this.secretKeeper.assertValid(input.secret);
    await this.assertTargetAllowed(organizationId, input.url);
    const now = new Date();
    const endpoint = new EndpointEntity();
    Object.assign(endpoint, {
      id: this.ids.next(now),
      organizationId,
      dialect: input.dialect,
      url: input.url,
      name: input.name ?? new URL(input.url).hostname,
      description: input.description ?? null,
      topics: [...input.topics],
      excludedTopics: [...(input.excludedTopics ?? [])],
      timeoutMs: input.timeoutMs ?? dialectDefinition(input.dialect).defaultTimeoutMs,
      headers: { ...(input.headers ?? {}) },
      signingProtocol: 'standard-webhooks-v1',
      payloadVersion: '1.0',
      includePreviousData: input.includePreviousData ?? false,
      ordering: input.ordering ?? 'none',
      reference: input.reference ?? null,
      email: input.email ?? null,
      createdAt: now,
      updatedAt: now,
    });
    this.secretKeeper.applyAuthentication(endpoint, input.authentication ?? { type: 'none' });
    applyEndpointState(endpoint, initialEndpointState());
    if (input.status === 'paused')
      applyEndpointState(
        endpoint,
        transition(
          endpointStateOf(endpoint),
          { type: 'manual_pause', at: now },
          this.config.thresholds,
        ),
      );
    return {
      endpoint,
      secrets: [this.secretKeeper.row(organizationId, endpoint.id, secret, now, null)],
    };
  }

  async create(
    organizationId: string,
    input: EndpointInput,
    rules: DialectRules,
  ): Promise<EndpointEntity> {
    const { endpoint, secrets } = await this.draft(organizationId, input, rules);
    await this.dataSource.transaction(async (manager) => {
      await new OrganizationRepository(manager).lockForUpdate(organizationId);
      const repository = this.endpoints.withManager(manager);
      const limit = await this.endpointLimit(manager, organizationId);
      if ((await repository.count(organizationId)) >= limit) {
        throw new ApiError(
          ErrorCode.ENDPOINT_LIMIT_REACHED,
          `this organization has reached its limit of ${limit} endpoints`,
        );
      }
      await repository.insert(endpoint);
      await repository.replaceSecrets(organizationId, endpoint.id, secrets);
    });
    this.logger.log(`endpoint ${endpoint.id} created for organization ${organizationId}`);
    return endpoint;
  }

  /**
   * Applies a partial update. With `ceilings` (an endpoint-scoped portal session's), the topics and
   * excluded topics may only narrow: stay within one of them or within what the endpoint has now.
   */
  async update(
    organizationId: string,
    id: string,
    patch: EndpointPatch,
    rules: DialectRules,
    ceilings: readonly Subscription[] | null = null,
  ): Promise<EndpointEntity> {
    return this.apply(organizationId, id, patch, rules, null, ceilings);
  }

  /**
   * Applies a partial update and, with `roll`, issues a new secret in the same transaction: both
   * happen or neither does (the platform dialect's roll carries an update, and either may release the
   * penalty box).
   */
  async updateAndRoll(
    organizationId: string,
    id: string,
    patch: EndpointPatch,
    rules: DialectRules,
    roll: SecretRoll | null,
  ): Promise<EndpointEntity> {
    return this.apply(organizationId, id, patch, rules, roll, null);
  }

  private async apply(
    organizationId: string,
    id: string,
    patch: EndpointPatch,
    rules: DialectRules,
    roll: SecretRoll | null,
    ceilings: readonly Subscription[] | null,
  ): Promise<EndpointEntity> {
    assertValid(
      endpointFieldRules(patch, {
        allowHttp: this.allowHttp(rules),
        rules,
        catalogue: this.catalogue,
      }),
    );
    if (patch.url !== undefined) await this.assertTargetAllowed(organizationId, patch.url);
    return this.dataSource.transaction(async (manager) => {
      const repository = this.endpoints.withManager(manager);
      const endpoint = await repository.findByIdForUpdate(organizationId, id);
      if (!endpoint) throw ApiError.notFound('endpoint');
      assertValid([credentialsLeftBehind(endpoint, patch)]);
      if (ceilings !== null) assertWithinCeilings(ceilings, endpoint, patch);
      const now = new Date();
      if (patch.url !== undefined) endpoint.url = patch.url;
      if (patch.name !== undefined) endpoint.name = patch.name;
      if (patch.description !== undefined) endpoint.description = patch.description;
      if (patch.topics !== undefined) endpoint.topics = [...patch.topics];
      if (patch.excludedTopics !== undefined) endpoint.excludedTopics = [...patch.excludedTopics];
      if (patch.timeoutMs !== undefined) endpoint.timeoutMs = patch.timeoutMs;
      if (patch.headers !== undefined) endpoint.headers = { ...patch.headers };
      if (patch.includePreviousData !== undefined)
        endpoint.includePreviousData = patch.includePreviousData;
      if (patch.authentication !== undefined)
        this.secretKeeper.applyAuthentication(endpoint, patch.authentication);
      if (patch.ordering !== undefined) endpoint.ordering = patch.ordering;
      if (patch.reference !== undefined) endpoint.reference = patch.reference;
      if (patch.email !== undefined) endpoint.email = patch.email;
      if (patch.status !== undefined) {
        const event =
          patch.status === 'active'
            ? { type: 'reactivate' as const, at: now }
            : { type: 'manual_pause' as const, at: now };
        applyEndpointState(
          endpoint,
          transition(endpointStateOf(endpoint), event, this.config.thresholds),
        );
      }
      if (patch.releasePenalty === true && endpoint.penaltyUntil !== null) {
        applyEndpointState(
          endpoint,
          transition(
            endpointStateOf(endpoint),
            { type: 'penalty_released', at: now },
            this.config.thresholds,
          ),
        );
      }
      if (roll !== null) await this.secretKeeper.roll(repository, endpoint, roll, undefined, now);
      endpoint.updatedAt = now;
      return repository.save(endpoint);
    });
  }

  /**
   * Feeds one penalty-box event to the endpoint's state machine (`probe_now` ends the cool-down,
   * `penalty_released` lets it out); 409 when the endpoint is not in the penalty box.
   */
  async penaltyBox(
    organizationId: string,
    id: string,
    type: 'probe_now' | 'penalty_released',
  ): Promise<EndpointEntity> {
    return this.dataSource.transaction(async (manager) => {
      const repository = this.endpoints.withManager(manager);
      const endpoint = await repository.findByIdForUpdate(organizationId, id);
      if (!endpoint) throw ApiError.notFound('endpoint');
      if (endpoint.penaltyUntil === null) {
        throw new ApiError(ErrorCode.CONFLICT, 'the endpoint is not in the penalty box');
      }
      const now = new Date();
      applyEndpointState(
        endpoint,
        transition(endpointStateOf(endpoint), { type, at: now }, this.config.thresholds),
      );
      // The probe sends the oldest waiting delivery, even if its retry was not due yet.
      if (type === 'probe_now')
        await new DeliveryRepository(manager).dueNowOldestOfEndpoint(organizationId, id);
      endpoint.updatedAt = now;
      return repository.save(endpoint);
    });
  }

  async delete(organizationId: string, id: string): Promise<void> {
    if (!(await this.endpoints.delete(organizationId, id))) throw ApiError.notFound('endpoint');
    this.logger.log(`endpoint ${id} deleted for organization ${organizationId}`);
  }

  /** The secrets that currently sign: the current one and any previous one inside its grace window. */
  async secrets(organizationId: string, id: string): Promise<SecretSet> {
    await this.get(organizationId, id);
    return this.secretKeeper.setOf(await this.endpoints.secrets(organizationId, id), new Date());
  }

  /**
   * The secrets of several endpoints (a page of them) in one query, in the order of `ids`. An id
   * that is no endpoint of the organization, one deleted since its page was read, is a 404 as in
   * `secrets`.
   */
  async secretSets(organizationId: string, ids: readonly string[]): Promise<SecretSet[]> {
    const byEndpoint = await this.endpoints.secretsByEndpoint(organizationId, ids);
    const now = new Date();
    return ids.map((id) => {
      const rows = byEndpoint.get(id);
      if (!rows) throw ApiError.notFound('endpoint');
      return this.secretKeeper.setOf(rows, now);
    });
  }

  /**
   * Issues a new secret. With a grace window the old one keeps signing until it ends; with 0 it stops at
   * once (the Featurebase refresh).
   */
  async rotateSecret(
    organizationId: string,
    id: string,
    graceSeconds: number,
    newSecret?: string,
  ): Promise<SecretSet> {
    if (newSecret !== undefined) this.secretKeeper.assertValid(newSecret);
    return this.dataSource.transaction(async (manager) => {
      const repository = this.endpoints.withManager(manager);
      const endpoint = await repository.findByIdForUpdate(organizationId, id);
      if (!endpoint) throw ApiError.notFound('endpoint');
      const now = new Date();
      const rows = await this.secretKeeper.roll(
        repository,
        endpoint,
        { graceSeconds },
        newSecret,
        now,
      );
      endpoint.updatedAt = now;
      await repository.save(endpoint);
      return this.secretKeeper.setOf(rows, now);
    });
  }

  private allowHttp(rules: DialectRules): boolean | 'loopback' {
    if (rules.alwaysHttps) return false;
    if (!this.config.requireHttps) return true;
    return this.config.localMode ? 'loopback' : false;
  }

  private async endpointLimit(manager: EntityManager, organizationId: string): Promise<number> {
    const organization = await new OrganizationRepository(manager).findById(organizationId);
    return organization?.endpointLimit ?? this.config.endpointLimit;
  }

  /**
   * The organization's own outbound allowance (`outboundAllow`, set by an operator): it lets that
   * organization alone through the SSRF guard, beside `HOOKYARD_OUTBOUND_ALLOW`.
   */
  async outboundAllowOf(organizationId: string): Promise<string[]> {
    const organization = await new OrganizationRepository(this.dataSource.manager).findById(
      organizationId,
    );
    return organization?.outboundAllow ?? [];
  }

  /** The write-time SSRF check, with the organization's own allowance beside the global one. */
  private async assertTargetAllowed(organizationId: string, url: string): Promise<void> {
    const own = parseOutboundAllow(await this.outboundAllowOf(organizationId));
    assertTargetAllowed(url, combinePolicies(this.outbound, own));
  }
}

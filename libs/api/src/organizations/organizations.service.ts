import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ApiKeyRepository,
  OrganizationEntity,
  OrganizationRepository,
} from '@hookyard/data-access';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { ApiKeyService, hashApiKey } from '../auth/api-key.service';
import { ALL_PERMISSIONS } from '../auth/permissions';
import { ApiError, ErrorCode } from '../common/api-error';
import { outboundAllowErrors } from './outbound-allow.util';
import { portalOriginErrors } from './portal-origins.util';

export const DEFAULT_ORGANIZATION_NAME = 'default';

/** Tenants: made by the CLI, or once at start-up for the bootstrap key; their settings. */
@Injectable()
export class OrganizationsService {
  private readonly logger = new Logger('Organizations');

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ApiKeyService) private readonly apiKeys: ApiKeyService,
    @Inject(ObjectIdGenerator) private readonly ids: ObjectIdGenerator,
  ) {}

  /** Makes an organization with one all-permission key; returns the key (shown once). */
  async create(name: string): Promise<{ organizationId: string; apiKey: string }> {
    return this.dataSource.transaction((manager) => this.insert(manager, name, new Date()));
  }

  /** The organization; 404 when it does not exist (an operator key naming an unknown one). */
  async get(organizationId: string): Promise<OrganizationEntity> {
    const organization = await new OrganizationRepository(this.dataSource.manager).findById(
      organizationId,
    );
    if (!organization) throw ApiError.notFound('organization');
    return organization;
  }

  /**
   * Changes the settings given: the origins that may embed the tenant portal (each checked: they go
   * into a CSP header) and the organization's own outbound allowance, which only an `operator` may
   * set (a tenant could otherwise open its deployment's internal network to itself).
   */
  async update(
    organizationId: string,
    patch: { portalAllowedOrigins?: readonly string[]; outboundAllow?: readonly string[] },
    operator: boolean,
  ): Promise<OrganizationEntity> {
    const { portalAllowedOrigins: origins, outboundAllow } = patch;
    if (outboundAllow !== undefined && !operator) {
      const message = 'only an operator key may set the outbound allowance';
      throw ApiError.validation(
        [{ path: 'outboundAllow', message, code: ErrorCode.OPERATOR_ONLY }],
        ErrorCode.OPERATOR_ONLY,
      );
    }
    const errors = [
      ...(origins === undefined ? [] : portalOriginErrors(origins)),
      ...(outboundAllow === undefined ? [] : outboundAllowErrors(outboundAllow)),
    ];
    if (errors.length > 0) throw ApiError.validation(errors);
    const found = await this.dataSource.transaction(async (manager) => {
      const repository = new OrganizationRepository(manager);
      if (!(await repository.findById(organizationId))) return false;
      if (origins !== undefined) await repository.setPortalAllowedOrigins(organizationId, origins);
      if (outboundAllow !== undefined)
        await repository.setOutboundAllow(
          organizationId,
          outboundAllow.map((entry) => entry.trim()),
        );
      return true;
    });
    if (!found) throw ApiError.notFound('organization');
    return this.get(organizationId);
  }

  /**
   * Makes `key` the bootstrap key: the first one makes the `default` organization; a new value
   * replaces the bootstrap key on that organization (the old key and its portal sessions are
   * revoked, the organization's other keys stay). A key that exists already is left as it is.
   * Processes starting together take turns (an advisory lock), so they make one organization.
   */
  async ensureBootstrapKey(key: string): Promise<void> {
    const now = new Date();
    const outcome = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('hookyard.bootstrap-key'))`);
      const keys = new ApiKeyRepository(manager);
      const existing = await keys.findByHash(hashApiKey(key));
      if (existing) return { kind: 'kept' as const, revoked: existing.revokedAt !== null };
      const previous = await keys.findBootstrap();
      if (!previous?.organizationId) {
        const created = await this.insert(manager, DEFAULT_ORGANIZATION_NAME, now, key);
        return { kind: 'created' as const, organizationId: created.organizationId };
      }
      const revoked =
        previous.revokedAt === null &&
        (await this.apiKeys.revokeWithSessions(manager, previous.organizationId, previous.id, now));
      await this.apiKeys.create(previous.organizationId, previous.name, [ALL_PERMISSIONS], now, {
        repository: keys,
        key,
        bootstrap: true,
      });
      return {
        kind: 'replaced' as const,
        organizationId: previous.organizationId,
        revokedKeyId: revoked ? previous.id : null,
      };
    });
    switch (outcome.kind) {
      case 'kept':
        if (outcome.revoked)
          this.logger.warn('HOOKYARD_BOOTSTRAP_API_KEY is a revoked key: it stays revoked');
        return;
      case 'created':
        this.logger.log(
          `bootstrap organization ${outcome.organizationId} created with the configured API key`,
        );
        return;
      case 'replaced':
        if (outcome.revokedKeyId) this.apiKeys.forgetRevoked(outcome.revokedKeyId);
        this.logger.log(
          `bootstrap key of organization ${outcome.organizationId} replaced by the configured API key`,
        );
    }
  }

  /** An organization and its all-permission key, the bootstrap key when `key` is given. */
  private async insert(
    manager: EntityManager,
    name: string,
    now: Date,
    key?: string,
  ): Promise<{ organizationId: string; apiKey: string }> {
    const organization = Object.assign(new OrganizationEntity(), {
      id: this.ids.next(now),
      name,
      endpointLimit: null,
      featurebaseVersion: null,
      portalAllowedOrigins: [],
      outboundAllow: [],
      uid: null,
      rateLimits: null,
      retryScheduleSeconds: null,
      thresholds: null,
      deletedAt: null,
      createdAt: now,
    });
    await new OrganizationRepository(manager).insert(organization);
    const created = await this.apiKeys.create(
      organization.id,
      `${name} admin`,
      [ALL_PERMISSIONS],
      now,
      {
        repository: new ApiKeyRepository(manager),
        key,
        bootstrap: key !== undefined,
      },
    );
    return { organizationId: organization.id, apiKey: created.key };
  }
}

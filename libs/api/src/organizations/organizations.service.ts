import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ApiKeyRepository,
  lockOrganizationUid,
  lockBootstrapKeys,
  OrganizationEntity,
  OrganizationRepository,
} from '@hookyard/data-access';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { ApiKeyService, hashApiKey } from '../auth/api-key.service';
import { ALL_PERMISSIONS } from '../auth/permissions';
import { ApiError, ErrorCode } from '../common/api-error';
import { assertUidFree, assertUidShape } from '../tenancy/organization-uid';
import { outboundAllowErrors } from './outbound-allow.util';
import { portalOriginErrors } from './portal-origins.util';

export const DEFAULT_ORGANIZATION_NAME = 'default';
/** The name of the key `HOOKYARD_BOOTSTRAP_OPERATOR_KEY` makes first; a new value keeps it. */
export const OPERATOR_BOOTSTRAP_NAME = 'bootstrap operator';

/** What differs between the two bootstrap variables. */
interface BootstrapKind {
  readonly variable: string;
  /** The key belongs to no organization. */
  readonly operator: boolean;
}
const TENANT_BOOTSTRAP: BootstrapKind = { variable: 'HOOKYARD_BOOTSTRAP_API_KEY', operator: false };
const OPERATOR_BOOTSTRAP: BootstrapKind = {
  variable: 'HOOKYARD_BOOTSTRAP_OPERATOR_KEY',
  operator: true,
};

/** Tenants: made by the CLI, or once at start-up for the bootstrap keys; their settings. */
@Injectable()
export class OrganizationsService {
  private readonly logger = new Logger('Organizations');

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ApiKeyService) private readonly apiKeys: ApiKeyService,
    @Inject(ObjectIdGenerator) private readonly ids: ObjectIdGenerator,
  ) {}

  /**
   * Makes an organization with one all-permission key; returns the key (shown once). A `uid` is
   * checked as the API checks it: its shape, and that no live organization has it (`UID_TAKEN`).
   */
  async create(name: string, uid?: string): Promise<{ organizationId: string; apiKey: string }> {
    assertUidShape(uid);
    return this.dataSource.transaction(async (manager) => {
      if (uid !== undefined) await lockOrganizationUid(manager, uid);
      await assertUidFree(manager, uid);
      return this.insert(manager, { name, uid }, new Date());
    });
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
   * Makes `key` the bootstrap key (`HOOKYARD_BOOTSTRAP_API_KEY`): the first one makes the `default`
   * organization; a new value replaces the bootstrap key on that organization (the old key and its
   * portal sessions are revoked, the organization's other keys stay). A key that exists already is
   * left as it is.
   */
  ensureBootstrapKey(key: string): Promise<void> {
    return this.ensureBootstrap(key, TENANT_BOOTSTRAP);
  }

  /**
   * Makes `key` the bootstrap operator key (`HOOKYARD_BOOTSTRAP_OPERATOR_KEY`), an all-permission key
   * of no organization: a new value revokes the previous one with its portal sessions, the operator's
   * other keys stay. A key that exists already is left as it is.
   */
  ensureBootstrapOperatorKey(key: string): Promise<void> {
    return this.ensureBootstrap(key, OPERATOR_BOOTSTRAP);
  }

  /**
   * The one way both bootstrap variables take effect. Processes starting together take turns (an
   * advisory lock), so they make one organization and one replacement between them.
   */
  private async ensureBootstrap(key: string, kind: BootstrapKind): Promise<void> {
    const now = new Date();
    const outcome = await this.dataSource.transaction(async (manager) => {
      await lockBootstrapKeys(manager);
      const keys = new ApiKeyRepository(manager);
      const existing = await keys.findByHash(hashApiKey(key));
      if (existing)
        return {
          kind: 'kept' as const,
          revoked: existing.revokedAt !== null,
          otherKind: (existing.organizationId === null) !== kind.operator,
        };
      const previous = await keys.findBootstrap(kind.operator);
      if (!previous && !kind.operator) {
        const created = await this.insert(manager, { name: DEFAULT_ORGANIZATION_NAME, key }, now);
        return { kind: 'created' as const, organizationId: created.organizationId };
      }
      const revoked =
        previous !== null &&
        previous.revokedAt === null &&
        (await this.apiKeys.revokeWithSessions(manager, previous.organizationId, previous.id, now));
      const organizationId = previous?.organizationId ?? null;
      await this.apiKeys.create(
        organizationId,
        previous?.name ?? OPERATOR_BOOTSTRAP_NAME,
        [ALL_PERMISSIONS],
        now,
        { repository: keys, key, bootstrap: true },
      );
      return {
        kind: previous ? ('replaced' as const) : ('created' as const),
        organizationId,
        revokedKeyId: revoked && previous ? previous.id : null,
      };
    });
    const holder =
      outcome.kind !== 'kept' && outcome.organizationId !== null
        ? `organization ${outcome.organizationId}`
        : 'the operator';
    switch (outcome.kind) {
      case 'kept':
        if (outcome.otherKind)
          this.logger.warn(
            `${kind.variable} is a key of ${kind.operator ? 'an organization' : 'the operator'}: it is left as it is`,
          );
        else if (outcome.revoked)
          this.logger.warn(`${kind.variable} is a revoked key: it stays revoked`);
        return;
      case 'created':
        this.logger.log(`bootstrap key of ${holder} created from ${kind.variable}`);
        return;
      case 'replaced':
        if (outcome.revokedKeyId) this.apiKeys.forgetRevoked(outcome.revokedKeyId);
        this.logger.log(`bootstrap key of ${holder} replaced by ${kind.variable}`);
    }
  }

  /** An organization and its all-permission key, the bootstrap key when `key` is given. */
  private async insert(
    manager: EntityManager,
    { name, uid, key }: { readonly name: string; readonly uid?: string; readonly key?: string },
    now: Date,
  ): Promise<{ organizationId: string; apiKey: string }> {
    const organization = Object.assign(new OrganizationEntity(), {
      id: this.ids.next(now),
      name,
      endpointLimit: null,
      portalAllowedOrigins: [],
      outboundAllow: [],
      uid: uid ?? null,
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

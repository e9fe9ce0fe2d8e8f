import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ApiKeyRepository,
  lockOrganizationUid,
  OrganizationEntity,
  OrganizationRepository,
  stopOrganization,
} from '@hookyard/data-access';
import { isObjectId, ObjectIdGenerator } from '@hookyard/webhook-core';
import { ApiKeyService } from '../auth/api-key.service';
import { ApiError, ErrorCode } from '../common/api-error';
import { PortalSessionsService } from '../portal-sessions/portal-sessions.service';
import {
  type CreateOrganizationDto,
  type UpdateOrganizationAdminDto,
  type UpsertOrganizationDto,
} from './dto/organization-admin.dto';
import { OrganizationDirectory } from './organization-directory';
import { assertUidFree, assertUidShape } from './organization-uid';
import { settingsColumns, settingsErrors } from './organization-settings';

export interface OrganizationPage {
  readonly data: OrganizationEntity[];
  readonly nextCursor: string | null;
}

/**
 * Organizations as an operator's resource: made, listed, changed, upserted by the operator's own
 * `uid`, and deleted. A deletion stops the organization in one transaction (its keys and portal
 * sessions revoked, its endpoints paused, its unclaimed deliveries cancelled); the worker's purge job
 * removes its rows afterwards, in small batches.
 */
@Injectable()
export class OrganizationsAdminService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ObjectIdGenerator) private readonly ids: ObjectIdGenerator,
    @Inject(ApiKeyService) private readonly apiKeys: ApiKeyService,
    @Inject(PortalSessionsService) private readonly portalSessions: PortalSessionsService,
    @Inject(OrganizationDirectory) private readonly directory: OrganizationDirectory,
  ) {}

  async create(body: CreateOrganizationDto, now: Date): Promise<OrganizationEntity> {
    assertSettings(body);
    assertUidShape(body.uid);
    return this.dataSource.transaction(async (manager) => {
      if (body.uid !== undefined) await lockOrganizationUid(manager, body.uid);
      await assertUidFree(manager, body.uid);
      return this.insert(manager, body, now);
    });
  }

  /**
   * Creates the organization with `uid` or brings an existing one to `body`; `created` says which.
   * Calls with the same uid take turns (an advisory lock), so two at once make one organization.
   */
  async upsert(
    uid: string,
    body: UpsertOrganizationDto,
    now: Date,
  ): Promise<{ organization: OrganizationEntity; created: boolean }> {
    assertUidShape(uid);
    assertSettings(body);
    const outcome = await this.dataSource.transaction(async (manager) => {
      await lockOrganizationUid(manager, uid);
      const repository = new OrganizationRepository(manager);
      const existing = await repository.findLiveByUid(uid);
      if (!existing)
        return { organization: await this.insert(manager, { ...body, uid }, now), created: true };
      await this.apply(manager, existing, body);
      return { organization: existing, created: false };
    });
    if (!outcome.created)
      return { organization: await this.get(outcome.organization.id), created: false };
    return outcome;
  }

  async list(query: { limit: number; cursor?: string; uid?: string }): Promise<OrganizationPage> {
    if (query.cursor !== undefined && !isObjectId(query.cursor)) {
      throw ApiError.validation(
        [{ path: 'cursor', message: 'not a cursor this API returned' }],
        ErrorCode.PAGINATION_INVALID,
      );
    }
    const rows = await new OrganizationRepository(this.dataSource.manager).listLive({
      afterId: query.cursor,
      uid: query.uid,
      limit: query.limit,
    });
    const data = rows.slice(0, query.limit);
    const last = data[data.length - 1];
    return { data, nextCursor: rows.length > query.limit && last ? last.id : null };
  }

  /** The live organization `idOrUid` names; 404 otherwise. */
  async get(idOrUid: string): Promise<OrganizationEntity> {
    const repository = new OrganizationRepository(this.dataSource.manager);
    const organization = isObjectId(idOrUid)
      ? await repository.findLiveById(idOrUid)
      : await repository.findLiveByUid(idOrUid);
    if (!organization) throw ApiError.notFound('organization');
    return organization;
  }

  async update(idOrUid: string, body: UpdateOrganizationAdminDto): Promise<OrganizationEntity> {
    assertSettings(body);
    assertUidShape(body.uid);
    const { id } = await this.get(idOrUid);
    await this.dataSource.transaction(async (manager) => {
      const current = await new OrganizationRepository(manager).findLiveById(id);
      if (!current) throw ApiError.notFound('organization');
      if (body.uid !== undefined && body.uid !== current.uid) {
        if (current.uid !== null) {
          throw ApiError.validation([
            { path: 'uid', message: 'an organization’s uid is fixed once set' },
          ]);
        }
        await lockOrganizationUid(manager, body.uid);
        await assertUidFree(manager, body.uid);
        await manager.update(OrganizationEntity, { id }, { uid: body.uid });
      }
      await this.apply(manager, current, body);
    });
    this.directory.forget(id);
    return this.get(id);
  }

  /**
   * Stops the organization at once: its keys and portal sessions revoked (401 from now on, in other
   * processes within their caches' time), its endpoints paused, its deliveries not yet claimed
   * cancelled; a send already under way finishes and is recorded.
   */
  async delete(idOrUid: string, now: Date): Promise<void> {
    const { id } = await this.get(idOrUid);
    const revokedKeys = await this.dataSource.transaction(async (manager) => {
      if (!(await stopOrganization(manager, id, now))) throw ApiError.notFound('organization');
      return new ApiKeyRepository(manager).revokeAllOf(id, now);
    });
    this.directory.forget(id);
    for (const keyId of revokedKeys) this.apiKeys.forgetRevoked(keyId);
    this.portalSessions.forgetOrganization(id);
  }

  private async insert(
    manager: EntityManager,
    body: CreateOrganizationDto,
    now: Date,
  ): Promise<OrganizationEntity> {
    const organization = Object.assign(new OrganizationEntity(), {
      id: this.ids.next(now),
      uid: body.uid ?? null,
      name: body.name,
      endpointLimit: null,
      featurebaseVersion: null,
      portalAllowedOrigins: [],
      outboundAllow: [],
      rateLimits: null,
      retryScheduleSeconds: null,
      thresholds: null,
      createdAt: now,
      deletedAt: null,
    });
    Object.assign(organization, settingsColumns(null, body.settings));
    await new OrganizationRepository(manager).insert(organization);
    return organization;
  }

  /** Writes the name and settings that differ from `current`. */
  private async apply(
    manager: EntityManager,
    current: OrganizationEntity,
    body: UpdateOrganizationAdminDto,
  ): Promise<void> {
    const repository = new OrganizationRepository(manager);
    const { outboundAllow, ...columns } = settingsColumns(current, body.settings);
    const name = body.name !== undefined && body.name !== current.name ? { name: body.name } : {};
    await repository.updateLive(current.id, { ...name, ...columns });
    // Through its own method: the organization's endpoints must pick the allowance up.
    if (outboundAllow !== undefined) await repository.setOutboundAllow(current.id, outboundAllow);
  }
}

function assertSettings(body: Pick<CreateOrganizationDto, 'settings'>): void {
  const errors = settingsErrors(body.settings);
  if (errors.length > 0) throw ApiError.validation(errors);
}

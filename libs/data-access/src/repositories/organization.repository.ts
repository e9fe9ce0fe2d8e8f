import { type EntityManager, IsNull } from 'typeorm';
import { OrganizationEntity } from '../entities/organization.entity';

/** Tenants. The organization's id is its tenant key, so `findById` is scoped by construction. */
export class OrganizationRepository {
  constructor(private readonly manager: EntityManager) {}

  findById(organizationId: string): Promise<OrganizationEntity | null> {
    return this.manager.findOneBy(OrganizationEntity, { id: organizationId });
  }

  /**
   * Locks the organization's row for the rest of the transaction (the manager must be
   * transactional), so writes that count its rows against a limit take turns.
   */
  async lockForUpdate(organizationId: string): Promise<void> {
    await this.manager.query('SELECT id FROM organizations WHERE id = $1 FOR UPDATE', [
      organizationId,
    ]);
  }

  /** The organization unless it was deleted. */
  findLiveById(organizationId: string): Promise<OrganizationEntity | null> {
    return this.manager.findOneBy(OrganizationEntity, { id: organizationId, deletedAt: IsNull() });
  }

  /** The live organization with this uid (unique among live organizations). */
  findLiveByUid(uid: string): Promise<OrganizationEntity | null> {
    return this.manager.findOneBy(OrganizationEntity, { uid, deletedAt: IsNull() });
  }

  /**
   * A page of live organizations in ascending id order after `afterId`, optionally only the one
   * with `uid`; `limit + 1` rows are read so the caller knows whether another page follows.
   */
  listLive(options: {
    afterId?: string;
    uid?: string;
    limit: number;
  }): Promise<OrganizationEntity[]> {
    const query = this.manager
      .createQueryBuilder(OrganizationEntity, 'o')
      .where('o.deleted_at IS NULL')
      .orderBy('o.id', 'ASC')
      .limit(options.limit + 1);
    if (options.afterId !== undefined)
      query.andWhere('o.id > :afterId', { afterId: options.afterId });
    if (options.uid !== undefined) query.andWhere('o.uid = :uid', { uid: options.uid });
    return query.getMany();
  }

  /** Writes the given columns of a live organization; false when there is none. */
  async updateLive(
    organizationId: string,
    patch: Partial<
      Pick<
        OrganizationEntity,
        | 'name'
        | 'endpointLimit'
        | 'portalAllowedOrigins'
        | 'rateLimits'
        | 'retryScheduleSeconds'
        | 'thresholds'
      >
    >,
  ): Promise<boolean> {
    if (Object.keys(patch).length === 0) return (await this.findLiveById(organizationId)) !== null;
    const result = await this.manager.update(
      OrganizationEntity,
      { id: organizationId, deletedAt: IsNull() },
      patch,
    );
    return (result.affected ?? 0) > 0;
  }

  async insert(organization: OrganizationEntity): Promise<void> {
    await this.manager.insert(OrganizationEntity, organization);
  }

  /** Replaces the origins that may embed the tenant portal; false when there is no such organization. */
  async setPortalAllowedOrigins(
    organizationId: string,
    origins: readonly string[],
  ): Promise<boolean> {
    const result = await this.manager.update(
      OrganizationEntity,
      { id: organizationId },
      { portalAllowedOrigins: [...origins] },
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Replaces the organization's own outbound allowance (the manager must be transactional) and bumps
   * its endpoints' `updated_at`, the version a worker caches an endpoint's send target by, so every
   * worker picks up the new allowance on its next claim. False when there is no such organization.
   */
  async setOutboundAllow(organizationId: string, entries: readonly string[]): Promise<boolean> {
    const result = await this.manager.update(
      OrganizationEntity,
      { id: organizationId },
      { outboundAllow: [...entries] },
    );
    if ((result.affected ?? 0) === 0) return false;
    await this.manager.query(
      `UPDATE endpoints SET updated_at = clock_timestamp() WHERE organization_id = $1`,
      [organizationId],
    );
    return true;
  }
}

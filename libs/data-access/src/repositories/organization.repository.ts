import { type EntityManager } from 'typeorm';
import { OrganizationEntity } from '../entities/organization.entity';

/** Tenants. The organization's id is its tenant key, so `findById` is scoped by construction. */
export class OrganizationRepository {
  constructor(private readonly manager: EntityManager) {}

  findById(organizationId: string): Promise<OrganizationEntity | null> {
    return this.manager.findOneBy(OrganizationEntity, { id: organizationId });
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

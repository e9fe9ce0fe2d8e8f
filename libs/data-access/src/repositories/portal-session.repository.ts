import { type EntityManager, IsNull } from 'typeorm';
import { PortalSessionEntity } from '../entities/portal-session.entity';
import { newestFirst, type NewestFirstQuery } from './newest-first';

/**
 * Tenant-portal sessions. Two reads are unscoped, as a request has no organization before them: the
 * lookup by token hash (how a portal request finds its organization) and by id for the console page
 * (`/console/portal?session=<id>`, which needs the organization's allowed frame ancestors). Revoking
 * the sessions of a key is keyed by the key alone: an operator key's sessions span organizations.
 */
export class PortalSessionRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Any session with this hash, revoked or expired too: the caller tells those apart. */
  findByTokenHash(tokenHash: string): Promise<PortalSessionEntity | null> {
    return this.manager.findOneBy(PortalSessionEntity, { tokenHash });
  }

  /** Unscoped: the console page knows only the session id from its URL. */
  findAnyById(id: string): Promise<PortalSessionEntity | null> {
    return this.manager.findOneBy(PortalSessionEntity, { id });
  }

  findById(organizationId: string, id: string): Promise<PortalSessionEntity | null> {
    return this.manager.findOneBy(PortalSessionEntity, { organizationId, id });
  }

  async insert(session: PortalSessionEntity): Promise<void> {
    await this.manager.insert(PortalSessionEntity, session);
  }

  /** Revokes a session of the organization that is not revoked yet; false when there is none. */
  async revoke(organizationId: string, id: string, at: Date): Promise<boolean> {
    const result = await this.manager.update(
      PortalSessionEntity,
      { organizationId, id, revokedAt: IsNull() },
      { revokedAt: at },
    );
    return (result.affected ?? 0) > 0;
  }

  /** The organization's sessions neither revoked nor expired at `now`, newest first (one row more). */
  pageLive(
    organizationId: string,
    now: Date,
    page: NewestFirstQuery,
  ): Promise<PortalSessionEntity[]> {
    const query = this.manager
      .createQueryBuilder(PortalSessionEntity, 'row')
      .where('row.organization_id = :organizationId', { organizationId })
      .andWhere('row.revoked_at IS NULL AND row.expires_at > :now', { now });
    return newestFirst(query, page).getMany();
  }

  /** Revokes every session the key made that is not revoked yet; returns how many. */
  async revokeCreatedBy(keyId: string, at: Date): Promise<number> {
    const result = await this.manager.update(
      PortalSessionEntity,
      { createdByKeyId: keyId, revokedAt: IsNull() },
      { revokedAt: at },
    );
    return result.affected ?? 0;
  }
}

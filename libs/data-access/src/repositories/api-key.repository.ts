import { type EntityManager, IsNull } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity';

/**
 * API keys. Lookup by hash is unscoped (it is how a request finds its organization), and so is the
 * start-up's lookup of the bootstrap key.
 */
export class ApiKeyRepository {
  constructor(private readonly manager: EntityManager) {}

  findActiveByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.manager.findOneBy(ApiKeyEntity, { keyHash, revokedAt: IsNull() });
  }

  /** Any key with this hash, revoked or not. */
  findByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.manager.findOneBy(ApiKeyEntity, { keyHash });
  }

  /**
   * The newest key `HOOKYARD_BOOTSTRAP_API_KEY` made, revoked or not: its organization is the one a
   * new value of the variable goes to. Unscoped, as the start-up that asks has no organization yet.
   */
  findBootstrap(): Promise<ApiKeyEntity | null> {
    return this.manager.findOne(ApiKeyEntity, {
      where: { bootstrap: true },
      order: { id: 'DESC' },
    });
  }

  list(organizationId: string): Promise<ApiKeyEntity[]> {
    return this.manager.find(ApiKeyEntity, {
      where: { organizationId, revokedAt: IsNull() },
      order: { id: 'ASC' },
    });
  }

  findActiveById(organizationId: string, id: string): Promise<ApiKeyEntity | null> {
    return this.manager.findOneBy(ApiKeyEntity, { organizationId, id, revokedAt: IsNull() });
  }

  async insert(key: ApiKeyEntity): Promise<void> {
    await this.manager.insert(ApiKeyEntity, key);
  }

  async revoke(organizationId: string, id: string, at: Date): Promise<boolean> {
    const result = await this.manager.update(
      ApiKeyEntity,
      { organizationId, id, revokedAt: IsNull() },
      { revokedAt: at },
    );
    return (result.affected ?? 0) > 0;
  }
}

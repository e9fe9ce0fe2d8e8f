import { type EntityManager, IsNull, Not } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity';
import { returned } from './returned';

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
   * The newest key `HOOKYARD_BOOTSTRAP_API_KEY` made (`HOOKYARD_BOOTSTRAP_OPERATOR_KEY` when
   * `operator`), revoked or not: its organization is the one a new value of the variable goes to. Unscoped, as the start-up that asks has no organization yet.
   */
  findBootstrap(operator = false): Promise<ApiKeyEntity | null> {
    return this.manager.findOne(ApiKeyEntity, {
      where: { bootstrap: true, organizationId: operator ? IsNull() : Not(IsNull()) },
      order: { id: 'DESC' },
    });
  }

  list(organizationId: string): Promise<ApiKeyEntity[]> {
    return this.manager.find(ApiKeyEntity, {
      where: { organizationId, revokedAt: IsNull() },
      order: { id: 'ASC' },
    });
  }

  /** A live key of the organization, or an operator key when `organizationId` is null. */
  findActiveById(organizationId: string | null, id: string): Promise<ApiKeyEntity | null> {
    return this.manager.findOneBy(ApiKeyEntity, {
      organizationId: organizationId ?? IsNull(),
      id,
      revokedAt: IsNull(),
    });
  }

  /**
   * Whether the key is live (neither revoked nor expired), holding its row until the transaction
   * ends, so a revocation waits for what the key does in it. Unscoped: an operator key has no
   * organization.
   */
  async holdLive(id: string, now: Date): Promise<boolean> {
    const rows = await this.manager.query<unknown[]>(
      `SELECT 1 FROM api_keys WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) FOR SHARE`,
      [id, now],
    );
    return rows.length > 0;
  }

  async insert(key: ApiKeyEntity): Promise<void> {
    await this.manager.insert(ApiKeyEntity, key);
  }

  /**
   * Revokes the live keys `keyId` minted, the keys those minted, and so on; returns their ids.
   * Cross-tenant by design: an operator key mints keys of organizations.
   */
  async revokeMintedBy(keyId: string, at: Date): Promise<string[]> {
    const result: unknown = await this.manager.query(
      `WITH RECURSIVE minted(id) AS (
         SELECT id FROM api_keys WHERE created_by_key_id = $1 AND revoked_at IS NULL
         UNION
         SELECT k.id FROM api_keys k JOIN minted m ON k.created_by_key_id = m.id
         WHERE k.revoked_at IS NULL
       )
       UPDATE api_keys SET revoked_at = $2 WHERE id IN (SELECT id FROM minted) RETURNING id`,
      [keyId, at],
    );
    return returned<{ id: string }>(result).map((row) => row.id);
  }

  /** Revokes every live key of the organization; returns their ids. */
  async revokeAllOf(organizationId: string, at: Date): Promise<string[]> {
    const result: unknown = await this.manager.query(
      `UPDATE api_keys SET revoked_at = $2 WHERE organization_id = $1 AND revoked_at IS NULL RETURNING id`,
      [organizationId, at],
    );
    return returned<{ id: string }>(result).map((row) => row.id);
  }

  /** Operator keys (of no organization) that are not revoked, oldest first. */
  listOperatorKeys(): Promise<ApiKeyEntity[]> {
    return this.manager.find(ApiKeyEntity, {
      where: { organizationId: IsNull(), revokedAt: IsNull() },
      order: { id: 'ASC' },
    });
  }

  /** Revokes an operator key; false when there is no such live one. */
  async revokeOperatorKey(id: string, at: Date): Promise<boolean> {
    const result = await this.manager.update(
      ApiKeyEntity,
      { organizationId: IsNull(), id, revokedAt: IsNull() },
      { revokedAt: at },
    );
    return (result.affected ?? 0) > 0;
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

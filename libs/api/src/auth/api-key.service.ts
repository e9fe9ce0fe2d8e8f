import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ApiKeyEntity, ApiKeyRepository, PortalSessionRepository } from '@hookyard/data-access';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { ApiError, ErrorCode } from '../common/api-error';
import { type AuthContext } from './auth-context';
import { LookupCache } from './lookup-cache';
import { ALL_PERMISSIONS, type PermissionGrant } from './permissions';

export const KEY_PREFIX = 'hk_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * How long a looked-up key is trusted without asking the database again. A key revoked through this
 * process stops working at once; through another process, within this long.
 */
export const API_KEY_CACHE_MS = 5_000;

export interface CreatedApiKey {
  readonly entity: ApiKeyEntity;
  /** The key itself: returned once, never stored. */
  readonly key: string;
}

export interface NewKeyOptions {
  /** Where to insert it (a transaction's); default the service's own. */
  readonly repository?: ApiKeyRepository;
  /** The key itself, for `HOOKYARD_BOOTSTRAP_API_KEY`; default a generated one. */
  readonly key?: string;
  /**
   * Marks the key `HOOKYARD_BOOTSTRAP_API_KEY` (or, for an operator key,
   * `HOOKYARD_BOOTSTRAP_OPERATOR_KEY`) holds: at most one live key of each kind carries the mark.
   */
  readonly bootstrap?: boolean;
  /** When the key stops working; default never. */
  readonly expiresAt?: Date | null;
  /** The key minting it (revoking that one revokes this one too); default none. */
  readonly createdByKeyId?: string | null;
}

interface CachedKey {
  readonly context: AuthContext;
  readonly expiresAt: Date | null;
}

/** Told the id of each key revoked through this process, once the revocation is committed. */
export type KeyRevokedListener = (keyId: string) => void;

/** Issues, lists, revokes and checks API keys; keys are stored as a prefix plus a SHA-256 hash. */
@Injectable()
export class ApiKeyService {
  private readonly keys: ApiKeyRepository;
  private readonly cache = new LookupCache<CachedKey | null>(API_KEY_CACHE_MS);
  private readonly revokedListeners: KeyRevokedListener[] = [];

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ObjectIdGenerator) private readonly ids: ObjectIdGenerator,
  ) {
    this.keys = new ApiKeyRepository(dataSource.manager);
  }

  /** The portal sessions' cache listens here: a key's sessions end with it (see {@link revoke}). */
  onKeyRevoked(listener: KeyRevokedListener): void {
    this.revokedListeners.push(listener);
  }

  async authenticate(key: string, now: Date): Promise<AuthContext | null> {
    const hash = hashApiKey(key);
    const found = await this.cache.get(hash, now, async () => {
      const entity = await this.keys.findActiveByHash(hash);
      return entity
        ? {
            expiresAt: entity.expiresAt,
            context: {
              keyId: entity.id,
              organizationId: entity.organizationId,
              permissions: entity.permissions,
              operator: entity.organizationId === null,
              endpointIds: null,
              portalSessionId: null,
            },
          }
        : null;
    });
    // Checked on every request, cached or not: a key stops at its expiry, not up to a cache later.
    return !found || (found.expiresAt && found.expiresAt <= now) ? null : found.context;
  }

  /** Issues a key; the bootstrap key is given (`options.key`), any other is generated. */
  async create(
    organizationId: string | null,
    name: string,
    permissions: readonly PermissionGrant[],
    now: Date,
    options: NewKeyOptions = {},
  ): Promise<CreatedApiKey> {
    const {
      repository = this.keys,
      key = generateApiKey(),
      bootstrap = false,
      expiresAt = null,
      createdByKeyId = null,
    } = options;
    if (expiresAt !== null && expiresAt <= now) {
      throw ApiError.validation([{ path: 'expiresAt', message: 'must be in the future' }]);
    }
    const entity = Object.assign(new ApiKeyEntity(), {
      id: this.ids.next(now),
      organizationId,
      name,
      // Enough to recognise a key, never enough to help guess it: a short operator-chosen bootstrap
      // key shows only its first quarter.
      prefix: key.slice(0, Math.min(KEY_PREFIX.length + 6, Math.floor(key.length / 4))),
      keyHash: hashApiKey(key),
      permissions: [...permissions],
      bootstrap,
      createdByKeyId,
      createdAt: now,
      expiresAt,
      revokedAt: null,
    });
    await repository.insert(entity);
    return { entity, key };
  }

  /**
   * Issues a key for `organizationId` (null: an operator key) on behalf of `caller`, who may hand out
   * only permissions it holds itself.
   */
  issue(
    caller: AuthContext,
    organizationId: string | null,
    request: {
      readonly name: string;
      readonly permissions: readonly PermissionGrant[];
      readonly expiresAt?: string;
    },
    now: Date,
  ): Promise<CreatedApiKey> {
    this.assertCanGrant(caller, request.permissions);
    const expiresAt = request.expiresAt === undefined ? null : new Date(request.expiresAt);
    return this.create(organizationId, request.name, request.permissions, now, {
      expiresAt,
      createdByKeyId: caller.keyId,
    });
  }

  /** A key may only hand out permissions it holds itself. */
  assertCanGrant(caller: AuthContext, permissions: readonly PermissionGrant[]): void {
    if (caller.permissions.includes(ALL_PERMISSIONS)) return;
    const missing = permissions.filter((p) => !caller.permissions.includes(p));
    if (missing.length > 0) {
      throw new ApiError(
        ErrorCode.FORBIDDEN,
        `cannot grant permissions this key does not hold: ${missing.join(', ')}`,
      );
    }
  }

  list(organizationId: string): Promise<ApiKeyEntity[]> {
    return this.keys.list(organizationId);
  }

  listOperatorKeys(): Promise<ApiKeyEntity[]> {
    return this.keys.listOperatorKeys();
  }

  /**
   * Revokes a key of `organizationId` (null: an operator key) whose permissions the caller could grant
   * itself, and with it, in the same transaction, what it minted: the keys it issued (theirs in turn)
   * and the portal sessions of all of them.
   */
  async revoke(
    caller: AuthContext,
    organizationId: string | null,
    id: string,
    now: Date,
  ): Promise<void> {
    const target = await this.keys.findActiveById(organizationId, id);
    if (!target) throw ApiError.notFound('API key');
    this.assertCanGrant(caller, target.permissions as PermissionGrant[]);
    const revoked = await this.dataSource.transaction(async (manager) => {
      if (!(await this.revokeWithSessions(manager, organizationId, id, now))) return null;
      const minted = await new ApiKeyRepository(manager).revokeMintedBy(id, now);
      const sessions = new PortalSessionRepository(manager);
      for (const keyId of minted) await sessions.revokeCreatedBy(keyId, now);
      return [id, ...minted];
    });
    if (!revoked) throw ApiError.notFound('API key');
    for (const keyId of revoked) this.forgetRevoked(keyId);
  }

  /**
   * Revokes the key and the portal sessions it made through `manager` (the caller's transaction);
   * false when the key was revoked already. Call {@link forgetRevoked} once the transaction commits.
   */
  async revokeWithSessions(
    manager: EntityManager,
    organizationId: string | null,
    id: string,
    now: Date,
  ): Promise<boolean> {
    const keys = new ApiKeyRepository(manager);
    const revoked =
      organizationId === null
        ? await keys.revokeOperatorKey(id, now)
        : await keys.revoke(organizationId, id, now);
    if (!revoked) return false;
    await new PortalSessionRepository(manager).revokeCreatedBy(id, now);
    return true;
  }

  /**
   * Stops this process honouring a revoked key and its portal sessions at once; other processes
   * reread both within their caches' time ({@link API_KEY_CACHE_MS}). After the commit: a lookup
   * made before it would read the key as live and cache it.
   */
  forgetRevoked(keyId: string): void {
    this.cache.forget((cached) => cached?.context.keyId === keyId);
    for (const listener of this.revokedListeners) listener(keyId);
  }
}

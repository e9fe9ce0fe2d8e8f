import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ApiKeyRepository,
  EndpointRepository,
  PortalSessionEntity,
  PortalSessionRepository,
  type PortalTheme,
  type TopicCeiling,
} from '@hookyard/data-access';
import {
  collectViolations,
  type FieldViolation,
  ObjectIdGenerator,
  validateUrl,
} from '@hookyard/webhook-core';
import { type HookyardConfig } from '@hookyard/config';
import { ApiKeyService, hashApiKey } from '../auth/api-key.service';
import { type AuthContext } from '../auth/auth-context';
import { LookupCache } from '../auth/lookup-cache';
import { type PortalPermission } from '../auth/permissions';
import { ApiError, ErrorCode, type FieldError } from '../common/api-error';
import { HOOKYARD_CONFIG } from '../common/config.module';
import { decodeCursor, toPage } from '../common/keyset-cursor';
import {
  PORTAL_SESSION_DEFAULT_SECONDS,
  PORTAL_TOKEN_PREFIX,
  portalSessionState,
  portalUrl,
} from './portal-session.util';

/**
 * How long a looked-up session is kept without asking the database again. Its expiry is checked on
 * every request all the same, and a revocation through this process (of the session, or of the key
 * that made it) drops it at once; one through another process takes effect within this long.
 */
export const PORTAL_SESSION_CACHE_MS = 5_000;

export interface PortalSessionInput {
  readonly permissions: readonly PortalPermission[];
  readonly endpointIds?: readonly string[];
  readonly expiresInSeconds?: number;
  readonly theme?: PortalTheme;
  readonly refreshUrl?: string;
}

export interface CreatedPortalSession {
  readonly entity: PortalSessionEntity;
  /** The token itself: returned once, never stored. */
  readonly token: string;
  readonly url: string;
}

/** What a portal token is worth now: a caller, or a session that has ended (and where to renew it). */
export type PortalAuthentication =
  | { readonly status: 'active'; readonly context: AuthContext }
  | { readonly status: 'ended'; readonly refreshUrl: string | null };

export function generatePortalToken(): string {
  return `${PORTAL_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Mints, revokes and checks tenant-portal sessions; tokens are stored as a SHA-256 hash. */
@Injectable()
export class PortalSessionsService {
  private readonly logger = new Logger('PortalSessions');
  private readonly sessions: PortalSessionRepository;
  private readonly endpoints: EndpointRepository;
  private readonly cache = new LookupCache<PortalSessionEntity | null>(PORTAL_SESSION_CACHE_MS);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(HOOKYARD_CONFIG) private readonly config: HookyardConfig,
    @Inject(ApiKeyService) private readonly apiKeys: ApiKeyService,
    @Inject(ObjectIdGenerator) private readonly ids: ObjectIdGenerator,
  ) {
    this.sessions = new PortalSessionRepository(dataSource.manager);
    this.endpoints = new EndpointRepository(dataSource.manager);
    apiKeys.onKeyRevoked((keyId) => this.cache.forget((s) => s?.createdByKeyId === keyId));
  }

  /** Null for a token no session has; a session past its expiry or revoked answers `ended`. */
  async authenticate(token: string, now: Date): Promise<PortalAuthentication | null> {
    const hash = hashApiKey(token);
    const session = await this.cache.get(hash, now, () => this.sessions.findByTokenHash(hash));
    if (!session) return null;
    if (portalSessionState(session, now) !== 'active')
      return { status: 'ended', refreshUrl: session.refreshUrl };
    return {
      status: 'active',
      context: {
        keyId: null,
        organizationId: session.organizationId,
        permissions: session.permissions,
        operator: false,
        endpointIds: session.endpointIds,
        portalSessionId: session.id,
      },
    };
  }

  /**
   * Mints a session for the caller's organization holding no more than the caller: its permissions
   * must be the caller's to grant (403), its endpoints the organization's (422 naming each).
   */
  async create(
    caller: AuthContext,
    organizationId: string,
    input: PortalSessionInput,
    baseUrl: string,
    now: Date,
  ): Promise<CreatedPortalSession> {
    this.assertUrlsValid(input);
    this.apiKeys.assertCanGrant(caller, input.permissions);
    const endpointIds = input.endpointIds ? [...input.endpointIds] : null;
    const topicCeilings = endpointIds ? await this.ceilingsOf(organizationId, endpointIds) : null;
    const token = generatePortalToken();
    const seconds = input.expiresInSeconds ?? PORTAL_SESSION_DEFAULT_SECONDS;
    const entity = Object.assign(new PortalSessionEntity(), {
      id: this.ids.next(now),
      organizationId,
      tokenHash: hashApiKey(token),
      permissions: [...input.permissions],
      endpointIds,
      topicCeilings,
      theme: themeOf(input.theme),
      refreshUrl: input.refreshUrl ?? null,
      createdByKeyId: caller.keyId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + seconds * 1000),
      revokedAt: null,
    });
    await this.dataSource.transaction(async (manager) => {
      // The caller's key may be revoked since this process cached it: a session it made now would
      // outlive it. Holding the key's row also makes a revocation under way wait for this insert.
      if (
        caller.keyId !== null &&
        !(await new ApiKeyRepository(manager).holdLive(caller.keyId, now))
      )
        throw new ApiError(ErrorCode.UNAUTHENTICATED, 'missing or invalid API key');
      await new PortalSessionRepository(manager).insert(entity);
    });
    this.logger.log(`portal session ${entity.id} created for organization ${organizationId}`);
    return { entity, token, url: portalUrl(baseUrl, entity.id, token) };
  }

  /** The organization's session, revoked or not; 404 for another tenant's or an unknown id. */
  async get(organizationId: string, id: string): Promise<PortalSessionEntity> {
    const session = await this.sessions.findById(organizationId, id);
    if (!session) throw ApiError.notFound('portal session');
    return session;
  }

  /** The organization's sessions neither expired nor revoked at `now`, newest first. */
  async listLive(
    organizationId: string,
    now: Date,
    limit: number,
    cursor?: string,
  ): Promise<{ data: PortalSessionEntity[]; nextCursor: string | null }> {
    const rows = await this.sessions.pageLive(organizationId, now, {
      limit,
      after: decodeCursor(cursor),
    });
    return toPage(rows, limit);
  }

  /** The session behind a request; null for an API key. */
  async sessionOf(auth: AuthContext): Promise<PortalSessionEntity | null> {
    if (auth.portalSessionId === null || auth.organizationId === null) return null;
    return this.get(auth.organizationId, auth.portalSessionId);
  }

  /** Forgets the sessions of an organization that was stopped (they were revoked with it). */
  forgetOrganization(organizationId: string): void {
    this.cache.forget((session) => session?.organizationId === organizationId);
  }

  /** Ends a session at once (in this process; in others within the cache time). Idempotent. */
  async revoke(organizationId: string, id: string, now: Date): Promise<void> {
    await this.get(organizationId, id);
    await this.sessions.revoke(organizationId, id, now);
    this.cache.forget((session) => session?.id === id);
  }

  /** Plain http for a refresh URL only where endpoints may use it (the endpoints' URL rules). */
  private assertUrlsValid(input: PortalSessionInput): void {
    const allowHttp = !this.config.requireHttps
      ? true
      : this.config.localMode
        ? ('loopback' as const)
        : false;
    const violations = collectViolations(
      input.refreshUrl === undefined
        ? null
        : validateUrl(input.refreshUrl, { allowHttp }, 'refreshUrl'),
      // The console's CSP lets images come from https: only.
      input.theme?.logoUrl === undefined
        ? null
        : validateUrl(input.theme.logoUrl, { allowHttp: false }, 'theme.logoUrl'),
    );
    const first = violations[0];
    if (!first) return;
    throw new ApiError(
      first.code,
      `${first.field}: ${first.message}`,
      violations.map((v: FieldViolation) => ({ path: v.field, message: v.message, code: v.code })),
    );
  }

  /**
   * The session's endpoints as a ceiling on their subscriptions: what each subscribes to now, which
   * the session may narrow but not widen. 422 naming each id the organization has no endpoint of.
   */
  private async ceilingsOf(
    organizationId: string,
    endpointIds: readonly string[],
  ): Promise<Record<string, TopicCeiling>> {
    const rows = await this.endpoints.subscriptions(organizationId, endpointIds);
    this.assertEndpointsExist(new Set(rows.map((row) => row.id)), endpointIds);
    return Object.fromEntries(
      rows.map(({ id, topics, excludedTopics }) => [id, { topics, excludedTopics }]),
    );
  }

  private assertEndpointsExist(found: ReadonlySet<string>, endpointIds: readonly string[]): void {
    const errors: FieldError[] = endpointIds.flatMap((id, index) =>
      found.has(id)
        ? []
        : [
            {
              path: `endpointIds[${index}]`,
              message: 'no endpoint of this organization has this id',
              code: ErrorCode.ENDPOINT_UNKNOWN,
            },
          ],
    );
    if (errors.length > 0) throw ApiError.validation(errors, ErrorCode.ENDPOINT_UNKNOWN);
  }
}

/** The theme as stored: only the members given. */
function themeOf(theme: PortalTheme | undefined): PortalTheme {
  return {
    ...(theme?.accentColor !== undefined && { accentColor: theme.accentColor }),
    ...(theme?.logoUrl !== undefined && { logoUrl: theme.logoUrl }),
    ...(theme?.mode !== undefined && { mode: theme.mode }),
  };
}

import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { isObjectId } from '@hookyard/webhook-core';
import { ApiError, ErrorCode } from '../common/api-error';
import { ApiProblemResponse } from '../common/problem-response';
import { PortalSessionsService } from '../portal-sessions/portal-sessions.service';
import { PORTAL_TOKEN_PREFIX } from '../portal-sessions/portal-session.util';
import { ApiKeyService } from './api-key.service';
import { type Response } from 'express';
import { type AuthContext, type AuthenticatedRequest } from './auth-context';
import { grants, isOperatorPermission, type Permission } from './permissions';
import { beforeLookups } from './lookup-cache';
import { type RateBucket, RequestRateLimit } from './request-rate-limit';
import { OrganizationDirectory } from '../tenancy/organization-directory';

export const PERMISSION_METADATA = 'hookyard:permission';
export const PUBLIC_METADATA = 'hookyard:public';
export const PORTAL_ACCESSIBLE_METADATA = 'hookyard:portal-accessible';
/** A route that wants a caller but no permission (see {@link RequireAuthentication}). */
export const AUTHENTICATED_METADATA = 'hookyard:authenticated';

/** Reads the key from `Authorization: Bearer` or `X-API-KEY`; both present and different is refused. */
export function extractApiKey(request: AuthenticatedRequest): string | null {
  const authorization = request.headers.authorization;
  const header = request.headers['x-api-key'];
  const apiKeyHeader = Array.isArray(header) ? null : (header ?? undefined);
  let bearer: string | undefined;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) return null;
    bearer = match[1];
  }
  if (bearer !== undefined && apiKeyHeader !== undefined && bearer !== apiKeyHeader) return null;
  const key = bearer ?? apiKeyHeader;
  return key ? key : null;
}

/** The refusals that spend the client address's bucket: a wrong, missing or ended credential. */
const AUTHENTICATION_FAILURES = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.PORTAL_SESSION_EXPIRED,
]);

/**
 * Authenticates the caller: an API key, or a tenant-portal token (`hkp_`). An operator key acts for
 * no organization here: each dialect resolves the header that names one. A portal token passes only on routes marked
 * {@link PortalAccessible}; an ended session answers 401 `PORTAL_SESSION_EXPIRED` with its
 * `refreshUrl`. Every credential lookup that goes to the database first takes a token of the
 * client address, so a run of guessed keys meets 429 before it meets the database. Then the
 * caller's rate limit ({@link RequestRateLimit}): publishing (`EVENT.PUBLISH` routes) and everything
 * else count apart, each at its organization's own rule where it set one; 429 `RATE_LIMITED` above
 * either.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(ApiKeyService) private readonly apiKeys: ApiKeyService,
    @Inject(PortalSessionsService) private readonly portalSessions: PortalSessionsService,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(RequestRateLimit) private readonly rateLimit: RequestRateLimit,
    @Inject(OrganizationDirectory) private readonly organizations: OrganizationDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    let lookups = 0;
    const beforeLookup = () => {
      this.rateLimit.beforeLookup(request, response);
      lookups += 1;
    };
    const giveBack = () => {
      for (let i = 0; i < lookups; i += 1) this.rateLimit.lookupSucceeded(request);
    };
    const auth = await beforeLookups(beforeLookup, () => this.authenticate(request, context)).catch(
      (error: unknown) => {
        const code = error instanceof ApiError ? error.code : null;
        // A failure that queried nothing (no key, a key known to be wrong) still costs its address;
        // a valid portal token on a route closed to the portal costs nothing. Anything else (a 429,
        // a database error) keeps what its lookups took.
        if (code !== null && AUTHENTICATION_FAILURES.has(code) && lookups === 0)
          this.rateLimit.failedAuthentication(request, response);
        if (code === ErrorCode.FORBIDDEN) giveBack();
        throw error;
      },
    );
    giveBack();
    const bucket = bucketOf(this.reflector, context);
    const own = auth.organizationId
      ? (await this.organizations.resolve(auth.organizationId, new Date()))?.rateLimits?.[bucket]
      : undefined;
    this.rateLimit.take(auth, bucket, response, own);
    request.auth = auth;
    return true;
  }

  private async authenticate(
    request: AuthenticatedRequest,
    context: ExecutionContext,
  ): Promise<AuthContext> {
    const key = extractApiKey(request);
    const now = new Date();
    const portal = key?.startsWith(PORTAL_TOKEN_PREFIX)
      ? await this.portalSessions.authenticate(key, now)
      : null;
    if (portal?.status === 'ended') {
      throw new ApiError(
        ErrorCode.PORTAL_SESSION_EXPIRED,
        'this portal session has expired or was revoked',
        [],
        { refreshUrl: portal.refreshUrl },
      );
    }
    if (portal) {
      assertPortalMayCall(portalAccessOf(this.reflector, context), portal.context);
      return portal.context;
    }
    // A token no session has may still be an operator-chosen bootstrap key that starts with hkp_.
    const auth = key ? await this.apiKeys.authenticate(key, now) : null;
    if (!auth) throw new ApiError(ErrorCode.UNAUTHENTICATED, 'missing or invalid API key');
    // An operator key acts for the organization its dialect's header names (resolved by the
    // dialect after the guards): none until then.
    return auth.operator ? { ...auth, organizationId: null } : auth;
  }
}

/** Publishing routes spend the caller's publishing bucket; every other route its management one. */
function bucketOf(reflector: Reflector, context: ExecutionContext): RateBucket {
  const permission = reflector.get<Permission | undefined>(
    PERMISSION_METADATA,
    context.getHandler(),
  );
  return permission === 'EVENT.PUBLISH' ? 'publishing' : 'management';
}

/** Checks the permission the route declares, then an endpoint-scoped session's endpoint. */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const wanted = this.reflector.get<Permission | undefined>(
      PERMISSION_METADATA,
      context.getHandler(),
    );
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const auth = request.auth;
    if (!wanted || !auth)
      throw new ApiError(ErrorCode.FORBIDDEN, 'route has no permission declared');
    if (isOperatorPermission(wanted) && !auth.operator) {
      if (auth.portalSessionId !== null)
        throw new ApiError(ErrorCode.FORBIDDEN, 'this route is not available to a portal session');
      throw new ApiError(ErrorCode.OPERATOR_ONLY, 'only an operator key may do this');
    }
    if (!grants(auth.permissions, wanted)) {
      const caller = auth.portalSessionId === null ? 'API key' : 'portal session';
      throw new ApiError(ErrorCode.FORBIDDEN, `this ${caller} lacks the ${wanted} permission`);
    }
    // After the permission, so an endpoint outside the session answers as another tenant's would.
    const endpointParam = portalAccessOf(this.reflector, context)?.endpointParam;
    if (auth.endpointIds !== null && endpointParam !== undefined) {
      const id = request.params[endpointParam];
      // A malformed id is left to the route's pipe (400), as for anyone else.
      if (isObjectId(id) && !auth.endpointIds.includes(id)) throw ApiError.notFound('endpoint');
    }
    return true;
  }
}

/** How a route lets tenant-portal sessions in (see {@link PortalAccessible}). */
export interface PortalAccess {
  /**
   * The path parameter that names an endpoint: an endpoint-scoped session asking for one outside its
   * endpoints gets 404, as for another tenant's endpoint.
   */
  readonly endpointParam?: string;
  /**
   * The route acts on the organization beyond any one endpoint (create an endpoint, publish an
   * event): an endpoint-scoped session gets 403.
   */
  readonly wholeOrganization?: boolean;
}

function portalAccessOf(reflector: Reflector, context: ExecutionContext): PortalAccess | undefined {
  return reflector.getAllAndOverride<PortalAccess | undefined>(PORTAL_ACCESSIBLE_METADATA, [
    context.getHandler(),
    context.getClass(),
  ]);
}

function assertPortalMayCall(access: PortalAccess | undefined, auth: AuthContext): void {
  if (!access)
    throw new ApiError(ErrorCode.FORBIDDEN, 'this route is not available to a portal session');
  if (access.wholeOrganization && auth.endpointIds !== null) {
    throw new ApiError(
      ErrorCode.FORBIDDEN,
      'a portal session limited to some endpoints cannot do this',
    );
  }
}

/** The 429 every authenticated route may answer. */
const RATE_LIMITED = ApiProblemResponse(
  429,
  'Over the rate limit of the API key or portal session (`RATE_LIMITED`); `Retry-After` gives the seconds to wait.',
  {
    'Retry-After': {
      description: 'Seconds until a request is allowed again.',
      schema: { type: 'integer' },
    },
  },
);

/**
 * The 400 every authenticated route may answer: the body, a query parameter or a path id fails
 * validation, or holds text that cannot be stored. A route that says more declares its own.
 */
const MALFORMED = ApiProblemResponse(
  400,
  'The request is malformed (`VALIDATION_FAILED`, `PROPERTY_NOT_ALLOWED`, `ID_INVALID`, `UNSUPPORTED_TEXT`, …); `errors` names each field at fault.',
);

/** Declares a route's permission and guards it with authentication and the permission check. */
export function RequirePermission(permission: Permission): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(PERMISSION_METADATA, permission),
    UseGuards(ApiKeyGuard, PermissionGuard),
    ApiBearerAuth(),
    ApiSecurity('apiKey'),
    MALFORMED,
    ApiProblemResponse(401, 'Missing or invalid API key.'),
    ApiProblemResponse(403, `The key lacks ${permission}.`),
    RATE_LIMITED,
  );
}

/**
 * Marks a route (or a controller's routes) that a tenant-portal token may call; every other route
 * refuses portal tokens with 403, so a new route is closed to the portal until someone opens it.
 * The route itself still limits an endpoint-scoped session (`auth.endpointIds`) to its endpoints,
 * or names the path parameter that `access.endpointParam` checks for it.
 */
export const PortalAccessible = (access: PortalAccess = {}): MethodDecorator & ClassDecorator =>
  SetMetadata(PORTAL_ACCESSIBLE_METADATA, access);

/**
 * Guards a route that any authenticated caller may use, whatever its permissions (`GET /v1/whoami`):
 * authentication only, no permission.
 */
export function RequireAuthentication(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(AUTHENTICATED_METADATA, true),
    UseGuards(ApiKeyGuard),
    ApiBearerAuth(),
    ApiSecurity('apiKey'),
    MALFORMED,
    ApiProblemResponse(401, 'Missing or invalid API key or portal token.'),
    RATE_LIMITED,
  );
}

/** Marks a route that needs no key (health checks, docs). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_METADATA, true);

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
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { isObjectId } from '@hookyard/webhook-core';
import { ApiError, ErrorCode } from '../common/api-error';
import { ApiKeyService } from './api-key.service';
import { type AuthenticatedRequest } from './auth-context';
import { grants, type Permission } from './permissions';

export const PERMISSION_METADATA = 'hookyard:permission';
export const PUBLIC_METADATA = 'hookyard:public';

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

/** Authenticates the caller; the organization of an operator key comes from `x-platform-id`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(ApiKeyService) private readonly apiKeys: ApiKeyService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = extractApiKey(request);
    const auth = key ? await this.apiKeys.authenticate(key, new Date()) : null;
    if (!auth) throw new ApiError(ErrorCode.UNAUTHENTICATED, 'missing or invalid API key');
    if (auth.operator) {
      const platformId = request.headers['x-platform-id'];
      request.auth = { ...auth, organizationId: isObjectId(platformId) ? platformId : null };
    } else {
      request.auth = auth;
    }
    return true;
  }
}

/** Checks the permission the route declares. */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const wanted = this.reflector.get<Permission | undefined>(
      PERMISSION_METADATA,
      context.getHandler(),
    );
    const auth = context.switchToHttp().getRequest<AuthenticatedRequest>().auth;
    if (!wanted || !auth)
      throw new ApiError(ErrorCode.FORBIDDEN, 'route has no permission declared');
    if (!grants(auth.permissions, wanted)) {
      throw new ApiError(ErrorCode.FORBIDDEN, `this API key lacks the ${wanted} permission`);
    }
    return true;
  }
}

/** Declares a route's permission and guards it with authentication and the permission check. */
export function RequirePermission(permission: Permission): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(PERMISSION_METADATA, permission),
    UseGuards(ApiKeyGuard, PermissionGuard),
    ApiBearerAuth(),
    ApiSecurity('apiKey'),
    ApiUnauthorizedResponse({ description: 'Missing or invalid API key.' }),
    ApiForbiddenResponse({ description: `The key lacks ${permission}.` }),
  );
}

/** Marks a route that needs no key (health checks, docs). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_METADATA, true);

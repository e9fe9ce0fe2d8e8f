import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  type Type,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError, ErrorCode } from '../common/api-error';
import { AUTHENTICATED_METADATA, PERMISSION_METADATA, PUBLIC_METADATA } from './guards';
import { type Permission } from './permissions';

/**
 * What a route declares of its callers: a permission ({@link RequirePermission}), any authenticated
 * caller ({@link RequireAuthentication}), or anyone ({@link Public}).
 */
export type DeclaredAccess =
  | { readonly kind: 'permission'; readonly permission: Permission }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'public' };

/** The access the handler (or else its controller) declares; null when it declares none. */
export function declaredAccess(
  reflector: Reflector,
  handler: ReturnType<ExecutionContext['getHandler']>,
  controller: Type<unknown>,
): DeclaredAccess | null {
  const read = <T>(key: string) =>
    reflector.getAllAndOverride<T | undefined>(key, [handler, controller]);
  const permission = read<Permission>(PERMISSION_METADATA);
  if (permission) return { kind: 'permission', permission };
  if (read<boolean>(AUTHENTICATED_METADATA) === true) return { kind: 'authenticated' };
  if (read<boolean>(PUBLIC_METADATA) === true) return { kind: 'public' };
  return null;
}

/**
 * The app's global guard (`APP_GUARD`): a route that declares no access is refused with 403 before
 * anything else runs, so a route someone forgot to mark is closed, not open. It only checks the
 * declaration; the guards the declaration brings (`ApiKeyGuard`, `PermissionGuard`) enforce it.
 */
@Injectable()
export class DenyByDefaultGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (declaredAccess(this.reflector, context.getHandler(), context.getClass())) return true;
    throw new ApiError(ErrorCode.FORBIDDEN, 'this route declares no access rule');
  }
}

import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Request } from 'express';
import { ApiError, ErrorCode } from '../common/api-error';

/** Who is calling: set by the ApiKeyGuard. */
export interface AuthContext {
  readonly keyId: string;
  /** The organization acted for (an operator key names it per request). */
  readonly organizationId: string | null;
  readonly permissions: readonly string[];
  readonly operator: boolean;
}

export type AuthenticatedRequest = Request & { auth?: AuthContext; id?: string };

/** The organization the request acts for; every tenant-scoped route takes it. */
export const OrgId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const auth = context.switchToHttp().getRequest<AuthenticatedRequest>().auth;
  if (!auth?.organizationId) {
    throw new ApiError(
      ErrorCode.FORBIDDEN,
      'an operator key must name an organization (x-platform-id header)',
    );
  }
  return auth.organizationId;
});

export const Auth = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthContext | undefined =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().auth,
);

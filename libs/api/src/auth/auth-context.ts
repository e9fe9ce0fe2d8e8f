import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Request } from 'express';
import { ApiError, ErrorCode } from '../common/api-error';

/** Who is calling: set by the ApiKeyGuard. */
export interface AuthContext {
  /** The API key calling; null for a portal session (`portalSessionId` names it). */
  readonly keyId: string | null;
  /** The organization acted for (an operator key names it per request). */
  readonly organizationId: string | null;
  readonly permissions: readonly string[];
  readonly operator: boolean;
  /**
   * The endpoints a tenant-portal session may see and act on; null for an API key (every endpoint of
   * the organization). Routes that take an endpoint, delivery or event id answer 404 outside it.
   */
  readonly endpointIds: readonly string[] | null;
  /** The portal session behind the request; null for an API key. */
  readonly portalSessionId: string | null;
}

export type AuthenticatedRequest = Request & { auth?: AuthContext; id?: string };

/** The organization the request acts for; every tenant-scoped route takes it. */
export const OrgId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const auth = context.switchToHttp().getRequest<AuthenticatedRequest>().auth;
  if (!auth?.organizationId) {
    throw new ApiError(
      ErrorCode.FORBIDDEN,
      'an operator key must name the organization it acts for (X-Hookyard-Organization header)',
    );
  }
  return auth.organizationId;
});

export const Auth = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthContext | undefined =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().auth,
);

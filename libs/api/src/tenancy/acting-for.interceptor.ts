import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { type Observable } from 'rxjs';
import { type AuthenticatedRequest } from '../auth/auth-context';
import { ApiError } from '../common/api-error';
import { ApiProblemResponse } from '../common/problem-response';
import { OrganizationDirectory } from './organization-directory';

/** The header an operator key names the organization it acts for with, on `/v1` and Featurebase. */
export const ORGANIZATION_HEADER = 'x-hookyard-organization';

/** One non-blank header value, trimmed; null when absent, blank or repeated. */
export function singleHeader(raw: string | string[] | undefined): string | null {
  if (typeof raw !== 'string') return null;
  const value = raw.trim();
  return value === '' ? null : value;
}

/**
 * Resolves `X-Hookyard-Organization` (an organization's id or uid) after the guards: an operator
 * key acts for the organization it names; a tenant key or portal session may name only its own.
 * Naming one the caller cannot see answers 404, the same as one that does not exist, so neither ids
 * nor uids can be probed. Without the header an operator key acts for none, and a route that needs
 * an organization answers 403.
 */
@Injectable()
export class ActingForInterceptor implements NestInterceptor {
  constructor(@Inject(OrganizationDirectory) private readonly directory: OrganizationDirectory) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const auth = request.auth;
    const named = singleHeader(request.headers[ORGANIZATION_HEADER]);
    if (auth && named !== null) {
      const organization = await this.directory.resolve(named, new Date());
      if (!organization || (!auth.operator && organization.id !== auth.organizationId))
        throw ApiError.notFound('organization');
      request.auth = { ...auth, organizationId: organization.id };
    }
    return next.handle();
  }
}

const NOT_ACTING_FOR =
  '`X-Hookyard-Organization` names an organization the caller may not act for (`NOT_FOUND`).';

/** Lets a controller's routes act for the organization `X-Hookyard-Organization` names. */
export const ActsForOrganization = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    UseInterceptors(ActingForInterceptor),
    ApiHeader({
      name: 'X-Hookyard-Organization',
      required: false,
      description:
        'Operator keys: the id or uid of the organization to act for. A tenant key may name only its own organization (another answers 404).',
    }),
    ApiProblemResponse(404, NOT_ACTING_FOR),
  );

/**
 * The 404 of a route that looks `what` up by its id, on a controller that
 * {@link ActsForOrganization}: the route's own 404 replaces the controller's, so it says both.
 */
export const ApiNotFoundIn = (what: string): MethodDecorator & ClassDecorator =>
  ApiProblemResponse(404, `No ${what} has this id in the organization; or ${NOT_ACTING_FOR}`);

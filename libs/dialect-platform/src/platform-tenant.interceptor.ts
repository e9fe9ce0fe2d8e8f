import {
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { type Observable } from 'rxjs';
import { type AuthenticatedRequest, OrganizationDirectory, singleHeader } from '@hookyard/api';
import { PlatformError } from './platform-error';

/** The API versions of the platform dialect (`/platform/v{version}/webhooks`). */
export const PLATFORM_VERSIONS = ['1'] as const;
/** The header that names the tenant an operator key acts for. */
export const PLATFORM_ID_HEADER = 'x-platform-id';

type PlatformRequest = AuthenticatedRequest & { platformOrganizationId?: string };

/**
 * Runs after the key and permission guards: checks the path's version, then resolves the tenant. An
 * operator key acts for the organization `x-platform-id` names (its id or uid) and must name one; a
 * tenant's own key may omit the header or name its own organization. Naming an organization the caller cannot see
 * answers 404, the same as one that does not exist, so ids cannot be probed.
 */
@Injectable()
export class PlatformTenantInterceptor implements NestInterceptor {
  constructor(@Inject(OrganizationDirectory) private readonly directory: OrganizationDirectory) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<PlatformRequest>();
    const raw = request.params['version'];
    const version = typeof raw === 'string' ? raw : '';
    if (!(PLATFORM_VERSIONS as readonly string[]).includes(version)) {
      throw PlatformError.resource(
        'VERSION',
        `v${version}`,
        `API version v${version} does not exist; the versions are ${PLATFORM_VERSIONS.map((v) => `v${v}`).join(', ')}`,
      );
    }
    request.platformOrganizationId = await this.tenantOf(request);
    return next.handle();
  }

  private async tenantOf(request: PlatformRequest): Promise<string> {
    const auth = request.auth;
    const named = singleHeader(request.headers[PLATFORM_ID_HEADER]);
    if (auth?.operator) {
      if (named === null) {
        throw PlatformError.missing(
          PLATFORM_ID_HEADER,
          `an operator key must name the organization it acts for in ${PLATFORM_ID_HEADER}`,
        );
      }
      const organization = await this.directory.resolve(named, new Date());
      if (organization) return organization.id;
      throw PlatformError.resource('PLATFORM', named);
    }
    const own = auth?.organizationId;
    if (!own) throw PlatformError.resource('PLATFORM', named ?? '');
    if (named !== null && named !== own) {
      const organization = await this.directory.resolve(named, new Date());
      if (organization?.id !== own) throw PlatformError.resource('PLATFORM', named);
    }
    return own;
  }
}

/** The organization a platform request acts for, as the tenant interceptor resolved it. */
export const PlatformOrg = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const organizationId = context
    .switchToHttp()
    .getRequest<PlatformRequest>().platformOrganizationId;
  if (!organizationId) throw new Error('PlatformTenantInterceptor did not run on this route');
  return organizationId;
});

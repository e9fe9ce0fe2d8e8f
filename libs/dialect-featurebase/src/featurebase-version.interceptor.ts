import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { type Response } from 'express';
import { type Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { OrganizationRepository } from '@hookyard/data-access';
import { type AuthenticatedRequest } from '@hookyard/api';
import { ErrorCode } from '@hookyard/api';
import { FeaturebaseError } from './featurebase-error';
import {
  DEFAULT_FEATUREBASE_VERSION,
  FEATUREBASE_VERSIONS,
  type FeaturebaseVersion,
  isAtLeast,
  isFeaturebaseVersion,
  VERSION_HEADER,
  WEBHOOKS_SINCE,
} from './featurebase-version';

/**
 * Resolves the `Featurebase-Version` of a request (the header, else the organization's configured
 * version, else nova) and lets it through only where the webhooks resource exists. It runs after the
 * key and permission guards, so a bad key is a 401 before a bad version is a 400, and before the body
 * is validated. The resolved version is echoed in the response header.
 */
@Injectable()
export class FeaturebaseVersionInterceptor implements NestInterceptor {
  private readonly organizations: OrganizationRepository;

  constructor(@Inject(DataSource) dataSource: DataSource) {
    this.organizations = new OrganizationRepository(dataSource.manager);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const version = await this.resolve(request);
    if (!isAtLeast(version, WEBHOOKS_SINCE)) {
      throw new FeaturebaseError(
        ErrorCode.VALIDATION_FAILED,
        'version_not_supported',
        `This endpoint is only available in API version ${WEBHOOKS_SINCE} and newer; the request used ${version}.`,
        VERSION_HEADER,
      );
    }
    http.getResponse<Response>().setHeader(VERSION_HEADER, version);
    return next.handle();
  }

  private async resolve(request: AuthenticatedRequest): Promise<FeaturebaseVersion> {
    const header = request.headers[VERSION_HEADER.toLowerCase()];
    if (header !== undefined && header !== '') {
      if (isFeaturebaseVersion(header)) return header;
      throw new FeaturebaseError(
        ErrorCode.VALIDATION_FAILED,
        'invalid_version',
        `Unknown API version ${JSON.stringify(header)}; known versions are ${FEATUREBASE_VERSIONS.join(', ')}.`,
        VERSION_HEADER,
      );
    }
    const organizationId = request.auth?.organizationId;
    if (!organizationId) return DEFAULT_FEATUREBASE_VERSION;
    const organization = await this.organizations.findById(organizationId);
    const configured = organization?.featurebaseVersion;
    return isFeaturebaseVersion(configured) ? configured : DEFAULT_FEATUREBASE_VERSION;
  }
}

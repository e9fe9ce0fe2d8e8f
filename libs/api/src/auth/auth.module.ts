import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { type HookyardConfig } from '@hookyard/config';
import { HOOKYARD_CONFIG } from '../common/config.module';
import { PortalSessionsService } from '../portal-sessions/portal-sessions.service';
import { ApiKeyService } from './api-key.service';
import { DenyByDefaultGuard } from './deny-by-default.guard';
import { ApiKeyGuard, PermissionGuard } from './guards';
import { RequestRateLimit } from './request-rate-limit';
import { ActingForInterceptor } from '../tenancy/acting-for.interceptor';
import { OrganizationDirectory } from '../tenancy/organization-directory';

/**
 * API keys, tenant-portal sessions, the rate limit and the guards every dialect's routes use, and
 * the global guard that refuses a route declaring no access ({@link DenyByDefaultGuard}).
 */
@Global()
@Module({
  providers: [
    ApiKeyService,
    PortalSessionsService,
    ApiKeyGuard,
    PermissionGuard,
    OrganizationDirectory,
    ActingForInterceptor,
    { provide: APP_GUARD, useClass: DenyByDefaultGuard },
    {
      provide: RequestRateLimit,
      useFactory: (config: HookyardConfig) => new RequestRateLimit(config.limits),
      inject: [HOOKYARD_CONFIG],
    },
  ],
  exports: [
    ApiKeyService,
    PortalSessionsService,
    ApiKeyGuard,
    PermissionGuard,
    RequestRateLimit,
    OrganizationDirectory,
    ActingForInterceptor,
  ],
})
export class AuthModule {}

import { Module } from '@nestjs/common';
import { type DialectRegistration } from '@hookyard/api';
import { PlatformErrorFilter } from './platform-error.filter';
import { PlatformTenantInterceptor } from './platform-tenant.interceptor';
import { PlatformWebhooksController } from './platform-webhooks.controller';
import { PlatformWebhooksService } from './platform-webhooks.service';

/** The platform-style dialect, mounted under `/platform` (routes `/platform/v1/webhooks`). */
@Module({
  controllers: [PlatformWebhooksController],
  providers: [PlatformWebhooksService, PlatformTenantInterceptor],
})
export class PlatformModule {}

/** What the app mounts: the module, and the platform's error shape for every path under `/platform/`. */
export const PLATFORM_DIALECT: DialectRegistration = {
  module: PlatformModule,
  dialect: {
    name: 'platform',
    mountPath: '/platform/',
    errorFilter: new PlatformErrorFilter(),
  },
};

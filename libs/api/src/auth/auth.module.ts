import { Global, Module } from '@nestjs/common';
import { PortalSessionsService } from '../portal-sessions/portal-sessions.service';
import { ApiKeyService } from './api-key.service';
import { ApiKeyGuard, PermissionGuard } from './guards';

/** API keys, tenant-portal sessions and the guards every dialect's routes use. */
@Global()
@Module({
  providers: [ApiKeyService, PortalSessionsService, ApiKeyGuard, PermissionGuard],
  exports: [ApiKeyService, PortalSessionsService, ApiKeyGuard, PermissionGuard],
})
export class AuthModule {}

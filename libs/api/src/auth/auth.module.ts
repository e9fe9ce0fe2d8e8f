import { Global, Module } from '@nestjs/common';
import { ApiKeyService } from './api-key.service';
import { ApiKeyGuard, PermissionGuard } from './guards';

/** API keys and the guards every dialect's routes use. */
@Global()
@Module({
  providers: [ApiKeyService, ApiKeyGuard, PermissionGuard],
  exports: [ApiKeyService, ApiKeyGuard, PermissionGuard],
})
export class AuthModule {}

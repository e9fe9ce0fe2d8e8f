import { type DynamicModule, Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeyService } from './auth/api-key.service';
import { ApiKeyGuard, PermissionGuard } from './auth/guards';
import { CoreModule, type CoreDependencies } from './common/core.module';
import { type HookyardConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { EndpointsController } from './endpoints/endpoints.controller';
import { EndpointsService } from './endpoints/endpoints.service';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { HealthController } from './health/health.controller';
import { OrganizationsService } from './organizations/organizations.service';
import { TopicsController } from './topics/topics.controller';

@Module({})
export class AppModule {
  static forRoot(config: HookyardConfig, deps: CoreDependencies): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), CoreModule.forRoot(deps)],
      controllers: [
        HealthController,
        EndpointsController,
        EventsController,
        ApiKeysController,
        TopicsController,
      ],
      providers: [
        ApiKeyService,
        ApiKeyGuard,
        PermissionGuard,
        EndpointsService,
        EventsService,
        OrganizationsService,
      ],
    };
  }
}

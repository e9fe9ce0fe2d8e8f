import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AuthModule } from './auth/auth.module';
import { CoreModule, type CoreDependencies } from './common/core.module';
import { type HookyardConfig } from '@hookyard/config';
import { ConfigModule } from './common/config.module';
import { DeliveryLogController } from './delivery-log/delivery-log.controller';
import { DeliveryLogService } from './delivery-log/delivery-log.service';
import { EndpointsController } from './endpoints/endpoints.controller';
import { EndpointsModule } from './endpoints/endpoints.module';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { HealthController } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { OrganizationsService } from './organizations/organizations.service';
import { TopicsController } from './topics/topics.controller';

/** The native API and the shared infrastructure, plus the modules of the dialects the app mounts. */
@Module({})
export class ApiModule {
  static forRoot(
    config: HookyardConfig,
    deps: CoreDependencies,
    dialectModules: readonly Type<unknown>[] = [],
  ): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        CoreModule.forRoot(deps),
        AuthModule,
        EndpointsModule,
        ...dialectModules,
      ],
      controllers: [
        HealthController,
        MetricsController,
        EndpointsController,
        EventsController,
        DeliveryLogController,
        ApiKeysController,
        TopicsController,
      ],
      providers: [EventsService, OrganizationsService, DeliveryLogService],
    };
  }
}

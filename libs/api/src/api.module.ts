import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AuthModule } from './auth/auth.module';
import { CoreModule, type CoreDependencies } from './common/core.module';
import { type HookyardConfig } from '@hookyard/config';
import { createProcessMetrics, type WorkerLiveness } from '@hookyard/data-access';
import { Metrics } from '@hookyard/observability';
import { ConfigModule } from './common/config.module';
import { ConsoleController } from './console/console.controller';
import { ConsoleService } from './console/console.service';
import { DeliveryLogController } from './delivery-log/delivery-log.controller';
import { DeliveryLogService } from './delivery-log/delivery-log.service';
import { EndpointsController } from './endpoints/endpoints.controller';
import { EndpointsModule } from './endpoints/endpoints.module';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { HealthController, WORKER_LIVENESS } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { OrganizationsController } from './organizations/organizations.controller';
import { OrganizationsService } from './organizations/organizations.service';
import { PortalSessionsController } from './portal-sessions/portal-sessions.controller';
import { TopicsController } from './topics/topics.controller';
import { WhoamiController } from './whoami/whoami.controller';
import { OperatorKeysController } from './tenancy/operator-keys.controller';
import { OrganizationsAdminController } from './tenancy/organizations-admin.controller';
import { OrganizationsAdminService } from './tenancy/organizations-admin.service';

/** What the process tells the API of itself: its metrics registry and its worker loop, if it runs one. */
export interface ProcessObservability {
  /**
   * Default: a registry of the API's own (with the database-backed gauges), without prom-client's
   * process metrics: their collectors live as long as the process, and the apps' `main.ts` (the one
   * registry of a process) passes its own. An app built without one (tests, many to a process)
   * starts none of them.
   */
  readonly metrics?: Metrics;
  /** The worker loop `/readyz` checks; default none (a process without the worker role). */
  readonly worker?: WorkerLiveness | null;
}

/** The native API and the shared infrastructure, plus the modules of the dialects the app mounts. */
@Module({})
export class ApiModule {
  static forRoot(
    config: HookyardConfig,
    deps: CoreDependencies,
    dialectModules: readonly Type<unknown>[] = [],
    observability: ProcessObservability = {},
  ): DynamicModule {
    const metrics =
      observability.metrics ??
      createProcessMetrics(config, deps.dataSource, { defaultMetrics: false });
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
        PortalSessionsController,
        WhoamiController,
        OrganizationsController,
        OrganizationsAdminController,
        OperatorKeysController,
        ConsoleController,
      ],
      providers: [
        EventsService,
        OrganizationsService,
        OrganizationsAdminService,
        DeliveryLogService,
        ConsoleService,
        { provide: Metrics, useValue: metrics },
        { provide: WORKER_LIVENESS, useValue: observability.worker ?? null },
      ],
    };
  }
}

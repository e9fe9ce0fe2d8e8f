import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type HookyardConfig } from '@hookyard/config';
import { METRICS_CONTENT_TYPE, metricsAuthorized } from '@hookyard/data-access';
import { Metrics } from '@hookyard/observability';
import { Public } from '../auth/guards';
import { ApiError, ErrorCode } from '../common/api-error';
import { HOOKYARD_CONFIG } from '../common/config.module';

/**
 * Prometheus metrics of this process and of the whole installation (`HOOKYARD_METRICS_TOKEN` puts
 * them behind a token): the process's registry, whose database-backed gauges query at scrape time.
 */
@ApiExcludeController()
@Public()
@Controller()
export class MetricsController {
  constructor(
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(HOOKYARD_CONFIG) private readonly config: HookyardConfig,
  ) {}

  @Get('metrics')
  @Header('content-type', METRICS_CONTENT_TYPE)
  async render(@Headers('authorization') authorization?: string): Promise<string> {
    if (!metricsAuthorized(this.config.metricsToken, authorization))
      throw new ApiError(
        ErrorCode.UNAUTHENTICATED,
        'metrics need the bearer token of HOOKYARD_METRICS_TOKEN',
      );
    return this.metrics.render();
  }
}

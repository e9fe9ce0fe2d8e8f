import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { type HookyardConfig } from '@hookyard/config';
import { METRICS_CONTENT_TYPE, metricsAuthorized, renderMetrics } from '@hookyard/data-access';
import { Public } from '../auth/guards';
import { ApiError, ErrorCode } from '../common/api-error';
import { HOOKYARD_CONFIG } from '../common/config.module';

/** Prometheus metrics of the whole installation (`HOOKYARD_METRICS_TOKEN` puts them behind a token). */
@ApiExcludeController()
@Public()
@Controller()
export class MetricsController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(HOOKYARD_CONFIG) private readonly config: HookyardConfig,
  ) {}

  @Get('metrics')
  @Header('content-type', METRICS_CONTENT_TYPE)
  async metrics(@Headers('authorization') authorization?: string): Promise<string> {
    if (!metricsAuthorized(this.config.metricsToken, authorization))
      throw new ApiError(
        ErrorCode.UNAUTHENTICATED,
        'metrics need the bearer token of HOOKYARD_METRICS_TOKEN',
      );
    return renderMetrics(this.dataSource);
  }
}

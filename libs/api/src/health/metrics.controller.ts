import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { type HookyardConfig } from '@hookyard/config';
import { Metrics, metricsAuthorized } from '@hookyard/observability';
import { Public } from '../auth/guards';
import { ApiError, ErrorCode } from '../common/api-error';
import { HOOKYARD_CONFIG } from '../common/config.module';

/** The body of a scrape whose database-backed gauges could not be read (the worker app's too). */
const METRICS_UNAVAILABLE = { status: 'not_ready', database: 'down' } as const;

/**
 * Prometheus metrics of this process and of the whole installation (`HOOKYARD_METRICS_TOKEN` puts
 * them behind a token): the process's registry, whose database-backed gauges query at scrape time.
 * A scrape that cannot read them is a 503, as on the worker app: the database is away, nothing broke
 * in the API (no problem body, no stack in the log).
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
  async render(
    @Res() response: Response,
    @Headers('authorization') authorization?: string,
  ): Promise<void> {
    if (!metricsAuthorized(this.config.metricsToken, authorization))
      throw new ApiError(
        ErrorCode.UNAUTHENTICATED,
        'metrics need the bearer token of HOOKYARD_METRICS_TOKEN',
      );
    const text = await this.metrics.render().catch(() => null);
    if (text === null) {
      response.status(503).json(METRICS_UNAVAILABLE);
      return;
    }
    response.status(200).type(this.metrics.contentType).send(text);
  }
}

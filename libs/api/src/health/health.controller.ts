import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { checkReadiness, type WorkerLiveness } from '@hookyard/data-access';
import { Public } from '../auth/guards';

/** The worker loop of this process that `/readyz` checks, or null when the process runs no worker. */
export const WORKER_LIVENESS = Symbol('WORKER_LIVENESS');

/** Liveness and readiness for orchestrators. */
@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(WORKER_LIVENESS) private readonly worker: WorkerLiveness | null,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when the database answers, every migration is applied and the worker loop (if any) runs. */
  @Get('readyz')
  async ready(@Res() response: Response): Promise<void> {
    const readiness = await checkReadiness(this.dataSource, this.worker);
    response.status(readiness.status === 'ready' ? 200 : 503).json(readiness);
  }
}

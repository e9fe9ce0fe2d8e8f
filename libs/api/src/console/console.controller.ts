import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { Public } from '../auth/guards';
import { ConsoleService } from './console.service';

/** The web console at `/console` (and the tenant portal at `/console/portal`): static, no key. */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsoleController {
  constructor(@Inject(ConsoleService) private readonly console: ConsoleService) {}

  @Get()
  root(@Query('session') session: unknown, @Res() response: Response): Promise<void> {
    return this.console.serve('', session, response);
  }

  @Get('*path')
  file(
    @Req() request: Request,
    @Query('session') session: unknown,
    @Res() response: Response,
  ): Promise<void> {
    return this.console.serve(request.path.slice('/console/'.length), session, response);
  }
}

import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { toFeaturebaseError } from './featurebase-error';

/** Answers every error on a Featurebase route in Featurebase's shape, with the matching status. */
@Catch()
export class FeaturebaseErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Featurebase');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    const { status, body } = toFeaturebaseError(exception);
    if (status >= 500) {
      this.logger.error(
        `${request.method} ${request.path} failed: ${exception instanceof Error ? exception.stack : String(exception)}`,
      );
    }
    // A rate-limit refusal has set its own Retry-After; other 429s (the test-send cap) say 1 s.
    if (status === 429 && !response.hasHeader('retry-after'))
      response.setHeader('retry-after', '1');
    response.status(status).json(body);
  }
}

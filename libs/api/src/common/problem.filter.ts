import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { type ApiDialect } from './api-dialect';
import { statusOf } from './api-error';
import { toApiError } from './to-api-error';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The native dialect's error shape: RFC 7807 `application/problem+json`
 * `{type, title, status, detail, code, errors[{path, message}], requestId}`, plus the extensions an
 * error carries (`refreshUrl` of an expired portal session). Never leaks internals on 500.
 * An error on another dialect's mount path is that dialect's to shape.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  constructor(private readonly dialects: readonly ApiDialect[] = []) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    // Errors raised before routing (malformed JSON, unknown paths) on a dialect's mount keep its shape.
    const dialect = this.dialects.find((d) => request.path.startsWith(d.mountPath));
    if (dialect) {
      dialect.errorFilter.catch(exception, host);
      return;
    }
    const error = toApiError(exception);
    const status = statusOf(error.code);
    if (status >= 500) {
      this.logger.error(
        `${request.method} ${request.path} failed (${status} ${error.code}): ${exception instanceof Error ? exception.stack : String(exception)}`,
      );
    }
    // A rate-limit refusal has set its own Retry-After; other 429s (the test-send cap) say 1 s.
    if (status === 429 && !response.hasHeader('retry-after'))
      response.setHeader('retry-after', '1');
    response
      .status(status)
      .type('application/problem+json')
      .json({
        ...error.extensions,
        type: `https://hookyard.dev/problems/${error.code.toLowerCase().replace(/_/g, '-')}`,
        title: TITLES[status] ?? 'Error',
        status,
        detail: error.message,
        code: error.code,
        errors: error.errors,
        requestId: request.id,
      });
  }
}

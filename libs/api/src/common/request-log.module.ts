import { randomUUID } from 'node:crypto';
import { type DynamicModule } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { type LevelWithSilent, type Logger } from 'pino';
import { type Options } from 'pino-http';
import { routeOf, UNMATCHED_ROUTE } from './http-metrics.middleware';

/** What an incoming `X-Request-ID` may look like to be reused (else the API makes one). */
const SANE_REQUEST_ID = /^[\w.-]{1,64}$/;

/** Probes and scrapes: logged at `debug`, so a Kubernetes probe every few seconds stays quiet at `info`. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The id of a request: a sane incoming `X-Request-ID`, else a new UUID. */
export function requestIdOf(header: unknown): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Gives each request its id once (`request.id`, reused if another middleware got there first) and
 * answers it in `X-Request-ID`: the request line, the problem body and the client see one id.
 */
export function assignRequestId(request: Request, response: Response): string {
  const id =
    typeof request.id === 'string' ? request.id : requestIdOf(request.headers['x-request-id']);
  request.id = id;
  if (!response.headersSent) response.setHeader('x-request-id', id);
  return id;
}

/** The path of a request without its query string (which a line has no need to keep). */
function pathOf(request: Request): string {
  const url = request.originalUrl ?? request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The fields of a request line besides `requestId`: method, path, route pattern, status, time. */
export function requestLineFields(
  request: Request,
  response: Response,
  responseTime: number,
): Record<string, unknown> {
  const route = routeOf(request);
  return {
    method: request.method,
    url: pathOf(request),
    // routeOf says unmatched for a 404, and for the catch-all nestjs-pino mounts its middleware on.
    ...(route === UNMATCHED_ROUTE ? {} : { route }),
    statusCode: response.statusCode,
    responseTime,
  };
}

/** `error` for a 5xx or a failure, `debug` for probes and scrapes, `info` for the rest. */
export function requestLogLevel(
  request: Request,
  response: Response,
  error?: Error,
): LevelWithSilent {
  if (error || response.statusCode >= 500) return 'error';
  return QUIET_PATHS.has(pathOf(request)) ? 'debug' : 'info';
}

/**
 * pino-http over the process's logger: one line per request, when its answer is written, with
 * `requestId`, `method`, `url` (no query string), `route`, `statusCode` and `responseTime` (ms). No
 * headers or bodies are logged; the process logger's redaction stays in force for what is.
 */
export function requestLogOptions(logger: Logger): Options<Request, Response> {
  return {
    logger,
    genReqId: (request, response) => assignRequestId(request, response),
    customAttributeKeys: { reqId: 'requestId' },
    quietReqLogger: true,
    quietResLogger: true,
    wrapSerializers: false,
    serializers: { req: (request: Request) => ({ method: request.method, url: pathOf(request) }) },
    customLogLevel: requestLogLevel,
    customSuccessObject: (request, response, value: { responseTime: number }) =>
      requestLineFields(request, response, value.responseTime),
    customErrorObject: (request, response, error, value: { responseTime: number }) => ({
      ...requestLineFields(request, response, value.responseTime),
      err: error,
    }),
  };
}

/**
 * nestjs-pino's `LoggerModule` writing the request lines through `logger`. nestjs-pino keeps one
 * pino-http instance per process (the first module built wins), as there is one API app per process.
 */
export function requestLogModule(logger: Logger): DynamicModule {
  return LoggerModule.forRoot({ pinoHttp: requestLogOptions(logger) });
}

import { performance } from 'node:perf_hooks';
import { type NextFunction, type Request, type Response } from 'express';
import { type ApiMetrics } from '@hookyard/observability';

/** The route label of a request no route matched (404s, static files of the docs). */
export const UNMATCHED_ROUTE = 'unmatched';

/** The status label of a request whose response was never finished (the client went away first). */
export const ABORTED_STATUS = 0;

/**
 * Observes every request's duration once its response is written, labelled by method, status and
 * the route pattern Express matched (`/v1/endpoints/:id`), never the raw URL: ids and query
 * strings would make a series per request. A request that ends before the answer (the client went
 * away) is observed too, with status `0`: the status set so far (200 until a handler sets one) was
 * never answered.
 */
export function httpMetricsMiddleware(metrics: ApiMetrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = performance.now();
    let done = false;
    const observe = () => {
      if (done) return;
      done = true;
      metrics.observeHttpRequest(
        request.method,
        routeOf(request),
        response.writableFinished ? response.statusCode : ABORTED_STATUS,
        (performance.now() - started) / 1000,
      );
    };
    response.once('finish', observe);
    response.once('close', observe);
    next();
  };
}

/**
 * The matched pattern, under the router's mount path; `unmatched` when no route took the request.
 * A catch-all pattern (`{/*splat}`, left by middleware mounted for every path, such as the request
 * logger's) is not a route of the API either.
 */
export function routeOf(request: Pick<Request, 'baseUrl' | 'route'>): string {
  const route: unknown = request.route;
  const path =
    typeof route === 'object' && route !== null && 'path' in route ? route.path : undefined;
  return typeof path === 'string' && !path.includes('*')
    ? `${request.baseUrl ?? ''}${path}`
    : UNMATCHED_ROUTE;
}

import { EventEmitter } from 'node:events';
import { type NextFunction, type Request, type Response } from 'express';
import { type ApiMetrics } from '@hookyard/observability';
import {
  ABORTED_STATUS,
  httpMetricsMiddleware,
  routeOf,
  UNMATCHED_ROUTE,
} from './http-metrics.middleware';

describe('httpMetricsMiddleware', () => {
  it('labels a request by the matched route pattern under its mount path, never the raw URL', () => {
    expect(routeOf({ baseUrl: '', route: { path: '/v1/endpoints/:id' } })).toBe(
      '/v1/endpoints/:id',
    );
    expect(routeOf({ baseUrl: '/featurebase', route: { path: '/v2/webhooks/:id' } })).toBe(
      '/featurebase/v2/webhooks/:id',
    );
    expect(routeOf({ baseUrl: '', route: undefined })).toBe(UNMATCHED_ROUTE);
    expect(routeOf({ baseUrl: '', route: { path: '{/*splat}' } })).toBe(UNMATCHED_ROUTE);
  });

  /** The middleware over a fake request and response, and the observations it made. */
  function observed(method: string) {
    const seen: Parameters<ApiMetrics['observeHttpRequest']>[] = [];
    const metrics: ApiMetrics = {
      countEventsAccepted: () => undefined,
      observeHttpRequest: (...args) => void seen.push(args),
    };
    const request = { method, baseUrl: '', route: undefined } as unknown as Request;
    const response = Object.assign(new EventEmitter(), {
      statusCode: 200,
      writableFinished: false,
    });
    return { seen, metrics, request, response };
  }

  it('observes each request once, when its response finishes, with the status it answered', () => {
    const { seen, metrics, request, response } = observed('GET');
    let nexts = 0;
    const next: NextFunction = () => void nexts++;
    httpMetricsMiddleware(metrics)(request, response as unknown as Response, next);
    expect([nexts, seen.length]).toEqual([1, 0]);
    (request as { route?: unknown }).route = { path: '/v1/endpoints/:id' };
    response.statusCode = 404;
    response.writableFinished = true;
    response.emit('finish');
    response.emit('close');
    expect(seen).toEqual([['GET', '/v1/endpoints/:id', 404, expect.any(Number)]]);
  });

  it('labels a request whose client went away before the answer with status 0, not the default 200', () => {
    const { seen, metrics, request, response } = observed('POST');
    httpMetricsMiddleware(metrics)(request, response as unknown as Response, () => undefined);
    (request as { route?: unknown }).route = { path: '/v1/events' };
    response.emit('close');
    response.writableFinished = true;
    response.emit('finish');
    expect(seen).toEqual([['POST', '/v1/events', ABORTED_STATUS, expect.any(Number)]]);
    expect(ABORTED_STATUS).toBe(0);
  });
});

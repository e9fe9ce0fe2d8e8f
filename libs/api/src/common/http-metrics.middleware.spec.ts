import { EventEmitter } from 'node:events';
import { type NextFunction, type Request, type Response } from 'express';
import { type ApiMetrics } from '@hookyard/observability';
import { httpMetricsMiddleware, routeOf, UNMATCHED_ROUTE } from './http-metrics.middleware';

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

  it('observes each request once, when its response finishes, with the status it answered', () => {
    const seen: Parameters<ApiMetrics['observeHttpRequest']>[] = [];
    const metrics: ApiMetrics = {
      countEventsAccepted: () => undefined,
      observeHttpRequest: (...args) => void seen.push(args),
    };
    const request = { method: 'GET', baseUrl: '', route: undefined } as unknown as Request;
    const response = Object.assign(new EventEmitter(), { statusCode: 200 });
    let nexts = 0;
    const next: NextFunction = () => void nexts++;
    httpMetricsMiddleware(metrics)(request, response as unknown as Response, next);
    expect([nexts, seen.length]).toEqual([1, 0]);
    (request as { route?: unknown }).route = { path: '/v1/endpoints/:id' };
    response.statusCode = 404;
    response.emit('finish');
    response.emit('close');
    expect(seen).toEqual([['GET', '/v1/endpoints/:id', 404, expect.any(Number)]]);
  });
});

import { type Request, type Response } from 'express';
import {
  assignRequestId,
  requestIdOf,
  requestLineFields,
  requestLogLevel,
} from './request-log.module';

const request = (fields: Partial<Request>) => ({ headers: {}, ...fields }) as Request;
const response = (statusCode: number) =>
  ({ statusCode, headersSent: false, setHeader: jest.fn() }) as unknown as Response;

describe('request ids and request lines', () => {
  it('reuses a sane incoming X-Request-ID and makes a UUID for anything else', () => {
    expect(requestIdOf('abc-123.x_y')).toBe('abc-123.x_y');
    for (const insane of [undefined, '', 'a b', 'x'.repeat(65), '<script>', ['a', 'b']])
      expect(requestIdOf(insane)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives a request one id, answered in X-Request-ID, whoever asks first', () => {
    const req = request({ headers: { 'x-request-id': 'from-client' } });
    const res = response(200);
    expect(assignRequestId(req, res)).toBe('from-client');
    expect(assignRequestId(request({ id: 'already', headers: {} }), res)).toBe('already');
    expect(res.setHeader).toHaveBeenCalledWith('x-request-id', 'from-client');
  });

  it('logs the path without its query, the matched route, and no route for a 404', () => {
    const matched = request({
      method: 'GET',
      originalUrl: '/v1/endpoints/ep_1?limit=5',
      baseUrl: '',
      route: { path: '/v1/endpoints/:id' },
    });
    expect(requestLineFields(matched, response(200), 4)).toEqual({
      method: 'GET',
      url: '/v1/endpoints/ep_1',
      route: '/v1/endpoints/:id',
      statusCode: 200,
      responseTime: 4,
    });
    const unmatched = request({
      method: 'GET',
      originalUrl: '/nope',
      route: { path: '{/*splat}' },
    });
    expect(requestLineFields(unmatched, response(404), 1)).not.toHaveProperty('route');
  });

  it('logs a 5xx at error, probes at debug and the rest at info', () => {
    const at = (url: string) => request({ originalUrl: url });
    expect(requestLogLevel(at('/v1/events'), response(503))).toBe('error');
    expect(requestLogLevel(at('/v1/events'), response(200), new Error('x'))).toBe('error');
    expect(requestLogLevel(at('/readyz'), response(200))).toBe('debug');
    expect(requestLogLevel(at('/v1/events'), response(401))).toBe('info');
  });
});

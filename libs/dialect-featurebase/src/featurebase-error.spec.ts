import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ApiError, ErrorCode } from '@hookyard/api';
import { FeaturebaseError, toFeaturebaseError } from './featurebase-error';

describe('Featurebase error shape', () => {
  it.each([
    [ErrorCode.VALIDATION_FAILED, 400, 'invalid_request'],
    [ErrorCode.UNAUTHENTICATED, 401, 'authentication'],
    [ErrorCode.FORBIDDEN, 403, 'authorization'],
    [ErrorCode.NOT_FOUND, 404, 'invalid_request'],
    [ErrorCode.IDEMPOTENCY_KEY_REUSED, 422, 'invalid_request'],
    [ErrorCode.RATE_LIMITED, 429, 'rate_limit'],
    [ErrorCode.UNAVAILABLE, 503, 'api'],
  ] as const)('answers %s with %i and type %s', (code, status, type) => {
    expect(toFeaturebaseError(new ApiError(code, 'why'))).toEqual({
      status,
      body: { error: { type, code: code.toLowerCase(), message: 'why', param: null, status } },
    });
  });

  it('never leaks the internals of an unexpected error', () => {
    const { status, body } = toFeaturebaseError(new Error('password=hunter2 at db.ts:12'));
    expect(status).toBe(500);
    expect(body.error).toEqual({
      type: 'api',
      code: 'internal',
      message: 'An internal error occurred.',
      param: null,
      status: 500,
    });
  });

  it('names the faulty field as Featurebase nests it', () => {
    const headers = ApiError.validation([{ path: 'headers.X-Bad', message: 'bad' }]);
    expect(toFeaturebaseError(headers).body.error.param).toBe('requestConfig.headers.X-Bad');
    const timeout = ApiError.validation([{ path: 'timeoutMs', message: 'bad' }]);
    expect(toFeaturebaseError(timeout).body.error.param).toBe('requestConfig.timeoutMs');
    const url = ApiError.validation([{ path: 'url', message: 'bad' }]);
    expect(toFeaturebaseError(url).body.error.param).toBe('url');
  });

  it('uses the dialect’s own code where it has one', () => {
    const error = new FeaturebaseError(
      ErrorCode.VALIDATION_FAILED,
      'invalid_version',
      'unknown version',
      'Featurebase-Version',
    );
    expect(toFeaturebaseError(error).body.error).toMatchObject({
      code: 'invalid_version',
      param: 'Featurebase-Version',
      status: 400,
    });
  });

  it('maps framework exceptions too', () => {
    expect(toFeaturebaseError(new NotFoundException()).status).toBe(404);
    expect(toFeaturebaseError(new BadRequestException('nope')).body.error.type).toBe(
      'invalid_request',
    );
  });
});

import { ApiError, ErrorCode } from '@hookyard/api';
import { ValidationCode } from '@hookyard/webhook-core';
import { PlatformError, toPlatformError } from './platform-error';

describe('toPlatformError', () => {
  it('answers a missing field as MISSING_FIELD and a wrong one as INVALID_FIELD, both 400', () => {
    const missing = ApiError.validation([
      { path: 'url', message: 'url should not be undefined', code: ErrorCode.FIELD_REQUIRED },
    ]);
    expect(toPlatformError(missing)).toEqual({
      status: 400,
      body: {
        type: 'INVALID_REQUEST',
        code: 'MISSING_FIELD',
        message: 'url: url should not be undefined',
        field: 'url',
      },
    });
    const wrong = ApiError.validation([{ path: 'name', message: 'too long' }]);
    expect(toPlatformError(wrong).body).toMatchObject({ code: 'INVALID_FIELD', field: 'name' });
  });

  it('turns the core 422 of an unknown topic into 400 on included_actions', () => {
    const unknown = new ApiError(ValidationCode.TOPIC_UNKNOWN, 'topics[1]: unknown', [
      { path: 'topics[1]', message: 'unknown' },
    ]);
    expect(toPlatformError(unknown)).toMatchObject({
      status: 400,
      body: { code: 'INVALID_FIELD', field: 'included_actions[1]' },
    });
  });

  it.each([
    [ErrorCode.UNAUTHENTICATED, 401, 'UNAUTHORISED'],
    [ErrorCode.FORBIDDEN, 403, 'USER_NOT_ALLOWED'],
    [ErrorCode.NOT_FOUND, 404, 'RESOURCE_NOT_FOUND'],
    [ErrorCode.CONFLICT, 409, 'CONFLICT'],
    [ErrorCode.RATE_LIMITED, 429, 'TOO_MANY_REQUESTS'],
    [ErrorCode.UNAVAILABLE, 503, 'SERVICE_UNAVAILABLE'],
  ])('maps %s to %i %s', (code, status, platformCode) => {
    expect(toPlatformError(new ApiError(code, 'x'))).toMatchObject({
      status,
      body: { code: platformCode },
    });
  });

  it('names the resource of a not-found and hides internals of unknown errors', () => {
    expect(toPlatformError(PlatformError.resource('WEBHOOK', 'abc')).body).toEqual({
      type: 'INVALID_REQUEST',
      code: 'RESOURCE_NOT_FOUND',
      message: 'WEBHOOK abc not found',
      resource_id: 'abc',
      resource_type: 'WEBHOOK',
    });
    expect(toPlatformError(new Error('password=hunter2'))).toEqual({
      status: 500,
      body: { type: 'API_ERROR', code: 'INTERNAL_ERROR', message: 'An internal error occurred.' },
    });
  });
});

describe('toPlatformError for a full rotation window', () => {
  it('names no field: a roll has no gracePeriodSeconds, its window is configured', () => {
    const full = new ApiError(
      ErrorCode.ROTATION_LIMIT_REACHED,
      'gracePeriodSeconds: at most 10 previous secrets',
      [{ path: 'gracePeriodSeconds', message: 'at most 10 previous secrets' }],
    );
    expect(toPlatformError(full)).toEqual({
      status: 400,
      body: {
        type: 'INVALID_REQUEST',
        code: 'INVALID_FIELD',
        message: 'at most 10 previous secrets',
      },
    });
  });
});

import { ValidationCode } from '@hookyard/webhook-core';
import { ErrorCode, statusOf } from './api-error';

describe('statusOf', () => {
  it.each(Object.values(ValidationCode).filter((code) => code !== ValidationCode.TOPIC_UNKNOWN))(
    'answers the core validation code %s with 400',
    (code) => {
      expect(statusOf(code)).toBe(400);
    },
  );

  it('answers a topic outside the catalogue with 422, like a reused idempotency key', () => {
    expect(statusOf(ValidationCode.TOPIC_UNKNOWN)).toBe(422);
    expect(statusOf(ErrorCode.IDEMPOTENCY_KEY_REUSED)).toBe(422);
  });

  it('answers an ended portal session 401, an unknown endpoint 422, an unbuilt console 404', () => {
    expect(statusOf(ErrorCode.PORTAL_SESSION_EXPIRED)).toBe(401);
    expect(statusOf(ErrorCode.ENDPOINT_UNKNOWN)).toBe(422);
    expect(statusOf(ErrorCode.CONSOLE_NOT_BUILT)).toBe(404);
  });
});

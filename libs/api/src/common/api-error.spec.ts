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
});

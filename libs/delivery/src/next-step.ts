import { nextRetry, parseRetryAfter } from '@hookyard/webhook-core';
import { type RetryPolicies } from './organization-settings';
import { type NextStep, type Outcome, type TryResult } from './result-recorder';

/**
 * After a try: done, retry at a time (the schedule of the endpoint's dialect in `policies`, or
 * Retry-After on 429/503), or give up.
 */
export function retryStep(
  { endpoint, result, delivery, at }: TryResult,
  outcome: Outcome,
  policies: RetryPolicies,
  random: () => number,
): NextStep {
  if (outcome === 'success') return { status: 'succeeded', nextAttemptAt: null };
  const retryAfterMs =
    result.kind === 'response' && (result.status === 429 || result.status === 503)
      ? parseRetryAfter(result.headers['retry-after'], at)
      : null;
  const decision = nextRetry(policies[endpoint.dialect], {
    attemptsMade: delivery.attemptCount + 1,
    now: at,
    random,
    retryAfterMs,
    statusCode: result.kind === 'response' ? result.status : null,
  });
  return decision.kind === 'retry'
    ? { status: 'pending', nextAttemptAt: decision.at }
    : { status: 'failed', nextAttemptAt: null };
}

/**
 * When to try a failed delivery again: the configured schedule, symmetric jitter, and the receiver's
 * `Retry-After` header on 429 and 503, honoured within bounds. Everything here is pure: the clock and
 * the random source are passed in.
 */

import { parseDuration } from './duration';

/** The default retry schedule from the product brief: delays after attempts 1, 2, ... 7. */
export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

/**
 * Parses a comma-separated list of durations (see `parseDuration`; a bare number means seconds) into
 * milliseconds. Whitespace around entries is ignored. An empty (or blank) string means "no retries"
 * and gives `[]`.
 *
 * @throws RangeError on an empty entry (`5s,,5m`, a trailing comma), a negative or otherwise invalid
 *   duration.
 */
export function parseRetrySchedule(text: string): readonly number[] {
  if (text.trim() === '') {
    return Object.freeze([]);
  }
  const entries = text.split(',');
  const delays = entries.map((entry, index) => {
    if (entry.trim() === '') {
      throw new RangeError(
        `Invalid retry schedule ${JSON.stringify(text)}: entry ${index + 1} is empty`,
      );
    }
    try {
      return parseDuration(entry);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RangeError(
        `Invalid retry schedule ${JSON.stringify(text)}: entry ${index + 1}: ${reason}`,
      );
    }
  });
  return Object.freeze(delays);
}

/**
 * `schedule` followed by as many `every` entries as fit while the sum of all delays stays within
 * `totalMs`: `fillRetrySchedule('1h', '2h', 7 * HOUR)` is `'1h,2h,2h,2h'`. The entries are kept as
 * written.
 *
 * @throws RangeError when either schedule is invalid, `every` is not one positive delay, `totalMs` is
 *   not a non-negative integer, or `schedule` alone already exceeds `totalMs`.
 */
export function fillRetrySchedule(schedule: string, every: string, totalMs: number): string {
  const [everyMs, ...more] = parseRetrySchedule(every);
  if (everyMs === undefined || everyMs <= 0 || more.length > 0) {
    throw new RangeError(`Cannot fill a retry schedule with ${JSON.stringify(every)}`);
  }
  if (!Number.isSafeInteger(totalMs) || totalMs < 0) {
    throw new RangeError(`Cannot fill a retry schedule up to ${totalMs} ms`);
  }
  const scheduledMs = parseRetrySchedule(schedule).reduce((sum, delay) => sum + delay, 0);
  if (scheduledMs > totalMs) {
    throw new RangeError(
      `The retry schedule ${JSON.stringify(schedule)} already lasts ${scheduledMs} ms, more than ${totalMs}`,
    );
  }
  const count = Math.floor((totalMs - scheduledMs) / everyMs);
  const entries = schedule.trim() === '' ? [] : [schedule.trim()];
  return [...entries, ...Array<string>(count).fill(every.trim())].join(',');
}

const DAY_NAME = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY_NAME = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** RFC 9110 §5.6.7 preferred form: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = new RegExp(`^${DAY_NAME}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`, 'i');
/** Obsolete RFC 850 form: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850_DATE = new RegExp(`^${LONG_DAY_NAME}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`, 'i');
/** Obsolete asctime form, always GMT: `Sun Nov  6 08:49:37 1994`. */
const ASCTIME_DATE = new RegExp(`^${DAY_NAME} ${MONTH} (?: \\d|\\d{2}) ${TIME} \\d{4}$`, 'i');
const DELTA_SECONDS = /^\d+$/;

/**
 * Reads a `Retry-After` header value as a delay in milliseconds from `now`.
 *
 * - delta-seconds (a non-negative integer): that many seconds;
 * - an HTTP-date in any of the three RFC 9110 forms: the time until that date, 0 when it is past;
 * - anything else (absent, blank, negative, fractional, garbage, an unparsable date): `null`, meaning
 *   "no hint", so the caller falls back to its schedule.
 *
 * The result is not clamped; {@link nextRetry} clamps it with the policy's bounds.
 */
export function parseRetryAfter(value: string | undefined | null, now: Date): number | null {
  if (value === undefined || value === null) {
    return null;
  }
  const trimmed = value.trim();
  if (DELTA_SECONDS.test(trimmed)) {
    const ms = Number(trimmed) * 1000;
    return Number.isFinite(ms) ? ms : null;
  }
  let dateText: string;
  if (IMF_FIXDATE.test(trimmed) || RFC850_DATE.test(trimmed)) {
    dateText = trimmed;
  } else if (ASCTIME_DATE.test(trimmed)) {
    dateText = `${trimmed} GMT`;
  } else {
    return null;
  }
  const at = new Date(Date.parse(dateText));
  const delay = at.getTime() - now.getTime();
  if (Number.isNaN(delay)) {
    return null;
  }
  return Math.max(0, delay);
}

/** How failed deliveries are retried. */
export interface RetryPolicy {
  /** Delay after attempt k is `scheduleMs[k - 1]`; total attempts are `1 + scheduleMs.length`. */
  readonly scheduleMs: readonly number[];
  /** Symmetric jitter as a fraction of the delay, in [0, 1]: 0.2 spreads a delay over ±20%. */
  readonly jitter: number;
  /** Lower bound applied to a `Retry-After` hint, in ms (default 1 s). */
  readonly minRetryAfterMs: number;
  /**
   * Upper bound applied to a `Retry-After` hint, in ms (default 24 h: long enough for a daily quota to
   * reset, short enough that a hostile or broken value cannot hold a delivery for ever).
   */
  readonly maxRetryAfterMs: number;
}

const HOUR_MS = 3_600_000;

/** The defaults: the brief's schedule, ±20% jitter, `Retry-After` clamped to [1 s, 24 h]. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  scheduleMs: parseRetrySchedule(DEFAULT_RETRY_SCHEDULE),
  jitter: 0.2,
  minRetryAfterMs: 1_000,
  maxRetryAfterMs: 24 * HOUR_MS,
});

function isNonNegativeInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * Builds a policy from {@link DEFAULT_RETRY_POLICY} with the given fields replaced.
 *
 * @throws RangeError when a delay or bound is not a non-negative integer of ms, `jitter` is outside
 *   [0, 1], or `minRetryAfterMs > maxRetryAfterMs`.
 */
export function createRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...partial };
  if (!policy.scheduleMs.every(isNonNegativeInteger)) {
    throw new RangeError('Retry schedule delays must be non-negative integers of ms');
  }
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) {
    throw new RangeError(`Retry jitter must be within [0, 1], got ${policy.jitter}`);
  }
  if (
    !isNonNegativeInteger(policy.minRetryAfterMs) ||
    !isNonNegativeInteger(policy.maxRetryAfterMs)
  ) {
    throw new RangeError('Retry-After bounds must be non-negative integers of ms');
  }
  if (policy.minRetryAfterMs > policy.maxRetryAfterMs) {
    throw new RangeError(
      `minRetryAfterMs (${policy.minRetryAfterMs}) exceeds maxRetryAfterMs (${policy.maxRetryAfterMs})`,
    );
  }
  return Object.freeze({ ...policy, scheduleMs: Object.freeze([...policy.scheduleMs]) });
}

/** What to do after a failed attempt. */
export type RetryDecision =
  | { readonly kind: 'retry'; readonly at: Date; readonly delayMs: number }
  | { readonly kind: 'give_up' };

/** Facts about the attempt that just failed. */
export interface RetryInput {
  /** Attempts already made for this delivery, including the one that just failed (>= 1). */
  readonly attemptsMade: number;
  readonly now: Date;
  /** Uniform in [0, 1); values outside are clamped into it. */
  readonly random: () => number;
  /** The parsed `Retry-After` hint; the worker passes it only for 429 and 503. */
  readonly retryAfterMs?: number | null;
  /** Status of the failed attempt; `null` for a network error or time-out. */
  readonly statusCode?: number | null;
}

/**
 * Decides whether and when to try again after `attemptsMade` attempts.
 *
 * The delay after attempt k is `scheduleMs[k - 1]`, spread uniformly over ±`jitter` of itself by
 * `random` and rounded to whole ms. A `Retry-After` hint, clamped to
 * [`minRetryAfterMs`, `maxRetryAfterMs`], is a floor: the retry never comes earlier than it. The hint is
 * ignored when `statusCode` is given and is neither 429 nor 503. It gives up once the schedule is spent
 * (k > `scheduleMs.length`) and at once after a 410 Gone. Pure: the same input gives the same answer.
 *
 * @throws RangeError when `attemptsMade` is not an integer >= 1 (a caller bug, not a delivery outcome).
 */
export function nextRetry(policy: RetryPolicy, input: RetryInput): RetryDecision {
  const { attemptsMade, now, random, retryAfterMs, statusCode } = input;
  if (!Number.isSafeInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`attemptsMade must be an integer >= 1, got ${attemptsMade}`);
  }
  if (statusCode !== undefined && statusCode !== null && classifyStatus(statusCode) === 'gone') {
    return { kind: 'give_up' };
  }
  const scheduled = policy.scheduleMs[attemptsMade - 1];
  if (scheduled === undefined) {
    return { kind: 'give_up' };
  }
  const unit = Math.min(Math.max(random(), 0), 1);
  const spread = Number.isNaN(unit) ? 0 : policy.jitter * (2 * unit - 1);
  let delayMs = Math.max(0, Math.round(scheduled * (1 + spread)));
  const honoursRetryAfter =
    statusCode === undefined || statusCode === null || statusCode === 429 || statusCode === 503;
  if (
    honoursRetryAfter &&
    retryAfterMs !== undefined &&
    retryAfterMs !== null &&
    !Number.isNaN(retryAfterMs)
  ) {
    const floor = Math.min(Math.max(retryAfterMs, policy.minRetryAfterMs), policy.maxRetryAfterMs);
    delayMs = Math.max(delayMs, Math.round(floor));
  }
  return { kind: 'retry', at: new Date(now.getTime() + delayMs), delayMs };
}

/** How an HTTP status counts for delivery. */
export type StatusClass = 'success' | 'failure' | 'gone';

/**
 * 2xx is success; 410 Gone is `gone` (the endpoint is suspended, no retries); everything else,
 * including 1xx and 3xx (redirects are not followed), is a failure.
 */
export function classifyStatus(code: number): StatusClass {
  if (code >= 200 && code <= 299) {
    return 'success';
  }
  if (code === 410) {
    return 'gone';
  }
  return 'failure';
}

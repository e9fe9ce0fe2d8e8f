import fc from 'fast-check';
import {
  DEFAULT_RETRY_POLICY,
  DEFAULT_RETRY_SCHEDULE,
  classifyStatus,
  createRetryPolicy,
  nextRetry,
  fillRetrySchedule,
  parseRetryAfter,
  parseRetrySchedule,
} from './retry-policy';

const NOW = new Date('2024-05-01T12:00:00.000Z');
const MID = (): number => 0.5;
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('parseRetrySchedule', () => {
  it('parses the default schedule from the product brief', () => {
    expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)).toEqual([
      5 * SECOND,
      5 * MINUTE,
      30 * MINUTE,
      2 * HOUR,
      5 * HOUR,
      10 * HOUR,
      10 * HOUR,
    ]);
  });

  it('reads bare numbers as seconds and ignores whitespace around entries', () => {
    expect(parseRetrySchedule(' 1, 2 ,4 ')).toEqual([1_000, 2_000, 4_000]);
  });

  it('mixes units', () => {
    expect(parseRetrySchedule('250ms,1m,1d')).toEqual([250, MINUTE, 24 * HOUR]);
  });

  it.each([[''], ['   ']])('reads %j as no retries', (text) => {
    expect(parseRetrySchedule(text)).toEqual([]);
  });

  it.each([
    ['5s,,5m', /entry 2 is empty/],
    ['5s,', /entry 2 is empty/],
    [',5s', /entry 1 is empty/],
    ['5s, ,5m', /entry 2 is empty/],
    ['5s,-5m', /entry 2/],
    ['-1', /entry 1/],
    ['5s,soon', /entry 2/],
    ['1.5s', /entry 1/],
    ['5s;5m', /entry 1/],
  ])('rejects %j with a RangeError', (text, message) => {
    expect(() => parseRetrySchedule(text)).toThrow(RangeError);
    expect(() => parseRetrySchedule(text)).toThrow(message);
  });
});

describe('fillRetrySchedule', () => {
  const total = (schedule: string) => parseRetrySchedule(schedule).reduce((a, b) => a + b, 0);

  it('appends the repeated delay as many times as fit within the total', () => {
    expect(fillRetrySchedule('1h', '2h', 7 * HOUR)).toBe('1h,2h,2h,2h');
    expect(fillRetrySchedule('1h', '2h', 9 * HOUR - 1)).toBe('1h,2h,2h,2h');
    expect(fillRetrySchedule('1h', '2h', 9 * HOUR)).toBe('1h,2h,2h,2h,2h');
  });

  it('keeps the schedule as written and adds nothing when no more fits', () => {
    expect(fillRetrySchedule(' 5s, 1m ', '1h', MINUTE + 5 * SECOND)).toBe('5s, 1m');
  });

  it('fills an empty schedule with the repeated delay alone', () => {
    expect(fillRetrySchedule('', '30m', 2 * HOUR)).toBe('30m,30m,30m,30m');
    expect(fillRetrySchedule('', '30m', 0)).toBe('');
  });

  it('never exceeds the total, and one more entry always would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 120 }), { maxLength: 5 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 5000 }),
        (minutes, every, extraMinutes) => {
          const schedule = minutes.map((m) => `${m}m`).join(',');
          const totalMs = total(schedule) + extraMinutes * MINUTE;
          const filled = fillRetrySchedule(schedule, `${every}m`, totalMs);
          expect(filled.startsWith(schedule)).toBe(true);
          expect(total(filled)).toBeLessThanOrEqual(totalMs);
          expect(total(filled) + every * MINUTE).toBeGreaterThan(totalMs);
        },
      ),
    );
  });

  it.each([
    ['a zero repeated delay', '1h', '0s', HOUR],
    ['several repeated delays', '1h', '1h,2h', 10 * HOUR],
    ['no repeated delay', '1h', '', 10 * HOUR],
    ['an invalid schedule', '1h,,2h', '1h', 10 * HOUR],
    ['a schedule longer than the total', '2h', '1h', HOUR],
    ['a negative total', '', '1h', -1],
    ['a fractional total', '', '1h', 1.5],
  ])('refuses %s with a RangeError', (_, schedule, every, totalMs) => {
    expect(() => fillRetrySchedule(schedule, every, totalMs)).toThrow(RangeError);
  });
});

describe('R6 parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['5', 5_000],
    [' 120 ', 120_000],
  ])('reads delta-seconds %j as %d ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('reads an IMF-fixdate relative to now', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:30 GMT', NOW)).toBe(30_000);
  });

  it('reads the obsolete RFC 850 form', () => {
    expect(parseRetryAfter('Wednesday, 01-May-24 12:01:00 GMT', NOW)).toBe(60_000);
  });

  it('reads the obsolete asctime form as GMT', () => {
    expect(parseRetryAfter('Wed May  1 12:00:10 2024', NOW)).toBe(10_000);
  });

  it('reads a date in the past as no wait', () => {
    expect(parseRetryAfter('Tue, 30 Apr 2024 12:00:00 GMT', NOW)).toBe(0);
  });

  it.each([
    [undefined],
    [null],
    [''],
    ['   '],
    ['abc'],
    ['-1'],
    ['1.5'],
    ['5s'],
    ['2024-05-01T12:00:30Z'],
    ['Wed, 01 May 2024 12:00:30'],
    ['Xyz, 01 May 2024 12:00:30 GMT'],
  ])('ignores %p', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeNull();
  });
});

describe('createRetryPolicy', () => {
  it('defaults to the brief schedule, ±20% jitter and Retry-After bounds of 1 s and 24 h', () => {
    const policy = createRetryPolicy();
    expect(policy.scheduleMs).toEqual(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE));
    expect(policy.jitter).toBe(0.2);
    expect(policy.minRetryAfterMs).toBe(SECOND);
    expect(policy.maxRetryAfterMs).toBe(24 * HOUR);
  });

  it('replaces only the given fields', () => {
    const policy = createRetryPolicy({ jitter: 0 });
    expect(policy.jitter).toBe(0);
    expect(policy.scheduleMs).toEqual(DEFAULT_RETRY_POLICY.scheduleMs);
  });

  it.each([
    [{ jitter: -0.1 }],
    [{ jitter: 1.5 }],
    [{ jitter: Number.NaN }],
    [{ scheduleMs: [1_000, -1] }],
    [{ scheduleMs: [1.5] }],
    [{ minRetryAfterMs: -1 }],
    [{ minRetryAfterMs: 10_000, maxRetryAfterMs: 5_000 }],
  ])('rejects %p', (partial) => {
    expect(() => createRetryPolicy(partial)).toThrow(RangeError);
  });
});

describe('nextRetry', () => {
  const policy = createRetryPolicy({ scheduleMs: [1_000, 2_000, 4_000], jitter: 0.2 });

  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
  ])('after attempt %d waits schedule[k-1] = %d ms (mid jitter)', (attemptsMade, expected) => {
    expect(nextRetry(policy, { attemptsMade, now: NOW, random: MID })).toEqual({
      kind: 'retry',
      delayMs: expected,
      at: new Date(NOW.getTime() + expected),
    });
  });

  it('gives up after the last scheduled retry', () => {
    expect(nextRetry(policy, { attemptsMade: 4, now: NOW, random: MID })).toEqual({
      kind: 'give_up',
    });
    expect(nextRetry(policy, { attemptsMade: 10, now: NOW, random: MID })).toEqual({
      kind: 'give_up',
    });
  });

  it('gives up at once with an empty schedule', () => {
    const none = createRetryPolicy({ scheduleMs: [] });
    expect(nextRetry(none, { attemptsMade: 1, now: NOW, random: MID }).kind).toBe('give_up');
  });

  it('gives up after a 410 Gone', () => {
    const decision = nextRetry(policy, { attemptsMade: 1, now: NOW, random: MID, statusCode: 410 });
    expect(decision.kind).toBe('give_up');
  });

  it('spreads the delay from -jitter to +jitter at the ends of the random range', () => {
    expect(nextRetry(policy, { attemptsMade: 2, now: NOW, random: () => 0 })).toMatchObject({
      delayMs: 1_600,
    });
    expect(nextRetry(policy, { attemptsMade: 2, now: NOW, random: () => 0.999999 })).toMatchObject({
      delayMs: 2_400,
    });
  });

  it('keeps every delay within ±jitter of the schedule (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 48 * HOUR }), { minLength: 1, maxLength: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.nat(),
        (scheduleMs, jitter, r, index) => {
          const p = createRetryPolicy({ scheduleMs, jitter });
          const k = (index % scheduleMs.length) + 1;
          const base = scheduleMs[k - 1] ?? 0;
          const decision = nextRetry(p, { attemptsMade: k, now: NOW, random: () => r });
          if (decision.kind !== 'retry') {
            throw new Error('expected a retry within the schedule');
          }
          expect(decision.delayMs).toBeGreaterThanOrEqual(Math.floor(base * (1 - jitter)));
          expect(decision.delayMs).toBeLessThanOrEqual(Math.ceil(base * (1 + jitter)));
          expect(Number.isInteger(decision.delayMs)).toBe(true);
          expect(decision.at.getTime()).toBe(NOW.getTime() + decision.delayMs);
        },
      ),
    );
  });

  it('is deterministic given the random source', () => {
    const input = { attemptsMade: 3, now: NOW, random: () => 0.123 };
    expect(nextRetry(policy, input)).toEqual(nextRetry(policy, input));
  });

  it('waits at least Retry-After when it exceeds the scheduled delay', () => {
    const decision = nextRetry(policy, {
      attemptsMade: 1,
      now: NOW,
      random: MID,
      retryAfterMs: 30_000,
      statusCode: 429,
    });
    expect(decision).toEqual({
      kind: 'retry',
      delayMs: 30_000,
      at: new Date(NOW.getTime() + 30_000),
    });
  });

  it('keeps the scheduled delay when Retry-After is shorter', () => {
    const decision = nextRetry(policy, {
      attemptsMade: 3,
      now: NOW,
      random: MID,
      retryAfterMs: 1_500,
      statusCode: 503,
    });
    expect(decision).toMatchObject({ delayMs: 4_000 });
  });

  it('raises a Retry-After below the minimum to the minimum', () => {
    const p = createRetryPolicy({ scheduleMs: [100], jitter: 0, minRetryAfterMs: 2_000 });
    const decision = nextRetry(p, { attemptsMade: 1, now: NOW, random: MID, retryAfterMs: 0 });
    expect(decision).toMatchObject({ delayMs: 2_000 });
  });

  it('caps a Retry-After above the maximum at the maximum', () => {
    const p = createRetryPolicy({ scheduleMs: [1_000], maxRetryAfterMs: HOUR });
    const decision = nextRetry(p, {
      attemptsMade: 1,
      now: NOW,
      random: MID,
      retryAfterMs: 30 * 24 * HOUR,
      statusCode: 429,
    });
    expect(decision).toMatchObject({ delayMs: HOUR });
  });

  it('ignores Retry-After on a status other than 429 or 503', () => {
    const decision = nextRetry(policy, {
      attemptsMade: 1,
      now: NOW,
      random: MID,
      retryAfterMs: 30_000,
      statusCode: 500,
    });
    expect(decision).toMatchObject({ delayMs: 1_000 });
  });

  it('still gives up after the schedule even with a Retry-After hint', () => {
    const decision = nextRetry(policy, {
      attemptsMade: 4,
      now: NOW,
      random: MID,
      retryAfterMs: 5_000,
      statusCode: 429,
    });
    expect(decision.kind).toBe('give_up');
  });

  it.each([[0], [-1], [1.5], [Number.NaN]])('rejects attemptsMade %p', (attemptsMade) => {
    expect(() => nextRetry(policy, { attemptsMade, now: NOW, random: MID })).toThrow(RangeError);
  });
});

describe('R7 classifyStatus', () => {
  it.each([
    [200, 'success'],
    [204, 'success'],
    [299, 'success'],
    [100, 'failure'],
    [199, 'failure'],
    [300, 'failure'],
    [302, 'failure'],
    [400, 'failure'],
    [404, 'failure'],
    [429, 'failure'],
    [500, 'failure'],
    [503, 'failure'],
    [410, 'gone'],
  ])('classifies %d as %s', (code, expected) => {
    expect(classifyStatus(code)).toBe(expected);
  });
});

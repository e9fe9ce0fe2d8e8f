import { ApiError, ErrorCode } from '../common/api-error';
import { checkRange, MAX_STATS_BUCKETS, statsWindow } from './stats-window';

const at = (iso: string) => new Date(iso);

function refusal(run: () => unknown): { code: string; path: string | undefined } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { code: error.code, path: error.errors[0]?.path };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('statsWindow', () => {
  const now = at('2026-11-24T10:30:15Z');

  it('defaults to the last day in hours, from the hour holding since through the hour holding now', () => {
    expect(statsWindow({}, now)).toEqual({
      bucket: 'hour',
      from: at('2026-11-23T10:00:00Z'),
      to: at('2026-11-24T10:00:00Z'),
      bucketSeconds: 3600,
    });
  });

  it('counts a day back from until when only until is given', () => {
    const window = statsWindow({ until: at('2026-11-20T00:00:00Z') }, now);
    expect([window.from, window.to]).toEqual([
      at('2026-11-19T00:00:00Z'),
      at('2026-11-20T00:00:00Z'),
    ]);
  });

  it('aligns minute and day buckets to whole UTC minutes and days', () => {
    expect(
      statsWindow(
        { since: at('2026-11-24T10:00:59Z'), until: at('2026-11-24T10:02:00Z'), bucket: 'minute' },
        now,
      ),
    ).toMatchObject({
      from: at('2026-11-24T10:00:00Z'),
      to: at('2026-11-24T10:02:00Z'),
      bucketSeconds: 60,
    });
    expect(
      statsWindow(
        {
          since: at('2026-11-01T23:59:59+01:00'),
          until: at('2026-11-03T12:00:00Z'),
          bucket: 'day',
        },
        now,
      ),
    ).toMatchObject({ from: at('2026-11-01T00:00:00Z'), to: at('2026-11-03T00:00:00Z') });
  });

  it('gives one bucket when since equals until', () => {
    const window = statsWindow({ since: now, until: now }, now);
    expect(window.from).toEqual(window.to);
  });

  it(`allows ${MAX_STATS_BUCKETS} buckets and refuses one more with 422 naming bucket`, () => {
    const since = at('2026-11-24T00:00:00Z');
    const last = new Date(since.getTime() + (MAX_STATS_BUCKETS - 1) * 60_000);
    expect(() => statsWindow({ since, until: last, bucket: 'minute' }, now)).not.toThrow();
    const over = new Date(last.getTime() + 60_000);
    expect(refusal(() => statsWindow({ since, until: over, bucket: 'minute' }, now))).toEqual({
      code: ErrorCode.RANGE_INVALID,
      path: 'bucket',
    });
  });

  it('refuses since after until, naming until', () => {
    expect(
      refusal(() => statsWindow({ since: now, until: at('2026-11-24T10:30:14Z') }, now)),
    ).toEqual({ code: ErrorCode.RANGE_INVALID, path: 'until' });
  });
});

describe('checkRange', () => {
  it('accepts an open end and an empty range, and refuses a reversed one', () => {
    const t = at('2026-11-24T00:00:00Z');
    expect(() => checkRange(undefined, t)).not.toThrow();
    expect(() => checkRange(t, undefined)).not.toThrow();
    expect(() => checkRange(t, t)).not.toThrow();
    expect(refusal(() => checkRange(t, new Date(t.getTime() - 1)))).toEqual({
      code: ErrorCode.RANGE_INVALID,
      path: 'until',
    });
  });
});

import { ApiError, ErrorCode } from '../common/api-error';

export const STATS_BUCKETS = ['minute', 'hour', 'day'] as const;
export type StatsBucket = (typeof STATS_BUCKETS)[number];

/** The most buckets one stats request may ask for. */
export const MAX_STATS_BUCKETS = 500;

const BUCKET_SECONDS: Readonly<Record<StatsBucket, number>> = {
  minute: 60,
  hour: 3_600,
  day: 86_400,
};
const DEFAULT_WINDOW_MS = 24 * 3_600_000;

/** The buckets of one stats request: every one from `from` through `to`, `bucketSeconds` wide. */
export interface StatsWindow {
  readonly bucket: StatsBucket;
  readonly from: Date;
  readonly to: Date;
  readonly bucketSeconds: number;
}

/** Refuses a range that ends before it starts (422 naming `until`); an open end is always fine. */
export function checkRange(since: Date | undefined, until: Date | undefined): void {
  if (since && until && since.getTime() > until.getTime()) {
    const message = 'must not be before since';
    throw ApiError.validation(
      [{ path: 'until', message, code: ErrorCode.RANGE_INVALID }],
      ErrorCode.RANGE_INVALID,
    );
  }
}

/**
 * The buckets of a stats request, aligned to whole UTC minutes, hours or days: from the bucket that
 * holds `since` through the one that holds `until`, so each bucket counts all of its time. By default
 * `until` is now, `since` a day before `until` and buckets are hours. More than
 * {@link MAX_STATS_BUCKETS} is a 422 naming `bucket`.
 */
export function statsWindow(
  query: { readonly since?: Date; readonly until?: Date; readonly bucket?: StatsBucket },
  now: Date,
): StatsWindow {
  const bucket = query.bucket ?? 'hour';
  const until = query.until ?? now;
  const since = query.since ?? new Date(until.getTime() - DEFAULT_WINDOW_MS);
  checkRange(since, until);
  const width = BUCKET_SECONDS[bucket] * 1000;
  const from = Math.floor(since.getTime() / width) * width;
  const to = Math.floor(until.getTime() / width) * width;
  const buckets = (to - from) / width + 1;
  if (buckets > MAX_STATS_BUCKETS) {
    const message = `the range holds ${buckets} buckets of a ${bucket}, at most ${MAX_STATS_BUCKETS}: choose a wider bucket or a shorter range`;
    throw ApiError.validation(
      [{ path: 'bucket', message, code: ErrorCode.RANGE_INVALID }],
      ErrorCode.RANGE_INVALID,
    );
  }
  return { bucket, from: new Date(from), to: new Date(to), bucketSeconds: width / 1000 };
}

/**
 * Durations as people write them in configuration (`500ms`, `5s`, `5m`, `2h`, `1d`, or a bare number of
 * seconds), converted to and from milliseconds.
 */

const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
} as const;

type DurationUnit = keyof typeof UNIT_MS;

/** Units from the largest down, for {@link formatDuration}. */
const UNITS_DESCENDING: readonly DurationUnit[] = ['d', 'h', 'm', 's', 'ms'];

const DURATION = /^(\d+)(ms|s|m|h|d)?$/;

/**
 * Parses a duration into milliseconds.
 *
 * Accepts a non-negative integer followed by one of `ms`, `s`, `m`, `h`, `d` (lower case, no space
 * between number and unit), or a bare non-negative integer meaning seconds. Surrounding whitespace is
 * ignored. Fractions, signs, upper-case units and results beyond `Number.MAX_SAFE_INTEGER` ms are
 * rejected.
 *
 * @throws RangeError when the text is not such a duration.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const match = DURATION.exec(trimmed);
  const digits = match?.[1];
  if (match === null || digits === undefined) {
    throw new RangeError(
      `Invalid duration ${JSON.stringify(text)}: expected a non-negative integer with an optional unit ` +
        `(ms, s, m, h, d; no unit means seconds), e.g. "500ms", "5s", "5m", "2h", "1d" or "30"`,
    );
  }
  const unit: DurationUnit = (match[2] as DurationUnit | undefined) ?? 's';
  const ms = Number(digits) * UNIT_MS[unit];
  if (!Number.isSafeInteger(ms)) {
    throw new RangeError(`Invalid duration ${JSON.stringify(text)}: too large`);
  }
  return ms;
}

/**
 * Formats milliseconds with the largest unit that divides them exactly, so
 * `parseDuration(formatDuration(ms)) === ms`: `300000` → `5m`, `1500` → `1500ms`, `0` → `0s`.
 *
 * @throws RangeError when `ms` is not a non-negative safe integer.
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`Cannot format duration ${ms}: expected a non-negative integer of ms`);
  }
  if (ms === 0) {
    return '0s';
  }
  for (const unit of UNITS_DESCENDING) {
    const size = UNIT_MS[unit];
    if (ms % size === 0) {
      return `${ms / size}${unit}`;
    }
  }
  return `${ms}ms`;
}

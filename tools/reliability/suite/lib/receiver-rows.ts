import { type LedgerEntry } from '../../src';

/**
 * Pure helpers of catalogue rows R1–R8 and G1–G2 (docs/reliability.md): what they read of the
 * attempt log (`attempts`), how they time retries and attempts, and the checks they make on secrets
 * and on source text.
 */

/** One row of the attempt log, as the rows read it. */
export interface AttemptLogRow {
  readonly endpointId: string;
  /** The event id: the `webhook-id` of the delivery. */
  readonly eventId: string;
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly errorClass: string | null;
  readonly errorMessage: string | null;
  /** Bytes of the stored response excerpt (UTF-8), 0 when none. */
  readonly excerptBytes: number;
  /** When the try ended and was recorded, ms since the epoch. */
  readonly at: number;
}

/** The SQL that reads {@link AttemptLogRow}s of the endpoints `$1`, oldest first. */
export const ATTEMPTS_SQL = `SELECT endpoint_id AS "endpointId", event_id AS "eventId", status_code AS "statusCode",
    duration_ms AS "durationMs", error_class AS "errorClass", error_message AS "errorMessage",
    coalesce(octet_length(response_excerpt), 0)::int AS "excerptBytes",
    (extract(epoch FROM created_at) * 1000)::float8 AS "at"
  FROM attempts WHERE endpoint_id = ANY($1) ORDER BY created_at, id`;

/** The attempts of each delivery (`endpointId|eventId`), oldest first. */
export function attemptsByDelivery(rows: readonly AttemptLogRow[]): Map<string, AttemptLogRow[]> {
  const groups = new Map<string, AttemptLogRow[]>();
  for (const row of rows) {
    const key = `${row.endpointId}|${row.eventId}`;
    const group = groups.get(key) ?? [];
    group.push(row);
    groups.set(key, group);
  }
  for (const group of groups.values()) group.sort((a, b) => a.at - b.at);
  return groups;
}

/** When a try started: its end minus its duration. */
export function startOf(row: AttemptLogRow): number {
  return row.at - row.durationMs;
}

/** The waits between the tries of one delivery: the end of try k to the start of try k + 1, in ms. */
export function retryGaps(group: readonly AttemptLogRow[]): number[] {
  return group.slice(1).map((row, k) => startOf(row) - (group[k]?.at ?? 0));
}

/**
 * How many waits fall outside the schedule: wait k should be `scheduleMs[k]` ± `jitter`, and may come
 * `lateMs` late (a poll, a claim batch and a busy machine), never early (but for `earlyMs` of clock
 * rounding).
 */
export function offSchedule(
  gaps: readonly (readonly number[])[],
  scheduleMs: readonly number[],
  { jitter = 0.2, lateMs = 1500, earlyMs = 50 } = {},
): number {
  let off = 0;
  for (const group of gaps)
    group.forEach((gap, k) => {
      const want = scheduleMs[k];
      if (
        want === undefined ||
        gap < want * (1 - jitter) - earlyMs ||
        gap > want * (1 + jitter) + lateMs
      )
        off++;
    });
  return off;
}

/**
 * Attempt durations as the receiver saw them begin and the worker saw them end: for each ledger
 * entry of a delivery, the attempt log row with the same number, minus the entry's arrival.
 */
export function observedDurations(
  entries: readonly LedgerEntry[],
  rows: readonly AttemptLogRow[],
  endpointIdOf: (path: string) => string | undefined,
): number[] {
  const byDelivery = attemptsByDelivery(rows);
  const durations: number[] = [];
  for (const entry of entries) {
    const endpointId = endpointIdOf(entry.endpoint);
    if (endpointId === undefined || entry.webhookId === null) continue;
    const row = byDelivery.get(`${endpointId}|${entry.webhookId}`)?.[entry.attempt - 1];
    if (row !== undefined) durations.push(row.at - entry.receivedAt);
  }
  return durations;
}

/** The largest value, or NaN for none. */
export function maxOf(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.max(...values);
}

/** Where a source text turns TLS certificate checks off. */
const UNSAFE_TLS =
  /rejectUnauthorized\s*:\s*(false|0)\b|NODE_TLS_REJECT_UNAUTHORIZED\s*[=:]\s*['"]?0|checkServerIdentity\s*:\s*\(\)\s*=>\s*undefined/g;

/** The places in `text` that switch certificate verification off. */
export function unsafeTlsSettings(text: string): number {
  return [...text.matchAll(UNSAFE_TLS)].length;
}

/** Whether a source file is production code: TypeScript, not a test, not a test helper. */
export function isProductionSource(path: string): boolean {
  return (
    /\.ts$/.test(path) &&
    !/\.d\.ts$/.test(path) &&
    !/\.(spec|int-spec|e2e-spec|test|reliability-spec)\.ts$/.test(path) &&
    !/(^|\/)(testing|test|tests|__tests__|fixtures)\//.test(path)
  );
}

/**
 * The decoded length of a `whsec_` secret: the base64 after the prefix, canonical (what decodes and
 * re-encodes to itself, padding optional); null when it is not that.
 */
export function decodedSecretBytes(secret: string): number | null {
  if (!secret.startsWith('whsec_')) return null;
  const encoded = secret.slice('whsec_'.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return null;
  const bytes = Buffer.from(encoded, 'base64');
  const unpadded = encoded.replace(/=+$/, '');
  return bytes.toString('base64').replace(/=+$/, '') === unpadded ? bytes.length : null;
}

/** How many values occur more than once (each extra occurrence counted). */
export function duplicatesOf(values: readonly string[]): number {
  return values.length - new Set(values).size;
}

/** What a status must count as: 2xx success, everything else a failure. */
export function expectedClass(status: number): 'success' | 'failure' {
  return status >= 200 && status <= 299 ? 'success' : 'failure';
}

/** What the attempt log says a try was: no error class is a success. */
export function loggedClass(row: AttemptLogRow): 'success' | 'failure' {
  return row.errorClass === null ? 'success' : 'failure';
}

/** The most of `times` (ms) that fall within one window of `windowMs` ending at one of them. */
export function maxWithin(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let from = 0;
  sorted.forEach((t, k) => {
    while ((sorted[from] ?? t) <= t - windowMs) from++;
    max = Math.max(max, k - from + 1);
  });
  return max;
}

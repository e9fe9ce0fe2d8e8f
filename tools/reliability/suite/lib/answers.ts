import { percentile } from '../../src';

/** One HTTP answer the suite timed: its status (0 when none came), headers, parsed body and round trip. */
export interface TimedAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The body parsed as JSON, else its text; null when no answer came. */
  readonly body: unknown;
  readonly text: string;
  /** When the request left, ms since the epoch. */
  readonly sentAt: number;
  /** The round trip in ms, the body read included. */
  readonly ms: number;
}

/** `200:12,429:88`: how many answers had each status, in status order. */
export function statusHistogram(answers: readonly { readonly status: number }[]): string {
  const counts = new Map<number, number>();
  for (const answer of answers) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}:${n}`)
    .join(',');
}

/** The share of `answers` that `pick` selects, in percent with one decimal; 0 for none. */
export function percentOf<T>(answers: readonly T[], pick: (answer: T) => boolean): number {
  if (answers.length === 0) return 0;
  return Math.round((1000 * answers.filter(pick).length) / answers.length) / 10;
}

/** p50, p95 and the maximum of the round trips of `answers`, in whole ms (NaN when none). */
export function latencies(answers: readonly TimedAnswer[]): {
  p50: number;
  p95: number;
  max: number;
} {
  const ms = answers.map((a) => a.ms);
  return {
    p50: Math.round(percentile(ms, 50)),
    p95: Math.round(percentile(ms, 95)),
    max: Math.round(percentile(ms, 100)),
  };
}

/** The `code` of a problem document (`{ code: 'RATE_LIMITED', ... }`), or null. */
export function problemCode(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('code' in body)) return null;
  const { code } = body;
  return typeof code === 'string' ? code : null;
}

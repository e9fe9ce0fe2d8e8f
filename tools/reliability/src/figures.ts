import { type LedgerEntry } from './ledger-entry';

/** One delivery the test expects: an event (webhook-id) at an endpoint (receiver path). */
export interface ExpectedDelivery {
  readonly endpoint: string;
  readonly webhookId: string;
}

/** The delivery figures (docs/reliability.md) that the receiver's ledger can tell. */
export interface Figures {
  readonly expected: number;
  /** Distinct expected (endpoint, webhook-id) pairs with at least one acknowledged receipt. */
  readonly delivered_unique: number;
  /** expected − delivered_unique; must be 0. */
  readonly lost: number;
  /** Acknowledged receipts of expected pairs beyond the first of each. */
  readonly duplicates: number;
  /** Acknowledged receipts of pairs nobody expected (misrouted or foreign events). */
  readonly unexpected: number;
  /** Must be 1: no two attempts of one delivery overlap. */
  readonly max_concurrent_attempts_per_id: number;
}

/** The key of one delivery: endpoint and webhook-id. */
export function deliveryKey(endpoint: string, webhookId: string | null): string {
  return `${endpoint}|${webhookId ?? ''}`;
}

/** The figures of a run from the ledger and the deliveries the test expected. */
export function figures(
  entries: readonly LedgerEntry[],
  expected: Iterable<ExpectedDelivery>,
): Figures {
  const wanted = new Set<string>();
  for (const delivery of expected) wanted.add(deliveryKey(delivery.endpoint, delivery.webhookId));
  const delivered = new Set<string>();
  const foreign = new Set<string>();
  let ackedReceipts = 0;
  for (const entry of entries) {
    if (!entry.acked) continue;
    const key = deliveryKey(entry.endpoint, entry.webhookId);
    if (!wanted.has(key)) {
      foreign.add(key);
      continue;
    }
    ackedReceipts++;
    delivered.add(key);
  }
  return {
    expected: wanted.size,
    delivered_unique: delivered.size,
    lost: wanted.size - delivered.size,
    duplicates: ackedReceipts - delivered.size,
    unexpected: foreign.size,
    max_concurrent_attempts_per_id: maxConcurrentAttemptsPerId(entries),
  };
}

/**
 * The most requests ever in flight at once for one endpoint and webhook-id (0 for an empty ledger).
 * Each entry holds the count at its arrival, and the peak of overlapping intervals is always reached
 * at an arrival, so the maximum over entries is exact.
 */
export function maxConcurrentAttemptsPerId(entries: readonly LedgerEntry[]): number {
  let max = 0;
  for (const entry of entries) if (entry.webhookId !== null) max = Math.max(max, entry.concurrent);
  return max;
}

/** The p-th percentile (0–100, nearest rank) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

import { deliveryKey, type ExpectedDelivery, type LedgerEntry } from '../../src';

/** The keys (`endpoint|webhook-id`) of `expected`. */
export function keysOf(expected: readonly ExpectedDelivery[]): Set<string> {
  return new Set(expected.map((d) => deliveryKey(d.endpoint, d.webhookId)));
}

/** A ledger predicate: every pair of `wanted` has an acknowledged receipt. */
export function deliveredAll(wanted: ReadonlySet<string>) {
  return (entries: readonly LedgerEntry[]): boolean => {
    const got = new Set<string>();
    for (const entry of entries) {
      const key = deliveryKey(entry.endpoint, entry.webhookId);
      if (entry.acked && wanted.has(key)) got.add(key);
    }
    return got.size === wanted.size;
  };
}

/** Receipts of pairs nobody expected: an event at an endpoint that did not subscribe to it. */
export function misrouted(entries: readonly LedgerEntry[], wanted: ReadonlySet<string>): number {
  return entries.filter((entry) => !wanted.has(deliveryKey(entry.endpoint, entry.webhookId)))
    .length;
}

/** The entries of each webhook-id, in attempt order. */
export function byWebhookId(entries: readonly LedgerEntry[]): Map<string, LedgerEntry[]> {
  const groups = new Map<string, LedgerEntry[]>();
  for (const entry of entries) {
    if (entry.webhookId === null) continue;
    const group = groups.get(entry.webhookId) ?? [];
    group.push(entry);
    groups.set(entry.webhookId, group);
  }
  for (const group of groups.values()) group.sort((a, b) => a.attempt - b.attempt);
  return groups;
}

/** Seconds from `at` to the first acknowledged receipt that arrived after it; null when none did. */
export function firstAckAfter(entries: readonly LedgerEntry[], at: number): number | null {
  let first = Number.POSITIVE_INFINITY;
  for (const entry of entries)
    if (entry.acked && entry.receivedAt > at) first = Math.min(first, entry.receivedAt);
  return Number.isFinite(first) ? (first - at) / 1000 : null;
}

/**
 * The deliveries a fault cut: pairs with an unacknowledged receipt that arrived before `at` and no
 * acknowledged one before it. For each, seconds from `at` to its acknowledged receipt (null if none).
 */
export function cutAt(entries: readonly LedgerEntry[], at: number): Map<string, number | null> {
  const cut = new Map<string, number | null>();
  const ackedBefore = new Set<string>();
  for (const entry of entries)
    if (entry.acked && entry.receivedAt <= at)
      ackedBefore.add(deliveryKey(entry.endpoint, entry.webhookId));
  for (const entry of entries) {
    const key = deliveryKey(entry.endpoint, entry.webhookId);
    if (!entry.acked && entry.receivedAt <= at && !ackedBefore.has(key)) cut.set(key, null);
  }
  for (const entry of entries) {
    const key = deliveryKey(entry.endpoint, entry.webhookId);
    if (!entry.acked || !cut.has(key)) continue;
    const seconds = (entry.receivedAt - at) / 1000;
    const seen = cut.get(key);
    if (seen === null || seen === undefined || seconds < seen) cut.set(key, seconds);
  }
  return cut;
}

import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { type LedgerEntry } from '../../src';

/** What a native delivery body is made of: the event as `GET /v1/events/:id` returns it. */
export interface EventView {
  readonly topic: string;
  readonly data: unknown;
  /** ISO 8601, as the API and the worker both write it (`Date#toISOString`). */
  readonly createdAt: string;
}

/**
 * The native body (`{type, timestamp, data}`, PRODUCT.md "Delivery format") rebuilt from the event,
 * without the product's code: a row that verifies signatures with it first checks that its SHA-256
 * is the one the receiver hashed, so a wrong rebuild fails loudly instead of failing verification.
 */
export function nativeBody(event: EventView): Buffer {
  const envelope = { type: event.topic, timestamp: event.createdAt, data: event.data };
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

/** Hex SHA-256, as the receiver's ledger writes `bodySha256`. */
export function sha256Hex(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The entries of a `webhook-signature` header (`v1,<b64> v1,<b64>`); 0 when it is absent. */
export function signatureCount(header: string | null): number {
  return header === null ? 0 : header.split(' ').filter((part) => part !== '').length;
}

/** Whether every entry of the header is a `v1,` (HMAC-SHA256) signature. */
export function allV1(header: string | null): boolean {
  return header !== null && header.split(' ').every((part) => part.startsWith('v1,'));
}

/**
 * Whether the receipt verifies with `secret` (`whsec_…`) over `body`, with the official
 * `standardwebhooks` package: one matching signature among the header's entries is enough.
 */
export function verifiesWith(secret: string, entry: LedgerEntry, body: Buffer): boolean {
  if (entry.webhookId === null || entry.webhookTimestamp === null || entry.signature === null)
    return false;
  try {
    new Webhook(secret).verify(body, {
      'webhook-id': entry.webhookId,
      'webhook-timestamp': entry.webhookTimestamp,
      'webhook-signature': entry.signature,
    });
    return true;
  } catch {
    return false;
  }
}

/** The longest run of unacknowledged receipts in arrival order: the failure streak the endpoint saw. */
export function longestFailureStreak(entries: readonly LedgerEntry[]): number {
  let longest = 0;
  let run = 0;
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    run = entry.acked ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return longest;
}

/** Receipts that arrived strictly after `at` (ms since the epoch). */
export function receivedAfter(entries: readonly LedgerEntry[], at: number): LedgerEntry[] {
  return entries.filter((entry) => entry.receivedAt > at);
}

/** How many receipts each webhook-id has. */
export function receiptsPerId(entries: readonly LedgerEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of entries)
    if (entry.webhookId !== null)
      counts.set(entry.webhookId, (counts.get(entry.webhookId) ?? 0) + 1);
  return counts;
}

/** Whether each of `ids` has at least `min` receipts that satisfy `keep` (every receipt by default). */
export function eachHas(
  entries: readonly LedgerEntry[],
  ids: readonly string[],
  min: number,
  keep: (entry: LedgerEntry) => boolean = () => true,
): boolean {
  const counts = receiptsPerId(entries.filter(keep));
  return ids.every((id) => (counts.get(id) ?? 0) >= min);
}

/** Gaps in seconds between successive receipts of each webhook-id, in arrival order. */
export function gapsPerId(entries: readonly LedgerEntry[]): number[] {
  const byId = new Map<string, number[]>();
  for (const entry of entries) {
    if (entry.webhookId === null) continue;
    const times = byId.get(entry.webhookId) ?? [];
    times.push(entry.receivedAt);
    byId.set(entry.webhookId, times);
  }
  const gaps: number[] = [];
  for (const times of byId.values()) {
    times.sort((a, b) => a - b);
    for (let k = 1; k < times.length; k++)
      gaps.push(((times[k] ?? 0) - (times[k - 1] ?? 0)) / 1000);
  }
  return gaps;
}

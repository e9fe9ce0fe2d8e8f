import { appendFileSync } from 'node:fs';
import {
  deliveryKey,
  type ExpectedDelivery,
  type Figures,
  figures,
  type LedgerEntry,
  percentile,
} from '../../src';
import { type Published } from './publisher';

/** The figures (docs/reliability.md) of one catalogue row, plus what the row itself reports. */
export interface RowFigures extends Figures {
  readonly sent: number;
  /** Delivery latency: the first acknowledged receipt minus the publish, in ms. */
  readonly p50_ms: number;
  readonly p95_ms: number;
}

/**
 * The row's figures from its ledger entries and the deliveries it expected. `published` gives the
 * send time of each webhook-id, for the latencies.
 */
export function rowFigures(
  entries: readonly LedgerEntry[],
  expected: readonly ExpectedDelivery[],
  published: readonly Published[],
): RowFigures {
  const sentAt = new Map<string, number>();
  for (const p of published) if (p.id !== null) sentAt.set(p.id, p.sentAt);
  const first = new Map<string, number>();
  for (const entry of entries) {
    if (!entry.acked) continue;
    const key = deliveryKey(entry.endpoint, entry.webhookId);
    const seen = first.get(key);
    if (seen === undefined || entry.receivedAt < seen) first.set(key, entry.receivedAt);
  }
  const latencies: number[] = [];
  for (const delivery of expected) {
    const at = first.get(deliveryKey(delivery.endpoint, delivery.webhookId));
    const sent = sentAt.get(delivery.webhookId);
    if (at !== undefined && sent !== undefined) latencies.push(Math.max(0, at - sent));
  }
  return {
    sent: sentAt.size,
    ...figures(entries, expected),
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
  };
}

/** Every (endpoint, webhook-id) pair of `ids` at each of `endpoints`. */
export function fanOut(endpoints: readonly string[], ids: readonly string[]): ExpectedDelivery[] {
  return endpoints.flatMap((endpoint) => ids.map((webhookId) => ({ endpoint, webhookId })));
}

/** What one row prints: its id, its scenario, the shared figures and its own. */
export interface RowLine {
  readonly id: string;
  readonly title: string;
  readonly figures: RowFigures;
  /** Seconds from the fault to the first new acknowledged delivery; omitted when the row has no fault. */
  readonly recovery_s?: number | null;
  /** The row's own figures (`misrouted`, `share`, ...), printed after the shared ones. */
  readonly extra?: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * One line: `D3 worker SIGKILL mid-batch  sent=1000 expected=1000 delivered_once=1000 lost=0 dup=3
 * max_conc=1 recovery_s=6.2 p50=40ms p95=210ms ...`.
 */
export function formatRow(row: RowLine): string {
  const f = row.figures;
  const parts = [
    `sent=${f.sent}`,
    `expected=${f.expected}`,
    `delivered_once=${f.delivered_unique}`,
    `lost=${f.lost}`,
    `dup=${f.duplicates}`,
    `max_conc=${f.max_concurrent_attempts_per_id}`,
  ];
  if (row.recovery_s !== undefined)
    parts.push(`recovery_s=${row.recovery_s === null ? 'none' : row.recovery_s.toFixed(1)}`);
  parts.push(`p50=${ms(f.p50_ms)}`, `p95=${ms(f.p95_ms)}`);
  for (const [name, value] of Object.entries(row.extra ?? {})) parts.push(`${name}=${value}`);
  return `${`${row.id} ${row.title}`.padEnd(34)} ${parts.join(' ')}`;
}

function ms(value: number): string {
  return Number.isNaN(value) ? 'n/a' : `${Math.round(value)}ms`;
}

/** Where the global setup asks rows to append their lines, for the table its teardown prints. */
export const TABLE_FILE_ENV = 'HOOKYARD_RELIABILITY_TABLE';

/** Prints a row's line now and appends it to the run's table (`global-teardown.js` prints it). */
export function reportRow(row: RowLine): string {
  const line = formatRow(row);
  process.stdout.write(`${line}\n`);
  const file = process.env[TABLE_FILE_ENV];
  if (file) appendFileSync(file, `${line}\n`);
  return line;
}

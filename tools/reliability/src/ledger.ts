import {
  type ExpectedDelivery,
  type Figures,
  figures,
  maxConcurrentAttemptsPerId,
} from './figures';
import { type LedgerEntry } from './ledger-entry';

/** The receiver's record of every request, in arrival order. */
export class Ledger {
  private readonly list: LedgerEntry[] = [];
  private readonly listeners = new Set<() => void>();

  get entries(): readonly LedgerEntry[] {
    return this.list;
  }

  add(entry: LedgerEntry): void {
    this.list.push(entry);
    for (const listener of this.listeners) listener();
  }

  clear(): void {
    this.list.length = 0;
  }

  /** The entries of one endpoint (path without query). */
  forEndpoint(endpoint: string): LedgerEntry[] {
    return this.list.filter((entry) => entry.endpoint === endpoint);
  }

  maxConcurrentAttemptsPerId(): number {
    return maxConcurrentAttemptsPerId(this.list);
  }

  figures(expected: Iterable<ExpectedDelivery>): Figures {
    return figures(this.list, expected);
  }

  /** Calls `listener` after every new entry; returns the unsubscribe function. */
  onEntry(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

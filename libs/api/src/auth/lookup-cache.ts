import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What runs before a credential lookup goes to the database, for the request being authenticated
 * (see {@link beforeLookups}). The guard puts the client address's rate limit here, so a run of
 * unknown keys is refused before it costs a query each, whichever service does the lookup.
 */
const lookupGate = new AsyncLocalStorage<() => void>();

/**
 * Runs `authenticate` with `gate` called before every lookup that misses the cache; a gate that
 * throws stops the lookup (and the authentication) with its error.
 */
export function beforeLookups<T>(gate: () => void, authenticate: () => Promise<T>): Promise<T> {
  return lookupGate.run(gate, authenticate);
}

/**
 * Credential lookups (API keys, portal sessions) remembered for a short time, so a busy key costs
 * one query every `ttlMs` instead of one per request. {@link forget} drops entries at once, and a
 * lookup that was already in flight when it ran is not cached, so a revocation in this process can
 * never be undone by a slow read of the row as it was before. Past `maxEntries` the least recently
 * used entry goes, one at a time: a flood of unknown keys cannot empty the cache of the keys in use.
 */
export class LookupCache<T> {
  /** In order of last use, least recent first (a hit moves its entry to the end). */
  private readonly entries = new Map<string, { value: T; until: number }>();
  /** Bumped by every {@link forget}: a lookup started before it does not enter the cache. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  async get(key: string, now: Date, load: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached && cached.until > now.getTime()) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.value;
    }
    lookupGate.getStore()?.();
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation) {
      this.entries.delete(key);
      this.entries.set(key, { value, until: now.getTime() + this.ttlMs });
      for (const oldest of this.entries.keys()) {
        if (this.entries.size <= this.maxEntries) break;
        this.entries.delete(oldest);
      }
    }
    return value;
  }

  /** Drops every entry whose value matches. */
  forget(matches: (value: T) => boolean): void {
    this.generation += 1;
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }
}

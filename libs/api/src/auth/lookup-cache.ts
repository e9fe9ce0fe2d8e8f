/**
 * Credential lookups (API keys, portal sessions) remembered for a short time, so a busy key costs
 * one query every `ttlMs` instead of one per request. {@link forget} drops entries at once, and a
 * lookup that was already in flight when it ran is not cached, so a revocation in this process can
 * never be undone by a slow read of the row as it was before.
 */
export class LookupCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();
  /** Bumped by every {@link forget}: a lookup started before it does not enter the cache. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  async get(key: string, now: Date, load: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached && cached.until > now.getTime()) return cached.value;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, { value, until: now.getTime() + this.ttlMs });
    }
    return value;
  }

  /** Drops every entry whose value matches. */
  forget(matches: (value: T) => boolean): void {
    this.generation += 1;
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }
}

import { type RateRule } from '@hookyard/config';

/** The answer for one request, and what the `RateLimit-*` and `Retry-After` headers say. */
export interface RateDecision {
  readonly allowed: boolean;
  /** The bucket's size (`RateLimit-Limit`). */
  readonly limit: number;
  /** Whole requests left now (`RateLimit-Remaining`). */
  readonly remaining: number;
  /** Whole seconds until the bucket is full again (`RateLimit-Reset`). */
  readonly resetSeconds: number;
  /** Whole seconds, at least 1, until one request is allowed again (`Retry-After`); 0 when allowed. */
  readonly retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** At most this many keys are remembered; the least recently seen go first. */
export const DEFAULT_MAX_KEYS = 100_000;

/**
 * Token buckets per key (an API key id, a portal session id, a client address) in this process's
 * memory, as Svix's default limiter: several API processes each allow the rate. Each request takes a
 * token; a bucket refills at `perSecond` up to `burst`. Memory stays bounded: a bucket that has
 * refilled is the same as none and is dropped, and past `maxKeys` the least recently seen key goes.
 * The clock is passed in (ms).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rule: RateRule,
    private readonly maxKeys = DEFAULT_MAX_KEYS,
  ) {
    if (!(rule.perSecond > 0) || !(rule.burst >= 1))
      throw new Error('a rate limit needs perSecond > 0 and burst >= 1');
  }

  /** Takes a token from `key`'s bucket if it has one. */
  take(key: string, nowMs: number): RateDecision {
    return this.decide(key, nowMs, true);
  }

  /** What `take` would answer, without taking a token. */
  peek(key: string, nowMs: number): RateDecision {
    return this.decide(key, nowMs, false);
  }

  /**
   * Returns a token `take` took for something that turned out not to count (a credential lookup
   * that found a valid key), never above the burst.
   */
  giveBack(key: string, nowMs: number): void {
    const bucket = this.buckets.get(key);
    if (!bucket) return; // refilled and forgotten: already full
    const elapsedSeconds = Math.max(0, nowMs - bucket.at) / 1000;
    const tokens = bucket.tokens + elapsedSeconds * this.rule.perSecond + 1;
    if (tokens >= this.rule.burst) this.buckets.delete(key);
    else this.buckets.set(key, { tokens, at: Math.max(nowMs, bucket.at) });
  }

  /** Keys remembered now (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private decide(key: string, nowMs: number, consume: boolean): RateDecision {
    const { perSecond, burst } = this.rule;
    const bucket = this.buckets.get(key);
    const elapsedSeconds = bucket ? Math.max(0, nowMs - bucket.at) / 1000 : Infinity;
    let tokens = Math.min(burst, (bucket?.tokens ?? burst) + elapsedSeconds * perSecond);
    const allowed = tokens >= 1;
    if (allowed && consume) tokens -= 1;
    if (consume || bucket) {
      this.buckets.delete(key); // re-inserted last: Map order is least recently seen first
      if (tokens < burst) this.buckets.set(key, { tokens, at: nowMs });
      this.evict(nowMs);
    }
    return {
      allowed,
      limit: burst,
      remaining: Math.floor(tokens),
      resetSeconds: Math.ceil((burst - tokens) / perSecond),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / perSecond)),
    };
  }

  private evict(nowMs: number): void {
    const fullAfterMs = (this.rule.burst / this.rule.perSecond) * 1000;
    for (const [key, bucket] of this.buckets) {
      const refilled = nowMs - bucket.at >= fullAfterMs;
      if (!refilled && this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

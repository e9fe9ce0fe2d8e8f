import { type Request, type Response } from 'express';
import { type HookyardConfig, type RateRule } from '@hookyard/config';
import { ApiError, ErrorCode } from '../common/api-error';
import { type RateDecision, RateLimiter } from '../common/rate-limiter';
import { type AuthContext } from './auth-context';

/** Which of a caller's buckets a route spends: publishing events, or everything else. */
export type RateBucket = 'management' | 'publishing';

/**
 * The admin API's rate limits, which the {@link ApiKeyGuard} applies to every authenticated route of
 * every dialect, in this process's memory (each API process allows the rates; Svix's default limiter
 * works the same way):
 * - each API key or portal session has two token buckets, one for management routes and one for
 *   publishing, so neither kind of traffic can starve the other;
 * - each client address (`request.ip`, which `HOOKYARD_TRUST_PROXY` lets a proxy name) has one for
 *   credential lookups and failed authentications: a lookup takes a token before it queries the
 *   database (and gives it back when the credential is valid), a failure without a lookup (no key,
 *   a key already known to be wrong) takes one too. Guessing keys gets 429s, not queries.
 *
 * An authenticated answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` of
 * the bucket it spent; a refusal is 429 `RATE_LIMITED` with `Retry-After`.
 */
export class RequestRateLimit {
  private readonly callers: Readonly<Record<RateBucket, RateLimiter | null>>;
  private readonly addresses: RateLimiter | null;
  /** The limiters of rules organizations set, one per distinct rule and bucket. */
  private readonly ownRules = new Map<string, RateLimiter | null>();

  constructor(
    limits: Pick<HookyardConfig['limits'], RateBucket | 'authFailures'>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.callers = {
      management: limiterOf(limits.management),
      publishing: limiterOf(limits.publishing),
    };
    this.addresses = limiterOf(limits.authFailures);
  }

  /** Before a credential is looked up in the database: takes a token of the address, or throws 429. */
  beforeLookup(request: Request, response: Response): void {
    if (!this.addresses) return;
    const decision = this.addresses.take(addressKey(request), this.now());
    if (!decision.allowed) refuse(response, decision);
  }

  /** The lookup found a valid credential: valid keys do not spend their address's bucket. */
  lookupSucceeded(request: Request): void {
    this.addresses?.giveBack(addressKey(request), this.now());
  }

  /**
   * A failed authentication that looked nothing up takes a token of its address; throws 429 (in
   * place of the 401) once there is none.
   */
  failedAuthentication(request: Request, response: Response): void {
    this.beforeLookup(request, response);
  }

  /**
   * An authenticated request takes a token from its caller's bucket; throws 429 when there is none.
   * `rule` is the one the caller's organization set for this bucket, in place of the installation's.
   */
  take(auth: AuthContext, bucket: RateBucket, response: Response, rule?: RateRule | null): void {
    const limiter = rule ? this.limiterOfRule(bucket, rule) : this.callers[bucket];
    if (!limiter) return;
    const caller =
      auth.portalSessionId !== null ? `portal:${auth.portalSessionId}` : `key:${auth.keyId}`;
    const decision = limiter.take(caller, this.now());
    setRateHeaders(response, decision);
    if (!decision.allowed) refuse(response, decision);
  }

  private limiterOfRule(bucket: RateBucket, rule: RateRule): RateLimiter | null {
    const key = `${bucket}:${rule.perSecond}:${rule.burst}`;
    let limiter = this.ownRules.get(key);
    if (limiter === undefined) {
      // Organizations rarely set a rule and share few: a bound keeps a churn of settings in check.
      if (this.ownRules.size >= MAX_OWN_RULES) this.ownRules.clear();
      limiter = limiterOf(rule);
      this.ownRules.set(key, limiter);
    }
    return limiter;
  }
}

const MAX_OWN_RULES = 1_000;

function limiterOf(rule: RateRule): RateLimiter | null {
  return rule.perSecond > 0 ? new RateLimiter(rule) : null;
}

function addressKey(request: Request): string {
  return `ip:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;
}

function setRateHeaders(response: Response, decision: RateDecision): void {
  response.setHeader('ratelimit-limit', String(decision.limit));
  response.setHeader('ratelimit-remaining', String(decision.remaining));
  response.setHeader('ratelimit-reset', String(decision.resetSeconds));
}

function refuse(response: Response, decision: RateDecision): never {
  setRateHeaders(response, decision);
  // The dialects' filters keep a Retry-After already set.
  response.setHeader('retry-after', String(decision.retryAfterSeconds));
  throw new ApiError(
    ErrorCode.RATE_LIMITED,
    `rate limit exceeded: retry after ${decision.retryAfterSeconds} s`,
  );
}

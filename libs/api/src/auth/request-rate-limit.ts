import { type Request, type Response } from 'express';
import { type HookyardConfig } from '@hookyard/config';
import { ApiError, ErrorCode } from '../common/api-error';
import { type RateDecision, RateLimiter } from '../common/rate-limiter';
import { type AuthContext } from './auth-context';

/**
 * The admin API's rate limit, which the {@link ApiKeyGuard} applies to every authenticated route of
 * every dialect: one token bucket per API key or portal session, in this process's memory (each API
 * process allows the rate; Svix's default limiter works the same way). Requests that fail to
 * authenticate spend the bucket of their client address, so guessing keys gets 429s. An
 * authenticated answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; a
 * refusal is 429 `RATE_LIMITED` with `Retry-After`.
 */
export class RequestRateLimit {
  private readonly limiter: RateLimiter | null;

  constructor(
    limits: Pick<HookyardConfig['limits'], 'ratePerSecond' | 'rateBurst'>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limiter =
      limits.ratePerSecond > 0
        ? new RateLimiter({ perSecond: limits.ratePerSecond, burst: limits.rateBurst })
        : null;
  }

  /**
   * A failed authentication takes a token from its client address's bucket; throws 429 (in place of
   * the 401) once it is empty. Valid credentials never spend or wait on it: behind a proxy, every
   * client shares the proxy's address.
   */
  failedAuthentication(request: Request, response: Response): void {
    if (!this.limiter) return;
    const decision = this.limiter.take(addressKey(request), this.now());
    if (!decision.allowed) refuse(response, decision);
  }

  /** An authenticated request takes a token from its caller's bucket; throws 429 when there is none. */
  take(auth: AuthContext, response: Response): void {
    if (!this.limiter) return;
    const key =
      auth.portalSessionId !== null ? `portal:${auth.portalSessionId}` : `key:${auth.keyId}`;
    const decision = this.limiter.take(key, this.now());
    setRateHeaders(response, decision);
    if (!decision.allowed) refuse(response, decision);
  }
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

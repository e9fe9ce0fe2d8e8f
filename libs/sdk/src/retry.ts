/** How a call answered 429 or 503 is tried again. */
export interface RetryPolicy {
  /** Further tries after the first; 0 turns retrying off. */
  readonly maxRetries: number;
  /** A wait longer than this (a `Retry-After` far away) is not waited for: the error is thrown. */
  readonly maxDelayMs: number;
}

/** The API answers these when a try may succeed later: rate limited, or the database is unreachable. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** The wait before a retry when the answer carries no `Retry-After`: 0.5 s, 1 s, 2 s, … */
const BACKOFF_BASE_MS = 500;

/**
 * How long to wait before trying again after `retry` retries, or `null` for not trying again:
 * `Retry-After` in seconds or as an HTTP date when present, else exponential backoff.
 */
export function retryDelayMs(
  status: number,
  retryAfter: string | null,
  retry: number,
  policy: RetryPolicy,
  now: number,
): number | null {
  if (!RETRYABLE_STATUSES.has(status) || retry >= policy.maxRetries) return null;
  const delay = parseRetryAfter(retryAfter, now) ?? BACKOFF_BASE_MS * 2 ** retry;
  return delay > policy.maxDelayMs ? null : delay;
}

function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A fetch that tries a request again while it is answered 429 or 503 and the policy allows, waiting
 * as the server asks. Each try sends a clone, so a request body can be sent again.
 */
export function retryingFetch(fetchImpl: typeof fetch, policy: RetryPolicy): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    for (let retry = 0; ; retry += 1) {
      const response = await fetchImpl(request.clone());
      const delay = retryDelayMs(
        response.status,
        response.headers.get('retry-after'),
        retry,
        policy,
        Date.now(),
      );
      if (delay === null) return response;
      await response.body?.cancel();
      await abortableSleep(delay, request.signal);
    }
  };
}

import { createClient, type Client } from './generated/client';
import { HookyardError } from './errors';
import { retryingFetch } from './retry';

/** Settings of a {@link Hookyard} client. */
export interface HookyardOptions {
  /** An API key of the organization, or an operator key (sent as `Authorization: Bearer`). */
  readonly apiKey: string;
  /**
   * The organization an operator key acts for, by id or uid: sent as `X-Hookyard-Organization` on
   * every call. A tenant key may name only its own; leave it out for calls that act for none
   * (`organizations`, `operatorKeys`). See also {@link Hookyard.as}.
   */
  readonly organization?: string;
  /** Where the API listens; default `http://localhost:3000`. */
  readonly baseUrl?: string;
  /** Retries of a call answered 429 or 503, after `Retry-After`; default 2, 0 turns them off. */
  readonly maxRetries?: number;
  /** The longest wait before a retry; a longer `Retry-After` throws at once. Default 30 s. */
  readonly maxRetryDelayMs?: number;
  /** Time for a whole call, retries included; default 30 s. `Infinity` for none. */
  readonly timeoutMs?: number;
  /** Another fetch (a test double, a proxying agent); default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
}

/** Settings of one call. */
export interface RequestOptions {
  /** Aborts the call (and any wait for a retry); the call rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call; the call rejects with a `TimeoutError`. */
  readonly timeoutMs?: number;
}

export const DEFAULT_BASE_URL = 'http://localhost:3000';
/** Names the organization an operator key acts for. */
export const ORGANIZATION_HEADER = 'x-hookyard-organization';
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_MAX_RETRY_DELAY_MS = 30_000;

/** What a generated function resolves to when it does not throw. */
type Answer<T> =
  | { data: T; error: undefined; response: Response }
  | { data: undefined; error: unknown; response: Response | undefined };

/**
 * The one place calls leave the SDK: the generated client configured with the key, the base URL and
 * the retrying fetch, and the step that turns its answers into values or {@link HookyardError}s.
 */
export class Transport {
  readonly client: Client;
  private readonly timeoutMs: number;

  constructor(options: HookyardOptions) {
    if (typeof options.apiKey !== 'string' || options.apiKey.length === 0) {
      throw new TypeError('Hookyard: apiKey is required');
    }
    if (options.organization !== undefined && options.organization.trim() === '') {
      throw new TypeError('Hookyard: organization, when given, names an organization');
    }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.client = createClient({
      baseUrl: (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        ...(options.organization === undefined
          ? {}
          : { [ORGANIZATION_HEADER]: options.organization }),
      },
      fetch: retryingFetch(fetchImpl, {
        maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
        maxDelayMs: options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS,
      }),
    });
  }

  /** The options every generated call gets: this client, and a signal for abort and timeout. */
  options(call: RequestOptions = {}): { client: Client; signal: AbortSignal | undefined } {
    const timeoutMs = call.timeoutMs ?? this.timeoutMs;
    const signals = [
      ...(call.signal ? [call.signal] : []),
      ...(Number.isFinite(timeoutMs) ? [AbortSignal.timeout(timeoutMs)] : []),
    ];
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    return { client: this.client, signal };
  }

  /** The value of a successful answer; throws a {@link HookyardError}, or what fetch threw. */
  async send<T>(pending: Promise<Answer<T>>): Promise<T> {
    const answer = await pending;
    if (answer.response === undefined) throw answer.error;
    if (!answer.response.ok) throw HookyardError.fromResponse(answer.response, answer.error);
    return answer.data as T;
  }
}

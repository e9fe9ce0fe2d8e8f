/**
 * The path grammar of the misbehaving receiver: `/<prefix…>/<mode>[/<arg>][?query]`.
 *
 * The mode is read from the end of the path, so any number of leading segments can tell endpoints
 * apart (`/d1/a/ok`, `/d1/b/ok`). A two-segment mode (`status/500`) wins over a one-segment one; a
 * path that matches neither is `unknown` (404). `slow/:ms` answers 200 after that many
 * milliseconds, to keep deliveries in flight.
 */
export type Mode =
  | { readonly name: 'ok' }
  | { readonly name: 'slow'; readonly ms: number }
  | { readonly name: 'status'; readonly code: number }
  | { readonly name: 'flaky'; readonly failures: number }
  | { readonly name: 'hang' }
  | { readonly name: 'slow-headers' }
  | { readonly name: 'drip' }
  | { readonly name: 'huge'; readonly megabytes: number }
  | { readonly name: 'infinite' }
  | { readonly name: 'gzip-bomb' }
  | { readonly name: 'big-headers' }
  | { readonly name: 'reset' }
  | { readonly name: 'reset-after-body'; readonly resets: number }
  | { readonly name: 'redirect'; readonly location: string | null; readonly code: number }
  | { readonly name: 'retry-after'; readonly value: string }
  | { readonly name: 'gone' }
  | { readonly name: 'unknown' };

export type ModeName = Mode['name'];

/** A request path split into the endpoint prefix and the mode. */
export interface ParsedPath {
  /** The path without the query string: one endpoint of the receiver. */
  readonly endpoint: string;
  /** The segments before the mode, joined (`/d1/a`), or `''`. */
  readonly prefix: string;
  readonly mode: Mode;
}

/** The longest delay `/slow/:ms` waits before its 200. */
export const MAX_SLOW_MS = 600_000;

/** The most megabytes `/huge/:mb` serves; `/infinite` is the way to ask for more. */
export const MAX_HUGE_MB = 100_000;

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

/** Mode segments without an argument. */
const SIMPLE_MODES: Readonly<Record<string, Mode>> = {
  ok: { name: 'ok' },
  hang: { name: 'hang' },
  'slow-headers': { name: 'slow-headers' },
  drip: { name: 'drip' },
  infinite: { name: 'infinite' },
  'gzip-bomb': { name: 'gzip-bomb' },
  'big-headers': { name: 'big-headers' },
  reset: { name: 'reset' },
  'reset-after-body': { name: 'reset-after-body', resets: Number.POSITIVE_INFINITY },
  gone: { name: 'gone' },
};

/** Parses a request target (`/tag/flaky/3?x=1`) into endpoint, prefix and mode. */
export function parsePath(target: string): ParsedPath {
  const url = new URL(target, 'http://receiver.invalid');
  const endpoint = url.pathname;
  const segments = endpoint.split('/').filter((segment) => segment !== '');
  const last = segments.at(-1);
  const beforeLast = segments.at(-2);
  if (beforeLast !== undefined && last !== undefined) {
    const mode = modeWithArgument(beforeLast, safeDecode(last));
    if (mode) return { endpoint, prefix: joinSegments(segments.slice(0, -2)), mode };
  }
  if (last !== undefined) {
    const simple = SIMPLE_MODES[last];
    if (simple) return { endpoint, prefix: joinSegments(segments.slice(0, -1)), mode: simple };
    if (last === 'redirect') {
      return {
        endpoint,
        prefix: joinSegments(segments.slice(0, -1)),
        mode: redirectMode(url.searchParams),
      };
    }
  }
  return { endpoint, prefix: joinSegments(segments.slice(0, -1)), mode: { name: 'unknown' } };
}

function modeWithArgument(name: string, arg: string | null): Mode | null {
  if (arg === null) return null;
  switch (name) {
    case 'status': {
      const code = integer(arg);
      return code !== null && code >= 200 && code <= 599 ? { name: 'status', code } : null;
    }
    case 'slow': {
      const ms = integer(arg);
      return ms !== null && ms <= MAX_SLOW_MS ? { name: 'slow', ms } : null;
    }
    case 'flaky': {
      const failures = integer(arg);
      return failures === null ? null : { name: 'flaky', failures };
    }
    case 'huge': {
      const megabytes = integer(arg);
      return megabytes !== null && megabytes <= MAX_HUGE_MB ? { name: 'huge', megabytes } : null;
    }
    case 'reset-after-body': {
      const resets = integer(arg);
      return resets === null ? null : { name: 'reset-after-body', resets };
    }
    case 'retry-after':
      return isHeaderValue(arg) ? { name: 'retry-after', value: arg } : null;
    default:
      return null;
  }
}

function redirectMode(query: URLSearchParams): Mode {
  const to = query.get('to');
  const code = integer(query.get('code') ?? '302');
  return {
    name: 'redirect',
    location: to !== null && isHeaderValue(to) ? to : null,
    code: code !== null && REDIRECT_CODES.has(code) ? code : 302,
  };
}

/** A non-negative decimal integer, or null. */
function integer(text: string): number | null {
  if (!/^\d{1,9}$/.test(text)) return null;
  return Number(text);
}

/** Whether `text` can be sent as a header value (visible ASCII and spaces, not empty). */
function isHeaderValue(text: string): boolean {
  return /^[\x20-\x7e]+$/.test(text);
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function joinSegments(segments: readonly string[]): string {
  return segments.length === 0 ? '' : `/${segments.join('/')}`;
}

/** What a mode answers on the given attempt of a webhook-id at its endpoint; 0 when it sends no status. */
export function plannedStatus(mode: Mode, attempt: number): number {
  switch (mode.name) {
    case 'ok':
    case 'slow':
    case 'drip':
    case 'huge':
    case 'infinite':
    case 'gzip-bomb':
    case 'big-headers':
      return 200;
    case 'status':
      return mode.code;
    case 'flaky':
      return attempt <= mode.failures ? 500 : 200;
    case 'reset-after-body':
      return attempt <= mode.resets ? 0 : 200;
    case 'hang':
    case 'slow-headers':
    case 'reset':
      return 0;
    case 'redirect':
      return mode.code;
    case 'retry-after':
      return 429;
    case 'gone':
      return 410;
    case 'unknown':
      return 404;
  }
}

/**
 * Whether an answer is an acknowledgement: a complete, small 2xx that a correct sender counts as
 * delivered. Streams, bombs and oversized headers never are, even with a 200 status line.
 */
export function acknowledges(mode: Mode, status: number): boolean {
  const complete =
    mode.name === 'ok' ||
    mode.name === 'slow' ||
    mode.name === 'status' ||
    mode.name === 'flaky' ||
    mode.name === 'reset-after-body';
  return complete && status >= 200 && status < 300;
}

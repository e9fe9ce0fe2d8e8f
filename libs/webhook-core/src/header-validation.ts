/**
 * Custom outbound headers: names, values and sizes, and the headers an endpoint may not set
 * (framing, credentials outside outbound authentication, Standard Webhooks' own).
 */
import { type FieldViolation, ValidationCode, violation } from './violations';

/** Most custom headers an endpoint may carry. */
export const MAX_HEADERS = 10;
/** Largest custom header value, in bytes on the wire. */
export const MAX_HEADER_VALUE_BYTES = 4096;
/** Largest total of custom header names plus values, in bytes on the wire. */
export const MAX_HEADERS_TOTAL_BYTES = 8192;

/** An RFC 7230 `token`. */
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * What a header value may hold: tab, visible ASCII, space and Latin-1 text (Node sends header
 * strings as Latin-1 and refuses anything above U+00FF). CR, LF, NUL, other C0/C1 controls and DEL
 * are refused.
 */
const HEADER_VALUE = /^[\t\x20-\x7e\xa0-\xff]*$/;

/** Hop-by-hop and message-framing headers that the delivery worker owns. */
export const FRAMING_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'expect',
]);
/** Credential headers: configure outbound authentication instead. */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
]);
/**
 * The header every test send carries (`X-Hookyard-Test: true`) and no real delivery does, so a
 * receiver can tell a test from a real event. Reserved: no custom header can set or hide it.
 */
export const TEST_SEND_HEADER = 'x-hookyard-test';

/**
 * Signature headers of the Featurebase style (the Standard Webhooks ones are all `webhook-*`), and
 * the test-send marker.
 */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'x-webhook-signature',
  'x-webhook-timestamp',
  TEST_SEND_HEADER,
]);
const RESERVED_HEADER_PREFIX = 'webhook-';

export function isReservedHeaderName(lowerName: string): boolean {
  return lowerName.startsWith(RESERVED_HEADER_PREFIX) || RESERVED_HEADERS.has(lowerName);
}

/**
 * Whether a header's value must be redacted in logs and API responses: credential headers and any
 * name mentioning a token, secret, password, key, auth, credential, session or cookie. Errs on the
 * side of redacting.
 */
export function isSensitiveHeaderName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    CREDENTIAL_HEADERS.has(lower) ||
    lower === 'x-api-key' ||
    lower === 'api-key' ||
    /token|secret|password|key|auth|credential|session|cookie/.test(lower)
  );
}

/**
 * An endpoint's custom request headers: at most 10, names RFC 7230 tokens and unique regardless of
 * case, values strings without CR, LF, NUL or other controls (tab allowed), no hop-by-hop, framing
 * or credential headers (HEADER_FORBIDDEN), no signature headers (HEADER_RESERVED), each value at
 * most 4096 bytes and names plus values at most 8192 bytes (HEADER_TOO_LARGE). Each header is
 * reported as `${field}.${name}`, with its first fault; count and total size on `field`.
 */
export function validateHeaders(
  headers: unknown,
  field = 'requestConfig.headers',
): FieldViolation[] {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    return [
      violation(field, ValidationCode.HEADER_VALUE_INVALID, 'must be an object of name: value'),
    ];
  }
  const entries = Object.entries(headers as Record<string, unknown>);
  const violations: FieldViolation[] = [];
  if (entries.length > MAX_HEADERS) {
    violations.push(
      violation(
        field,
        ValidationCode.TOO_MANY_HEADERS,
        `at most ${MAX_HEADERS} headers are allowed`,
      ),
    );
  }
  const seen = new Set<string>();
  let totalBytes = 0;
  for (const [name, value] of entries) {
    totalBytes += name.length + (typeof value === 'string' ? value.length : 0);
    const result = checkHeader(name, value, seen, `${field}.${name}`);
    if (result !== null) violations.push(result);
    seen.add(name.toLowerCase());
  }
  if (totalBytes > MAX_HEADERS_TOTAL_BYTES) {
    violations.push(
      violation(
        field,
        ValidationCode.HEADER_TOO_LARGE,
        `header names and values must total at most ${MAX_HEADERS_TOTAL_BYTES} bytes`,
      ),
    );
  }
  return violations;
}

function checkHeader(
  name: string,
  value: unknown,
  seen: ReadonlySet<string>,
  at: string,
): FieldViolation | null {
  if (!HEADER_TOKEN.test(name)) {
    return violation(
      at,
      ValidationCode.HEADER_NAME_INVALID,
      'header name must be an RFC 7230 token',
    );
  }
  const lower = name.toLowerCase();
  if (seen.has(lower)) {
    return violation(at, ValidationCode.HEADER_NAME_INVALID, 'header name is repeated');
  }
  if (FRAMING_HEADERS.has(lower)) {
    return violation(at, ValidationCode.HEADER_FORBIDDEN, `header "${name}" is set by the sender`);
  }
  if (CREDENTIAL_HEADERS.has(lower)) {
    return violation(
      at,
      ValidationCode.HEADER_FORBIDDEN,
      `header "${name}" carries credentials; configure outbound authentication instead`,
    );
  }
  if (isReservedHeaderName(lower)) {
    return violation(
      at,
      ValidationCode.HEADER_RESERVED,
      `header "${name}" is reserved for signing and test sends`,
    );
  }
  if (typeof value !== 'string') {
    return violation(at, ValidationCode.HEADER_VALUE_INVALID, 'header value must be a string');
  }
  if (!HEADER_VALUE.test(value)) {
    return violation(
      at,
      ValidationCode.HEADER_VALUE_INVALID,
      'header value must not contain CR, LF, NUL, other control characters or characters above U+00FF',
    );
  }
  // Values are Latin-1 on the wire once the check above passed: one byte per character.
  if (value.length > MAX_HEADER_VALUE_BYTES) {
    return violation(
      at,
      ValidationCode.HEADER_TOO_LARGE,
      `header value must be at most ${MAX_HEADER_VALUE_BYTES} bytes`,
    );
  }
  return null;
}

/**
 * Standard Webhooks signing and verification (https://www.standardwebhooks.com).
 *
 * A message is signed as HMAC-SHA256 over the exact bytes `${id}.${timestamp}.${body}` with the
 * decoded endpoint secret, and sent as three headers: `webhook-id`, `webhook-timestamp` (integer unix
 * seconds) and `webhook-signature`, a space-separated list of `v1,<base64>` entries, one per valid
 * secret, so receivers keep working while a secret is rotated.
 */
import { createHmac, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';

/** Every Standard Webhooks secret starts with this prefix; the rest is base64. */
export const SECRET_PREFIX = 'whsec_';

/** Number of random bytes in a generated secret. */
export const SECRET_BYTES = 32;

/** Smallest accepted decoded secret length, in bytes. */
export const MIN_SECRET_BYTES = 24;

/** Largest accepted decoded secret length, in bytes. */
export const MAX_SECRET_BYTES = 64;

/** Default allowed distance between the message timestamp and the verifier's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The signature scheme this module produces and accepts. */
export const SIGNATURE_VERSION = 'v1';

/** Header names of the Standard Webhooks protocol (lower case). */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/**
 * The three headers sent with every signed delivery. A type alias rather than an interface so that
 * it can be passed straight to {@link verifyPayload}'s header record.
 */
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Thrown when a secret is not `whsec_` + base64 of 24..64 bytes. */
export class WebhookSecretError extends Error {
  readonly code = 'SECRET_INVALID' as const;

  constructor(message: string) {
    super(message);
    this.name = 'WebhookSecretError';
  }
}

/** Why an incoming message failed verification. */
export const VerificationErrorCode = {
  MISSING_HEADER: 'MISSING_HEADER',
  INVALID_TIMESTAMP: 'INVALID_TIMESTAMP',
  TIMESTAMP_TOO_OLD: 'TIMESTAMP_TOO_OLD',
  TIMESTAMP_TOO_NEW: 'TIMESTAMP_TOO_NEW',
  MALFORMED_SIGNATURE: 'MALFORMED_SIGNATURE',
  NO_MATCHING_SIGNATURE: 'NO_MATCHING_SIGNATURE',
} as const;

/** Union of the verification error codes. */
export type VerificationErrorCode =
  (typeof VerificationErrorCode)[keyof typeof VerificationErrorCode];

/** Thrown by {@link verifyPayload} when a message must be rejected. */
export class WebhookVerificationError extends Error {
  readonly code: VerificationErrorCode;

  constructor(code: VerificationErrorCode, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ID_FORBIDDEN = /[.\s]/;
const TIMESTAMP = /^(0|[1-9][0-9]*)$/;
const SIGNATURE_ENTRY = /^([A-Za-z0-9]+),(\S+)$/;

/**
 * Makes a new secret: `whsec_` + base64 of 32 random bytes.
 * @param randomBytes random source, injectable for tests; defaults to `node:crypto`.
 */
export function generateSecret(randomBytes: (size: number) => Buffer = cryptoRandomBytes): string {
  const bytes = randomBytes(SECRET_BYTES);
  if (bytes.length !== SECRET_BYTES) {
    throw new RangeError(`randomBytes returned ${bytes.length} bytes, expected ${SECRET_BYTES}`);
  }
  return SECRET_PREFIX + bytes.toString('base64');
}

/**
 * Decodes a `whsec_<base64>` secret into the HMAC key. The base64 must be canonical (standard
 * alphabet, padding optional) and decode to 24..64 bytes.
 * @throws WebhookSecretError otherwise.
 */
export function decodeSecret(secret: string): Buffer {
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) {
    throw new WebhookSecretError(`A secret must start with "${SECRET_PREFIX}"`);
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  const unpadded = encoded.replace(/=+$/, '');
  const padded = encoded.length !== unpadded.length;
  if (!BASE64.test(encoded) || (padded && encoded.length % 4 !== 0)) {
    throw new WebhookSecretError('A secret must be base64 after its prefix');
  }
  const key = Buffer.from(unpadded, 'base64');
  // Canonical check: rejects a dangling character and non-zero trailing bits that Node would ignore.
  if (key.toString('base64').replace(/=+$/, '') !== unpadded) {
    throw new WebhookSecretError('A secret must be canonical base64 after its prefix');
  }
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new WebhookSecretError(
      `A secret must decode to ${MIN_SECRET_BYTES}..${MAX_SECRET_BYTES} bytes, got ${key.length}`,
    );
  }
  return key;
}

/** Whether {@link decodeSecret} accepts the secret. */
export function isValidSecret(secret: string): boolean {
  try {
    decodeSecret(secret);
    return true;
  } catch (error) {
    if (error instanceof WebhookSecretError) return false;
    throw error;
  }
}

function hmac(key: Buffer, id: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', key)
    .update(`${id}.${timestamp}.`, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest();
}

/**
 * The base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` under the decoded secret (the part after
 * `v1,`). The body is signed byte-exact: a Buffer as-is, a string as UTF-8.
 */
export function computeSignature(
  secret: string,
  id: string,
  timestamp: number,
  body: string | Buffer,
): string {
  return hmac(decodeSecret(secret), id, String(timestamp), body).toString('base64');
}

/**
 * Signs a message with every given secret, in the given order.
 * @throws RangeError if `secrets` is empty, the id is empty or holds `.` or whitespace, or the
 *   timestamp is not a non-negative integer; WebhookSecretError for an invalid secret.
 */
export function signPayload(input: {
  id: string;
  /** Unix seconds, an integer. */
  timestamp: number;
  body: string | Buffer;
  secrets: readonly string[];
}): WebhookHeaders {
  const { id, timestamp, body, secrets } = input;
  if (id.length === 0 || ID_FORBIDDEN.test(id)) {
    throw new RangeError('A webhook id must be non-empty and hold no "." or whitespace');
  }
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError('A webhook timestamp must be a non-negative integer of unix seconds');
  }
  if (secrets.length === 0) {
    throw new RangeError('At least one secret is needed to sign');
  }
  const keys = secrets.map(decodeSecret);
  const ts = String(timestamp);
  return {
    [WEBHOOK_HEADERS.id]: id,
    [WEBHOOK_HEADERS.timestamp]: ts,
    [WEBHOOK_HEADERS.signature]: keys
      .map((key) => `${SIGNATURE_VERSION},${hmac(key, id, ts, body).toString('base64')}`)
      .join(' '),
  };
}

/** All values of a header, looked up case-insensitively; several keys may differ only by case. */
function headerValues(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string[] {
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v.length > 0) values.push(v);
    }
  }
  return values;
}

/** The one value of a header that must appear exactly once; a repeated or empty header is missing. */
function singleHeader(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string {
  const values = headerValues(headers, name);
  const [first] = values;
  if (first === undefined || values.some((v) => v !== first)) {
    throw new WebhookVerificationError(
      VerificationErrorCode.MISSING_HEADER,
      `Header "${name}" is missing or has several values`,
    );
  }
  return first;
}

/**
 * Verifies an incoming message against one or more secrets.
 *
 * Checks, in order: the three headers are present; the timestamp is integer unix seconds within
 * `toleranceSeconds` of `now`; the signature header holds at least one `version,value` entry; one
 * `v1` entry matches one secret (constant-time comparison). Entries of other versions are ignored.
 * @returns the message id and timestamp.
 * @throws WebhookVerificationError with a {@link VerificationErrorCode};
 *   WebhookSecretError for an invalid secret; RangeError for no secrets or a bad tolerance.
 */
export function verifyPayload(input: {
  body: string | Buffer;
  /** Looked up case-insensitively. */
  headers: Record<string, string | string[] | undefined>;
  secrets: readonly string[];
  now: Date;
  /** Default 300. */
  toleranceSeconds?: number;
}): { id: string; timestamp: number } {
  const { body, headers, secrets, now, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = input;
  if (secrets.length === 0) {
    throw new RangeError('At least one secret is needed to verify');
  }
  if (!Number.isSafeInteger(toleranceSeconds) || toleranceSeconds < 0) {
    throw new RangeError('toleranceSeconds must be a non-negative integer');
  }
  const keys = secrets.map(decodeSecret);

  const id = singleHeader(headers, WEBHOOK_HEADERS.id);
  const timestampHeader = singleHeader(headers, WEBHOOK_HEADERS.timestamp);
  const signatureHeader = headerValues(headers, WEBHOOK_HEADERS.signature).join(' ');
  if (signatureHeader.length === 0) {
    throw new WebhookVerificationError(
      VerificationErrorCode.MISSING_HEADER,
      `Header "${WEBHOOK_HEADERS.signature}" is missing`,
    );
  }

  const timestamp = TIMESTAMP.test(timestampHeader) ? Number(timestampHeader) : Number.NaN;
  if (!Number.isSafeInteger(timestamp)) {
    throw new WebhookVerificationError(
      VerificationErrorCode.INVALID_TIMESTAMP,
      'The timestamp must be integer unix seconds',
    );
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (nowSeconds - timestamp > toleranceSeconds) {
    throw new WebhookVerificationError(
      VerificationErrorCode.TIMESTAMP_TOO_OLD,
      'The message timestamp is too old',
    );
  }
  if (timestamp - nowSeconds > toleranceSeconds) {
    throw new WebhookVerificationError(
      VerificationErrorCode.TIMESTAMP_TOO_NEW,
      'The message timestamp is too far in the future',
    );
  }

  const entries: { version: string; value: string }[] = [];
  for (const part of signatureHeader.split(/\s+/)) {
    const match = SIGNATURE_ENTRY.exec(part);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      entries.push({ version: match[1], value: match[2] });
    }
  }
  if (entries.length === 0) {
    throw new WebhookVerificationError(
      VerificationErrorCode.MALFORMED_SIGNATURE,
      'The signature header holds no "version,signature" entry',
    );
  }

  const expected = keys.map((key) =>
    Buffer.from(hmac(key, id, timestampHeader, body).toString('base64'), 'utf8'),
  );
  let matched = false;
  for (const entry of entries) {
    if (entry.version !== SIGNATURE_VERSION) continue;
    const received = Buffer.from(entry.value, 'utf8');
    for (const candidate of expected) {
      // Every candidate is compared (no early exit), so timing does not reveal which secret matched.
      if (received.length === candidate.length && timingSafeEqual(received, candidate)) {
        matched = true;
      }
    }
  }
  if (!matched) {
    throw new WebhookVerificationError(
      VerificationErrorCode.NO_MATCHING_SIGNATURE,
      'No signature matches any secret',
    );
  }
  return { id, timestamp };
}

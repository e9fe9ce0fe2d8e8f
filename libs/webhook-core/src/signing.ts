/**
 * Standard Webhooks signing and verification (https://www.standardwebhooks.com).
 *
 * A message is signed over the exact bytes `${id}.${timestamp}.${body}` and sent as three headers:
 * `webhook-id`, `webhook-timestamp` (integer unix seconds) and `webhook-signature`, a space-separated
 * list with one entry per valid secret, so receivers keep working while a secret is rotated. The
 * secret's prefix picks the scheme (its {@link SigningProtocol}): a `whsec_` secret gives
 * `v1,<base64 HMAC-SHA256>` under its decoded bytes, a `whsk_` key gives `v1a,<base64 Ed25519>`
 * (see `ed25519.ts`). Receivers verify `v1` with the `whsec_` secret and `v1a` with the `whpk_`
 * public key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  ASYMMETRIC_SIGNATURE_VERSION,
  PUBLIC_KEY_PREFIX,
  isPublicKey,
  publicKeyOf,
  signEd25519,
  verifyEd25519,
} from './ed25519';
import { decodeSecret } from './hmac-secret';
import { WebhookSecretError } from './secret-encoding';
import { signingProtocolOf } from './signing-protocol';

export { WebhookSecretError } from './secret-encoding';
export * from './hmac-secret';
export * from './signing-protocol';

/** Default allowed distance between the message timestamp and the verifier's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The signature version of the symmetric (HMAC-SHA256) scheme. */
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

const ID_FORBIDDEN = /[.\s]/;
const TIMESTAMP = /^(0|[1-9][0-9]*)$/;
const SIGNATURE_ENTRY = /^([A-Za-z0-9]+),(\S+)$/;

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

/** The exact bytes both schemes sign: `${id}.${timestamp}.${body}`. */
function signedContent(id: string, timestamp: string, body: string | Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`${id}.${timestamp}.`, 'utf8'),
    typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  ]);
}

/** One `webhook-signature` entry: `v1,…` for a `whsec_` secret, `v1a,…` for a `whsk_` key. */
function signatureEntry(secret: string, id: string, ts: string, body: string | Buffer): string {
  switch (signingProtocolOf(secret)) {
    case 'HmacSHA256':
      return `${SIGNATURE_VERSION},${hmac(decodeSecret(secret), id, ts, body).toString('base64')}`;
    case 'Ed25519':
      return `${ASYMMETRIC_SIGNATURE_VERSION},${signEd25519(secret, signedContent(id, ts, body))}`;
  }
}

/**
 * Signs a message with every given secret, in the given order: a `v1` entry for each `whsec_`
 * secret and a `v1a` entry for each `whsk_` signing key.
 * @throws RangeError if `secrets` is empty, the id is empty or holds `.` or whitespace, or the
 *   timestamp is not a non-negative integer; WebhookSecretError for an invalid secret or key.
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
  const ts = String(timestamp);
  return {
    [WEBHOOK_HEADERS.id]: id,
    [WEBHOOK_HEADERS.timestamp]: ts,
    [WEBHOOK_HEADERS.signature]: secrets
      .map((secret) => signatureEntry(secret, id, ts, body))
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

/** What checks one kind of entry: the decoded HMAC key for `v1`, a public key for `v1a`. */
type VerificationKey =
  | { readonly version: typeof SIGNATURE_VERSION; readonly key: Buffer }
  | { readonly version: typeof ASYMMETRIC_SIGNATURE_VERSION; readonly publicKey: string };

function verificationKeyOf(secret: string): VerificationKey {
  if (typeof secret === 'string' && secret.startsWith(PUBLIC_KEY_PREFIX)) {
    if (!isPublicKey(secret)) {
      throw new WebhookSecretError(
        `A public key must be "${PUBLIC_KEY_PREFIX}" + canonical base64 of a 32-byte Ed25519 key`,
      );
    }
    return { version: ASYMMETRIC_SIGNATURE_VERSION, publicKey: secret };
  }
  switch (signingProtocolOf(secret)) {
    case 'HmacSHA256':
      return { version: SIGNATURE_VERSION, key: decodeSecret(secret) };
    case 'Ed25519':
      return { version: ASYMMETRIC_SIGNATURE_VERSION, publicKey: publicKeyOf(secret) };
  }
}

/**
 * Verifies an incoming message against one or more secrets: `whsec_` secrets check `v1` entries,
 * `whpk_` public keys check `v1a` entries (a `whsk_` signing key is accepted too, for its public key).
 *
 * Checks, in order: the three headers are present; the timestamp is integer unix seconds within
 * `toleranceSeconds` of `now`; the signature header holds at least one `version,value` entry; one
 * `v1` entry matches one `whsec_` secret (constant-time comparison) or one `v1a` entry verifies under
 * one public key. Entries of other versions are ignored.
 * @returns the message id and timestamp.
 * @throws WebhookVerificationError with a {@link VerificationErrorCode};
 *   WebhookSecretError for an invalid secret or key; RangeError for no secrets or a bad tolerance.
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
  const keys = secrets.map(verificationKeyOf);

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

  const expected: Buffer[] = [];
  const publicKeys: string[] = [];
  for (const key of keys) {
    if (key.version === SIGNATURE_VERSION) {
      expected.push(
        Buffer.from(hmac(key.key, id, timestampHeader, body).toString('base64'), 'utf8'),
      );
    } else {
      publicKeys.push(key.publicKey);
    }
  }
  const content = publicKeys.length > 0 ? signedContent(id, timestampHeader, body) : null;
  let matched = false;
  for (const entry of entries) {
    if (entry.version === SIGNATURE_VERSION) {
      const received = Buffer.from(entry.value, 'utf8');
      for (const candidate of expected) {
        // Every candidate is compared (no early exit), so timing does not reveal which secret matched.
        if (received.length === candidate.length && timingSafeEqual(received, candidate)) {
          matched = true;
        }
      }
    } else if (entry.version === ASYMMETRIC_SIGNATURE_VERSION && content !== null) {
      // Public keys are no secret: an early match reveals nothing.
      if (publicKeys.some((publicKey) => verifyEd25519(publicKey, content, entry.value))) {
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

/**
 * Standard Webhooks verification for receivers, by the rules of `@hookyard/webhook-core`'s
 * `verifyPayload` (and tested against its signer): `v1` entries are HMAC-SHA256 under a `whsec_`
 * secret, `v1a` entries Ed25519 under a `whpk_` public key, over the exact bytes
 * `${id}.${timestamp}.${body}`. Kept here rather than imported so the SDK carries no dependency and
 * stays loadable in a browser: `node:crypto` is reached only when `verify` runs.
 */
import { decodeCanonicalBase64, nodeCrypto, utf8 } from './webhook-crypto';

/** Default allowed distance, in seconds, between the message timestamp and the verifier's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Why an incoming message was rejected (the same codes as webhook-core's). */
export type WebhookVerificationCode =
  | 'MISSING_HEADER'
  | 'INVALID_TIMESTAMP'
  | 'TIMESTAMP_TOO_OLD'
  | 'TIMESTAMP_TOO_NEW'
  | 'MALFORMED_SIGNATURE'
  | 'NO_MATCHING_SIGNATURE'
  | 'SECRET_INVALID'
  /** Signed correctly, but not JSON (Hookyard always sends JSON). */
  | 'PAYLOAD_INVALID';

/** Thrown by {@link verifyWebhook}: the message must be rejected (answer 400, not 2xx). */
export class WebhookVerificationError extends Error {
  readonly code: WebhookVerificationCode;

  constructor(code: WebhookVerificationCode, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

/** Request headers as Node's `IncomingMessage`, a plain record or a fetch `Headers` hold them. */
export type WebhookRequestHeaders =
  Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyOptions {
  /** Seconds the timestamp may be off in either direction; default 300. */
  readonly toleranceSeconds?: number;
  /** The verifier's clock; default now. */
  readonly now?: Date;
}

/** A message that passed verification. */
export interface VerifiedWebhook {
  readonly id: string;
  /** Unix seconds. */
  readonly timestamp: number;
  /** The body parsed as JSON. */
  readonly payload: unknown;
}

const TIMESTAMP = /^(0|[1-9][0-9]*)$/;
const SIGNATURE_ENTRY = /^([A-Za-z0-9]+),(\S+)$/;
const ED25519_SPKI_HEADER = new Uint8Array([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

type Key =
  | { readonly version: 'v1'; readonly hmacKey: Uint8Array }
  | { readonly version: 'v1a'; readonly spki: Uint8Array };

function keyOf(secret: string): Key {
  const [prefix, min, max, version] = secret.startsWith('whpk_')
    ? (['whpk_', 32, 32, 'v1a'] as const)
    : (['whsec_', 24, 64, 'v1'] as const);
  const bytes = secret.startsWith(prefix)
    ? decodeCanonicalBase64(secret.slice(prefix.length))
    : null;
  if (bytes === null || bytes.length < min || bytes.length > max) {
    throw new WebhookVerificationError(
      'SECRET_INVALID',
      'A secret must be "whsec_" + base64 of 24..64 bytes, or "whpk_" + base64 of a 32-byte Ed25519 public key',
    );
  }
  if (version === 'v1') return { version, hmacKey: bytes };
  const spki = new Uint8Array(ED25519_SPKI_HEADER.length + bytes.length);
  spki.set(ED25519_SPKI_HEADER);
  spki.set(bytes, ED25519_SPKI_HEADER.length);
  return { version, spki };
}

/** Every non-empty value of a header, looked up case-insensitively. */
function headerValues(headers: WebhookRequestHeaders, name: string): string[] {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    const value = headers.get(name);
    return value === null || value.length === 0 ? [] : [value];
  }
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (typeof v === 'string' && v.length > 0) values.push(v);
    }
  }
  return values;
}

function singleHeader(headers: WebhookRequestHeaders, name: string): string {
  const values = headerValues(headers, name);
  const [first] = values;
  if (first === undefined || values.some((v) => v !== first)) {
    throw new WebhookVerificationError(
      'MISSING_HEADER',
      `Header "${name}" is missing or has several values`,
    );
  }
  return first;
}

function checkTimestamp(header: string, now: Date, toleranceSeconds: number): number {
  const timestamp = TIMESTAMP.test(header) ? Number(header) : Number.NaN;
  if (!Number.isSafeInteger(timestamp)) {
    throw new WebhookVerificationError(
      'INVALID_TIMESTAMP',
      'The timestamp must be integer unix seconds',
    );
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (nowSeconds - timestamp > toleranceSeconds) {
    throw new WebhookVerificationError('TIMESTAMP_TOO_OLD', 'The message timestamp is too old');
  }
  if (timestamp - nowSeconds > toleranceSeconds) {
    throw new WebhookVerificationError(
      'TIMESTAMP_TOO_NEW',
      'The message timestamp is too far in the future',
    );
  }
  return timestamp;
}

function signatureEntries(header: string): { version: string; value: string }[] {
  const entries: { version: string; value: string }[] = [];
  for (const part of header.split(/\s+/)) {
    const match = SIGNATURE_ENTRY.exec(part);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      entries.push({ version: match[1], value: match[2] });
    }
  }
  if (entries.length === 0) {
    throw new WebhookVerificationError(
      'MALFORMED_SIGNATURE',
      'The signature header holds no "version,signature" entry',
    );
  }
  return entries;
}

/**
 * Verifies a delivery: the raw body exactly as received (never a re-serialised object), its headers,
 * and the endpoint's secret (or several, while one is being rotated).
 * @returns the message id, timestamp and parsed payload.
 * @throws WebhookVerificationError when the message must be rejected or a secret is malformed.
 */
export function verifyWebhook(
  body: string | Uint8Array,
  headers: WebhookRequestHeaders,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): VerifiedWebhook {
  const { toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now = new Date() } = options;
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new RangeError('At least one secret is needed to verify');
  if (!Number.isSafeInteger(toleranceSeconds) || toleranceSeconds < 0) {
    throw new RangeError('toleranceSeconds must be a non-negative integer');
  }
  const keys = secrets.map(keyOf);
  const id = singleHeader(headers, 'webhook-id');
  const timestampHeader = singleHeader(headers, 'webhook-timestamp');
  const signatureHeader = headerValues(headers, 'webhook-signature').join(' ');
  if (signatureHeader.length === 0) {
    throw new WebhookVerificationError('MISSING_HEADER', 'Header "webhook-signature" is missing');
  }
  const timestamp = checkTimestamp(timestampHeader, now, toleranceSeconds);
  const entries = signatureEntries(signatureHeader);

  const crypto = nodeCrypto();
  const bodyBytes = typeof body === 'string' ? utf8(body) : body;
  const prefix = utf8(`${id}.${timestampHeader}.`);
  const content = new Uint8Array(prefix.length + bodyBytes.length);
  content.set(prefix);
  content.set(bodyBytes, prefix.length);

  let matched = false;
  for (const key of keys) {
    for (const entry of entries) {
      if (entry.version !== key.version) continue;
      if (key.version === 'v1') {
        const expected = utf8(
          crypto.createHmac('sha256', key.hmacKey).update(content).digest('base64'),
        );
        const received = utf8(entry.value);
        // Every pair is compared (no early exit), so timing does not reveal which secret matched.
        if (received.length === expected.length && crypto.timingSafeEqual(received, expected))
          matched = true;
      } else {
        const signature = decodeCanonicalBase64(entry.value);
        const publicKey = crypto.createPublicKey({ key: key.spki, format: 'der', type: 'spki' });
        if (signature?.length === 64 && crypto.verify(null, content, publicKey, signature))
          matched = true;
      }
    }
  }
  if (!matched) {
    throw new WebhookVerificationError('NO_MATCHING_SIGNATURE', 'No signature matches any secret');
  }
  return { id, timestamp, payload: parseJson(bodyBytes) };
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body)) as unknown;
  } catch {
    throw new WebhookVerificationError('PAYLOAD_INVALID', 'The signed body is not JSON');
  }
}

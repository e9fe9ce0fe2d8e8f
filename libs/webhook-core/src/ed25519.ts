/**
 * Ed25519 keys and signatures for the asymmetric scheme of Standard Webhooks (signature version
 * `v1a`), with `node:crypto` only.
 *
 * The spec (standard-webhooks/standard-webhooks, `spec/standard-webhooks.md`, "Signature scheme")
 * fixes the prefixes and the signed bytes: a "standard ed25519 key pair", "base64 encoded, prefixed
 * with `whsk_` for the secret key, and `whpk_` for the public key", signatures sent as
 * `v1a,<base64>` over the same `${msgId}.${timestamp}.${body}` as `v1`. It does not say which bytes
 * of the secret key are encoded, and two implementations close to it differ:
 *
 * - the spec repository's own Go library (`libraries/go/webhook_asymmetric.go`) reads `whsk_` as the
 *   32-byte seed (`ed25519.NewKeyFromSeed`), and its test `TestAsymmetricWebhookSign` pins a
 *   signature under the seed `TESTSIGNINGKEYDONOTUSETHISFORANY`;
 * - the Svix server (`svix-server/src/core/types/mod.rs`, `serialize_secret_key`) writes the 64 bytes
 *   of an `ed25519_compact` secret key, which is libsodium's layout: seed followed by public key.
 *
 * Hookyard writes the 32-byte seed: it is the private key of RFC 8032 (section 5.1.5), the form of
 * the spec's own library and test vector, and it holds nothing that can disagree with itself. It
 * reads both: a 32-byte seed, or 64 bytes of seed and public key (from libsodium or Svix), accepted
 * only when the second half is the seed's public key. A public key is its 32 bytes.
 */
import {
  createPrivateKey,
  createPublicKey,
  randomBytes as cryptoRandomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { WebhookSecretError, decodeCanonicalBase64, decodePrefixedBase64 } from './secret-encoding';

/** Prefix of an Ed25519 secret (signing) key; the rest is base64. */
export const SIGNING_KEY_PREFIX = 'whsk_';

/** Prefix of an Ed25519 public (verification) key; the rest is base64 of its 32 bytes. */
export const PUBLIC_KEY_PREFIX = 'whpk_';

/** The signature version of the asymmetric scheme in `webhook-signature`. */
export const ASYMMETRIC_SIGNATURE_VERSION = 'v1a';

/** Bytes in an Ed25519 seed, the form {@link generateSigningKey} writes. */
export const SIGNING_KEY_SEED_BYTES = 32;

/** Bytes in an Ed25519 public key. */
export const PUBLIC_KEY_BYTES = 32;

/** Bytes in an Ed25519 signature. */
export const ED25519_SIGNATURE_BYTES = 64;

/** DER headers that wrap a raw seed as PKCS#8 and a raw public key as SPKI (RFC 8410). */
const PKCS8_SEED_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Encodings, sign bit cleared, of the points of small order (the identity, and points of order 2, 4
 * and 8). Under such a public key a signature can be made without any private key, and OpenSSL (so
 * `node:crypto`) does not refuse them, so {@link isPublicKey} does; libsodium refuses the same list.
 */
const SMALL_ORDER_POINTS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Buffer.from(hex, 'hex'));

/** The field prime 2^255 - 19, little-endian, to spot a non-canonical y coordinate (y >= p). */
const FIELD_PRIME = Buffer.from(
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'hex',
);

interface SigningKeyParts {
  readonly privateKey: KeyObject;
  readonly publicKey: Buffer;
}

function decodeSigningKey(secretKey: string): SigningKeyParts {
  const bytes = decodePrefixedBase64(secretKey, SIGNING_KEY_PREFIX, 'A signing key');
  if (bytes.length !== SIGNING_KEY_SEED_BYTES && bytes.length !== 2 * SIGNING_KEY_SEED_BYTES) {
    throw new WebhookSecretError(
      `A signing key must decode to a ${SIGNING_KEY_SEED_BYTES}-byte seed, or 64 bytes of seed ` +
        `and public key; got ${bytes.length}`,
    );
  }
  const seed = bytes.subarray(0, SIGNING_KEY_SEED_BYTES);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_SEED_HEADER, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey)
    .export({ format: 'der', type: 'spki' })
    .subarray(SPKI_HEADER.length);
  const stored = bytes.subarray(SIGNING_KEY_SEED_BYTES);
  if (stored.length > 0 && !stored.equals(publicKey)) {
    throw new WebhookSecretError(
      'The public half of a 64-byte signing key does not match its seed',
    );
  }
  return { privateKey, publicKey };
}

/** Whether 32 bytes are a usable public key: canonical (y < p) and not of small order. */
function isStrongPoint(bytes: Buffer): boolean {
  const y = Buffer.from(bytes);
  y[31] = (y[31] ?? 0) & 0x7f;
  if (SMALL_ORDER_POINTS.some((point) => point.equals(y))) return false;
  // Little-endian comparison with p: the most significant byte is the last.
  for (let i = 31; i >= 0; i -= 1) {
    const a = y[i] ?? 0;
    const b = FIELD_PRIME[i] ?? 0;
    if (a !== b) return a < b;
  }
  return false;
}

function decodePublicKey(publicKey: string): KeyObject {
  const bytes = decodePrefixedBase64(publicKey, PUBLIC_KEY_PREFIX, 'A public key');
  if (bytes.length !== PUBLIC_KEY_BYTES) {
    throw new WebhookSecretError(
      `A public key must decode to ${PUBLIC_KEY_BYTES} bytes, got ${bytes.length}`,
    );
  }
  if (!isStrongPoint(bytes)) {
    throw new WebhookSecretError('A public key must not be a point of small order');
  }
  return createPublicKey({ key: Buffer.concat([SPKI_HEADER, bytes]), format: 'der', type: 'spki' });
}

function isValid(decode: () => unknown): boolean {
  try {
    decode();
    return true;
  } catch (error) {
    if (error instanceof WebhookSecretError) return false;
    throw error;
  }
}

/**
 * Makes a new signing key: `whsk_` + base64 of a 32-byte seed.
 * @param randomBytes random source, injectable for tests; defaults to `node:crypto`.
 */
export function generateSigningKey(
  randomBytes: (size: number) => Buffer = cryptoRandomBytes,
): string {
  const seed = randomBytes(SIGNING_KEY_SEED_BYTES);
  if (seed.length !== SIGNING_KEY_SEED_BYTES) {
    throw new RangeError(
      `randomBytes returned ${seed.length} bytes, expected ${SIGNING_KEY_SEED_BYTES}`,
    );
  }
  return SIGNING_KEY_PREFIX + seed.toString('base64');
}

/**
 * The `whpk_` public key that verifies what `secretKey` signs; give it to receivers.
 * @throws WebhookSecretError when `secretKey` is not a valid signing key.
 */
export function publicKeyOf(secretKey: string): string {
  return PUBLIC_KEY_PREFIX + decodeSigningKey(secretKey).publicKey.toString('base64');
}

/** Whether `value` is a valid `whsk_` signing key (a seed, or seed and matching public key). */
export function isSigningKey(value: string): boolean {
  return isValid(() => decodeSigningKey(value));
}

/**
 * Whether `value` is a valid `whpk_` public key: 32 bytes, canonical, not a point of small order.
 * Whether the bytes decode to a curve point at all is left to verification, which then fails.
 */
export function isPublicKey(value: string): boolean {
  return isValid(() => decodePublicKey(value));
}

/**
 * The base64 Ed25519 signature of `bytes` (the part after `v1a,`).
 * @throws WebhookSecretError when `secretKey` is not a valid signing key.
 */
export function signEd25519(secretKey: string, bytes: Buffer): string {
  return sign(null, bytes, decodeSigningKey(secretKey).privateKey).toString('base64');
}

/**
 * Whether `signatureBase64` is a valid Ed25519 signature of `bytes` under `publicKey`. A signature
 * that is not canonical base64 of 64 bytes is simply not valid.
 * @throws WebhookSecretError when `publicKey` is not a valid public key.
 */
export function verifyEd25519(publicKey: string, bytes: Buffer, signatureBase64: string): boolean {
  const key = decodePublicKey(publicKey);
  const signature = decodeCanonicalBase64(signatureBase64);
  if (signature === null || signature.length !== ED25519_SIGNATURE_BYTES) return false;
  return verify(null, bytes, key, signature);
}

/**
 * The shared secret of Standard Webhooks' symmetric scheme: `whsec_` + base64 of the HMAC-SHA256 key
 * (the asymmetric scheme's keys are in `ed25519.ts`).
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { WebhookSecretError, decodePrefixedBase64 } from './secret-encoding';

/** Every Standard Webhooks secret starts with this prefix; the rest is base64. */
export const SECRET_PREFIX = 'whsec_';

/** Number of random bytes in a generated secret. */
export const SECRET_BYTES = 32;

/** Smallest accepted decoded secret length, in bytes. */
export const MIN_SECRET_BYTES = 24;

/** Largest accepted decoded secret length, in bytes. */
export const MAX_SECRET_BYTES = 64;

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
  const key = decodePrefixedBase64(secret, SECRET_PREFIX, 'A secret');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new WebhookSecretError(
      `A secret must decode to ${MIN_SECRET_BYTES}..${MAX_SECRET_BYTES} bytes, got ${key.length}`,
    );
  }
  return key;
}

/** Whether {@link decodeSecret} accepts the secret: a valid `whsec_` secret, nothing else. */
export function isValidSecret(secret: string): boolean {
  try {
    decodeSecret(secret);
    return true;
  } catch (error) {
    if (error instanceof WebhookSecretError) return false;
    throw error;
  }
}

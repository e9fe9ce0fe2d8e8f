/**
 * Which scheme a secret signs with, read from its prefix, and what follows from it: making a secret
 * for a scheme, checking one, and what of it may be shown outside Hookyard.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { SIGNING_KEY_PREFIX, generateSigningKey, isSigningKey, publicKeyOf } from './ed25519';
import { SECRET_PREFIX, generateSecret, isValidSecret } from './hmac-secret';
import { WebhookSecretError } from './secret-encoding';

/**
 * How an endpoint's deliveries are signed: HMAC-SHA256 with a shared `whsec_` secret (`v1`), or
 * Ed25519 with a `whsk_` signing key whose `whpk_` public key the receiver holds (`v1a`).
 */
export type SigningProtocol = 'HmacSHA256' | 'Ed25519';

/** Every signing protocol, in the order they were introduced. */
export const SIGNING_PROTOCOLS: readonly SigningProtocol[] = Object.freeze([
  'HmacSHA256',
  'Ed25519',
]);

/**
 * The protocol a secret signs with, read from its prefix alone (`whsec_` or `whsk_`); see
 * {@link isSigningSecret} for a full check.
 * @throws WebhookSecretError for any other prefix, a `whpk_` public key included (it cannot sign).
 */
export function signingProtocolOf(secret: string): SigningProtocol {
  if (typeof secret === 'string' && secret.startsWith(SECRET_PREFIX)) return 'HmacSHA256';
  if (typeof secret === 'string' && secret.startsWith(SIGNING_KEY_PREFIX)) return 'Ed25519';
  throw new WebhookSecretError(
    `A signing secret must start with "${SECRET_PREFIX}" or "${SIGNING_KEY_PREFIX}"`,
  );
}

/**
 * A secret as it may be shown outside Hookyard: a `whsec_` secret as it is (the receiver needs it),
 * a `whsk_` private key as its `whpk_` public key (the private key never leaves Hookyard).
 */
export function shareableKey(secret: string): string {
  return signingProtocolOf(secret) === 'Ed25519' ? publicKeyOf(secret) : secret;
}

/**
 * Makes a new secret for `protocol`: a `whsec_` secret or a `whsk_` signing key.
 * @param randomBytes random source, injectable for tests; defaults to `node:crypto`.
 */
export function generateSecretFor(
  protocol: SigningProtocol,
  randomBytes: (size: number) => Buffer = cryptoRandomBytes,
): string {
  switch (protocol) {
    case 'HmacSHA256':
      return generateSecret(randomBytes);
    case 'Ed25519':
      return generateSigningKey(randomBytes);
  }
}

/** Whether `secret` can sign: a valid `whsec_` secret or a valid `whsk_` signing key. */
export function isSigningSecret(secret: string): boolean {
  return isValidSecret(secret) || isSigningKey(secret);
}

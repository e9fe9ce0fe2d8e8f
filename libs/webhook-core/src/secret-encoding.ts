/**
 * How Standard Webhooks writes key material: a prefix that names the kind (`whsec_`, `whsk_`,
 * `whpk_`) followed by the bytes in standard base64. Shared by the HMAC secrets (`signing.ts`) and
 * the Ed25519 keys (`ed25519.ts`); not exported from the package.
 */

/** Thrown when a secret or key is not its prefix followed by canonical base64 of the right size. */
export class WebhookSecretError extends Error {
  readonly code = 'SECRET_INVALID' as const;

  constructor(message: string) {
    super(message);
    this.name = 'WebhookSecretError';
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The bytes of canonical standard base64 (padding optional), or `null` for anything else: another
 * alphabet, whitespace, bad padding, a dangling character or non-zero trailing bits (which Node's
 * decoder would silently ignore).
 */
export function decodeCanonicalBase64(encoded: string): Buffer | null {
  const unpadded = encoded.replace(/=+$/, '');
  const padded = encoded.length !== unpadded.length;
  if (!BASE64.test(encoded) || (padded && encoded.length % 4 !== 0)) return null;
  const bytes = Buffer.from(unpadded, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === unpadded ? bytes : null;
}

/**
 * Decodes `<prefix><base64>`.
 * @param what how the error message names the value, e.g. `'A secret'`.
 * @throws WebhookSecretError when the prefix is missing or the rest is not canonical base64.
 */
export function decodePrefixedBase64(value: string, prefix: string, what: string): Buffer {
  if (typeof value !== 'string' || !value.startsWith(prefix)) {
    throw new WebhookSecretError(`${what} must start with "${prefix}"`);
  }
  const bytes = decodeCanonicalBase64(value.slice(prefix.length));
  if (bytes === null) {
    throw new WebhookSecretError(`${what} must be canonical base64 after its prefix`);
  }
  return bytes;
}

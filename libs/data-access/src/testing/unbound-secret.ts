import { createCipheriv, randomBytes } from 'node:crypto';

/**
 * A value of the earlier, unbound form `v<keyVersion>.<iv>.<tag>.<ciphertext>`, as `SecretCipher`
 * stored values before they were bound to their rows: for tests of reading and moving such values.
 */
export function encryptUnbound(key: Buffer, keyVersion: number, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), ciphertext].reduce(
    (stored, part) => `${stored}.${part.toString('base64url')}`,
    `v${keyVersion}`,
  );
}

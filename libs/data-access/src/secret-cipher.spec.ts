import { randomBytes } from 'node:crypto';
import { ENCRYPTED_COLUMNS, SecretCipher, secretBinding } from './secret-cipher';
import { encryptUnbound } from './testing/unbound-secret';

describe('SecretCipher', () => {
  const key = randomBytes(32);
  const cipher = SecretCipher.fromKey(key);
  const { signingSecret, authSecret } = ENCRYPTED_COLUMNS;
  const here = secretBinding('org-a', signingSecret, 'row-1');

  it('round-trips a secret and never stores the plaintext', () => {
    const stored = cipher.encrypt('whsec_canary-secret', here);
    expect(stored).not.toContain('canary');
    expect(cipher.decrypt(stored, here)).toBe('whsec_canary-secret');
  });

  it('uses a fresh IV for every encryption', () => {
    expect(cipher.encrypt('same', here)).not.toBe(cipher.encrypt('same', here));
  });

  it('refuses a tampered value', () => {
    const stored = cipher.encrypt('secret', here);
    const parts = stored.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'), here)).toThrow();
  });

  it('binds the organization, table, column and row as associated data', () => {
    expect(here).toBe('org-a:endpoint_secrets:secret_enc:row-1');
    expect(secretBinding('org-a', authSecret, 'row-1')).toBe(
      'org-a:endpoints:auth_secret_enc:row-1',
    );
  });

  it.each([
    ['another row', secretBinding('org-a', signingSecret, 'row-2')],
    ['another organization', secretBinding('org-b', signingSecret, 'row-1')],
    ['another column', secretBinding('org-a', authSecret, 'row-1')],
  ])('X11 refuses a value copied to %s', (_, elsewhere) => {
    const stored = cipher.encrypt('whsec_secret', here);
    expect(() => cipher.decrypt(stored, elsewhere)).toThrow(/stored for another place/);
    expect(cipher.decrypt(stored, here)).toBe('whsec_secret');
  });

  it.each([4, 12, 15])('X11 refuses a tag shortened to %i bytes', (bytes) => {
    for (const stored of [cipher.encrypt('secret', here), encryptUnbound(key, 1, 'secret')]) {
      const parts = stored.split('.');
      const tagAt = parts.length - 2;
      parts[tagAt] = Buffer.from(parts[tagAt] ?? '', 'base64url')
        .subarray(0, bytes)
        .toString('base64url');
      expect(() => cipher.decrypt(parts.join('.'), here)).toThrow(/malformed/);
    }
  });

  it('X11 still reads a value of the earlier, unbound form, wherever it is', () => {
    const stored = encryptUnbound(key, 1, 'whsec_old');
    expect(SecretCipher.isBound(stored)).toBe(false);
    expect(cipher.decrypt(stored, here)).toBe('whsec_old');
    expect(SecretCipher.isBound(cipher.encrypt('whsec_new', here))).toBe(true);
  });

  it('decrypts values of an older key version after rotation', () => {
    const oldKey = randomBytes(32);
    const stored = SecretCipher.fromKey(oldKey).encrypt('old', here);
    const rotated = new SecretCipher(
      new Map([
        [1, oldKey],
        [2, randomBytes(32)],
      ]),
      2,
    );
    expect(rotated.decrypt(stored, here)).toBe('old');
    expect(SecretCipher.versionOf(rotated.encrypt('new', here))).toBe(2);
    expect(SecretCipher.versionOf(rotated.encrypt('kept', here, 1))).toBe(1);
    expect(() => rotated.encrypt('unknown', here, 3)).toThrow(RangeError);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => SecretCipher.fromKey(randomBytes(16))).toThrow(RangeError);
  });
});

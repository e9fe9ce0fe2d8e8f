import { randomBytes } from 'node:crypto';
import { SecretCipher } from './secret-cipher';

describe('SecretCipher', () => {
  const cipher = SecretCipher.fromKey(randomBytes(32));

  it('round-trips a secret and never stores the plaintext', () => {
    const stored = cipher.encrypt('whsec_canary-secret');
    expect(stored).not.toContain('canary');
    expect(cipher.decrypt(stored)).toBe('whsec_canary-secret');
  });

  it('uses a fresh IV for every encryption', () => {
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('refuses a tampered value', () => {
    const stored = cipher.encrypt('secret');
    const parts = stored.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow();
  });

  it('decrypts values of an older key version after rotation', () => {
    const oldKey = randomBytes(32);
    const stored = SecretCipher.fromKey(oldKey).encrypt('old');
    const rotated = new SecretCipher(
      new Map([
        [1, oldKey],
        [2, randomBytes(32)],
      ]),
      2,
    );
    expect(rotated.decrypt(stored)).toBe('old');
    expect(SecretCipher.versionOf(rotated.encrypt('new'))).toBe(2);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => SecretCipher.fromKey(randomBytes(16))).toThrow(RangeError);
  });
});

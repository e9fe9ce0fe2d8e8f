import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import {
  PUBLIC_KEY_PREFIX,
  SIGNING_KEY_PREFIX,
  generateSigningKey,
  isPublicKey,
  isSigningKey,
  publicKeyOf,
  signEd25519,
  verifyEd25519,
} from './ed25519';
import { WebhookSecretError } from './signing';

/** A key pair made by node:crypto alone, with its raw seed and public key read from its JWK. */
function referenceKeyPair(): { seed: Buffer; publicKey: Buffer; publicKeyObject: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    seed: Buffer.from(jwk.d ?? '', 'base64url'),
    publicKey: Buffer.from(jwk.x ?? '', 'base64url'),
    publicKeyObject: publicKey,
  };
}

/** The public key object of raw public key bytes, built with node:crypto's JWK import. */
function publicKeyObjectOf(raw: Buffer): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

const REFERENCE = referenceKeyPair();
const SECRET_KEY = SIGNING_KEY_PREFIX + REFERENCE.seed.toString('base64');
const PUBLIC_KEY = PUBLIC_KEY_PREFIX + REFERENCE.publicKey.toString('base64');
const OTHER = referenceKeyPair();
const OTHER_PUBLIC_KEY = PUBLIC_KEY_PREFIX + OTHER.publicKey.toString('base64');
const MESSAGE = Buffer.from(
  'msg_2ZsuAKkcz1YCbDlnk2Cb1a.1714564800.{"type":"post.created"}',
  'utf8',
);

describe('generateSigningKey', () => {
  it('returns whsk_ plus base64 of a 32-byte seed from the injected random source', () => {
    const seed = Buffer.from(Array.from({ length: 32 }, (_, i) => 255 - i));
    const requested: number[] = [];
    const key = generateSigningKey((n) => {
      requested.push(n);
      return seed;
    });
    expect(requested).toEqual([32]);
    expect(key).toBe(`whsk_${seed.toString('base64')}`);
    expect(isSigningKey(key)).toBe(true);
  });

  it('uses node:crypto by default and produces distinct valid keys', () => {
    const first = generateSigningKey();
    const second = generateSigningKey();
    expect(first).not.toBe(second);
    expect(isSigningKey(first)).toBe(true);
    expect(Buffer.from(first.slice(SIGNING_KEY_PREFIX.length), 'base64')).toHaveLength(32);
  });

  it('refuses a random source that returns the wrong number of bytes', () => {
    expect(() => generateSigningKey(() => Buffer.alloc(31))).toThrow(RangeError);
  });
});

describe('publicKeyOf', () => {
  it('is whpk_ plus base64 of the 32-byte public key that node:crypto derives from the seed', () => {
    expect(publicKeyOf(SECRET_KEY)).toBe(PUBLIC_KEY);
    expect(isPublicKey(PUBLIC_KEY)).toBe(true);
  });

  it('reads the 64-byte libsodium layout (seed, then public key) as the same key', () => {
    const long =
      SIGNING_KEY_PREFIX + Buffer.concat([REFERENCE.seed, REFERENCE.publicKey]).toString('base64');
    expect(isSigningKey(long)).toBe(true);
    expect(publicKeyOf(long)).toBe(PUBLIC_KEY);
    expect(signEd25519(long, MESSAGE)).toBe(signEd25519(SECRET_KEY, MESSAGE));
  });

  it('refuses a 64-byte key whose public half is not the seed’s', () => {
    const mismatched =
      SIGNING_KEY_PREFIX + Buffer.concat([REFERENCE.seed, OTHER.publicKey]).toString('base64');
    expect(isSigningKey(mismatched)).toBe(false);
    expect(() => publicKeyOf(mismatched)).toThrow(WebhookSecretError);
  });

  it('throws WebhookSecretError with code SECRET_INVALID for anything but a signing key', () => {
    for (const value of [PUBLIC_KEY, 'whsec_' + REFERENCE.seed.toString('base64'), 'whsk_']) {
      expect(() => publicKeyOf(value)).toThrow(
        expect.objectContaining({ code: 'SECRET_INVALID', name: 'WebhookSecretError' }),
      );
    }
  });
});

describe('isSigningKey and isPublicKey', () => {
  const seed = REFERENCE.seed.toString('base64');

  it.each([
    ['no prefix', seed],
    ['the HMAC prefix', `whsec_${seed}`],
    ['the public key prefix', `whpk_${seed}`],
    ['empty after the prefix', 'whsk_'],
    ['31 bytes', `whsk_${Buffer.alloc(31, 1).toString('base64')}`],
    ['33 bytes', `whsk_${Buffer.alloc(33, 1).toString('base64')}`],
    ['48 bytes', `whsk_${Buffer.alloc(48, 1).toString('base64')}`],
    ['the url-safe alphabet', `whsk_${'-_'.repeat(21)}AA`],
    ['embedded whitespace', `whsk_${seed.slice(0, 10)} ${seed.slice(10)}`],
    ['non-canonical trailing bits', `whsk_${seed.slice(0, 42)}B=`],
  ])('rejects a signing key with %s', (_label, value) => {
    expect(isSigningKey(value)).toBe(false);
  });

  it('accepts a signing key with or without padding', () => {
    expect(isSigningKey(SECRET_KEY.replace(/=+$/, ''))).toBe(true);
    expect(isSigningKey(SECRET_KEY)).toBe(true);
  });

  it.each([
    ['the signing key prefix', `whsk_${REFERENCE.publicKey.toString('base64')}`],
    ['31 bytes', `whpk_${REFERENCE.publicKey.subarray(1).toString('base64')}`],
    [
      '33 bytes',
      `whpk_${Buffer.concat([REFERENCE.publicKey, Buffer.alloc(1)]).toString('base64')}`,
    ],
    [
      'a y coordinate of p (non-canonical)',
      `whpk_${Buffer.from('ed' + 'ff'.repeat(30) + '7f', 'hex').toString('base64')}`,
    ],
  ])('rejects a public key with %s', (_label, value) => {
    expect(isPublicKey(value)).toBe(false);
  });

  /** Encodings of points of small order (identity, order 2, 4 and 8), and p + 1 (= 1, non-canonical). */
  const SMALL_ORDER = [
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0100000000000000000000000000000000000000000000000000000000000000',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ].flatMap((hex) => {
    const negated = Buffer.from(hex, 'hex');
    negated[31] = (negated[31] ?? 0) | 0x80;
    return [Buffer.from(hex, 'hex'), negated];
  });

  it.each(SMALL_ORDER.map((bytes) => [bytes.toString('hex')]))(
    'rejects the weak public key %s, under which node:crypto accepts a forged signature',
    (hex) => {
      const raw = Buffer.from(hex, 'hex');
      // R = the identity, S = 0: valid for any message whose hash k makes [k]A the identity.
      const forged = Buffer.concat([Buffer.from('01' + '00'.repeat(31), 'hex'), Buffer.alloc(32)]);
      const messages = Array.from({ length: 64 }, (_, i) => Buffer.from(`forged ${i}`));
      const accepted = messages.find((m) => verify(null, m, publicKeyObjectOf(raw), forged));
      expect(accepted).toBeDefined();

      const publicKey = PUBLIC_KEY_PREFIX + raw.toString('base64');
      expect(isPublicKey(publicKey)).toBe(false);
      expect(() =>
        verifyEd25519(publicKey, accepted ?? Buffer.alloc(0), forged.toString('base64')),
      ).toThrow(WebhookSecretError);
    },
  );
});

describe('signEd25519 and verifyEd25519', () => {
  it('matches the Standard Webhooks test vector (libraries/go, TestAsymmetricWebhookSign)', () => {
    const key = 'whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=';
    const content = Buffer.from('msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}');
    expect(signEd25519(key, content)).toBe(
      'tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==',
    );
  });

  it('makes a base64 signature of 64 bytes that node:crypto verifies under the public key', () => {
    const signature = Buffer.from(signEd25519(SECRET_KEY, MESSAGE), 'base64');
    expect(signature).toHaveLength(64);
    expect(verify(null, MESSAGE, REFERENCE.publicKeyObject, signature)).toBe(true);
  });

  it('verifies its own signature under the public key', () => {
    expect(verifyEd25519(PUBLIC_KEY, MESSAGE, signEd25519(SECRET_KEY, MESSAGE))).toBe(true);
  });

  it('rejects a tampered message and another key', () => {
    const signature = signEd25519(SECRET_KEY, MESSAGE);
    const tampered = Buffer.from(MESSAGE);
    const i = tampered.length - 2;
    tampered[i] = (tampered[i] ?? 0) ^ 0x01;
    expect(verifyEd25519(PUBLIC_KEY, tampered, signature)).toBe(false);
    expect(verifyEd25519(OTHER_PUBLIC_KEY, MESSAGE, signature)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['not base64', '!'.repeat(88)],
    ['63 bytes', Buffer.alloc(63, 1).toString('base64')],
    ['65 bytes', Buffer.alloc(65, 1).toString('base64')],
    ['64 zero bytes', Buffer.alloc(64).toString('base64')],
  ])('returns false, not an error, for a signature that is %s', (_label, signature) => {
    expect(verifyEd25519(PUBLIC_KEY, MESSAGE, signature)).toBe(false);
  });

  it('throws WebhookSecretError for an invalid public key or signing key', () => {
    expect(() => verifyEd25519(SECRET_KEY, MESSAGE, 'AAAA')).toThrow(WebhookSecretError);
    expect(() => signEd25519(PUBLIC_KEY, MESSAGE)).toThrow(WebhookSecretError);
  });

  it('round-trips any seed and message, and fails when one byte changes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.nat(),
        (seedBytes, messageBytes, position) => {
          const secretKey = generateSigningKey(() => Buffer.from(seedBytes));
          const publicKey = publicKeyOf(secretKey);
          const message = Buffer.from(messageBytes);
          const signature = signEd25519(secretKey, message);
          expect(verifyEd25519(publicKey, message, signature)).toBe(true);
          const changed = Buffer.from(message);
          const i = position % changed.length;
          changed[i] = (changed[i] ?? 0) ^ 0x80;
          expect(verifyEd25519(publicKey, changed, signature)).toBe(false);
        },
      ),
    );
  });
});

/**
 * Standard Webhooks' asymmetric scheme through signPayload and verifyPayload: `whsk_` keys sign `v1a`
 * entries beside the `v1` entries of `whsec_` secrets, and `whpk_` public keys verify them.
 */
import { createHmac, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { generateSigningKey, publicKeyOf } from './ed25519';
import {
  SECRET_PREFIX,
  SIGNING_PROTOCOLS,
  WebhookSecretError,
  WebhookVerificationError,
  generateSecret,
  generateSecretFor,
  shareableKey,
  isSigningSecret,
  isValidSecret,
  signPayload,
  signingProtocolOf,
  verifyPayload,
  type VerificationErrorCode,
} from './signing';

/** A signing key made by node:crypto alone, its whpk_ form and its public key object. */
function referenceKey(): { secretKey: string; publicKey: string; publicKeyObject: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    secretKey: 'whsk_' + Buffer.from(jwk.d ?? '', 'base64url').toString('base64'),
    publicKey: 'whpk_' + Buffer.from(jwk.x ?? '', 'base64url').toString('base64'),
    publicKeyObject: publicKey,
  };
}

const HMAC_KEY = Buffer.alloc(32, 0xa1);
const WHSEC = SECRET_PREFIX + HMAC_KEY.toString('base64');
const KEY = referenceKey();
const OTHER = referenceKey();
const NOW = new Date('2024-05-01T12:00:00.000Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const ID = 'msg_2ZsuAKkcz1YCbDlnk2Cb1a';
const BODY = '{"type":"post.created","data":{"title":"Zoë 🚀"}}';
const CONTENT = Buffer.from(`${ID}.${NOW_S}.${BODY}`, 'utf8');

function verificationCode(run: () => unknown): VerificationErrorCode | 'NO_ERROR' {
  try {
    run();
    return 'NO_ERROR';
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.code;
    throw error;
  }
}

function entriesOf(headers: { 'webhook-signature': string }): string[] {
  return headers['webhook-signature'].split(' ');
}

describe('signing protocols', () => {
  it('reads the protocol from the prefix', () => {
    expect(signingProtocolOf(WHSEC)).toBe('HmacSHA256');
    expect(signingProtocolOf(KEY.secretKey)).toBe('Ed25519');
  });

  it.each([KEY.publicKey, 'whsec', 'sk_live_123', ''])(
    'refuses to name a protocol for %p',
    (value) => {
      expect(() => signingProtocolOf(value)).toThrow(WebhookSecretError);
    },
  );

  it('generates a secret of each protocol that reads back as that protocol', () => {
    for (const protocol of SIGNING_PROTOCOLS) {
      const secret = generateSecretFor(protocol);
      expect(signingProtocolOf(secret)).toBe(protocol);
      expect(isSigningSecret(secret)).toBe(true);
    }
    expect(generateSecretFor('HmacSHA256', () => HMAC_KEY)).toBe(WHSEC);
    expect(generateSecretFor('Ed25519', () => HMAC_KEY)).toBe(
      `whsk_${HMAC_KEY.toString('base64')}`,
    );
  });

  it('isSigningSecret accepts valid whsec_ secrets and whsk_ keys, nothing else', () => {
    expect(isSigningSecret(WHSEC)).toBe(true);
    expect(isSigningSecret(KEY.secretKey)).toBe(true);
    expect(isSigningSecret(KEY.publicKey)).toBe(false);
    expect(isSigningSecret('whsk_c2hvcnQ=')).toBe(false);
    expect(isSigningSecret('whsec_c2hvcnQ=')).toBe(false);
  });

  it('isValidSecret still means a whsec_ secret only', () => {
    expect(isValidSecret(WHSEC)).toBe(true);
    expect(isValidSecret(KEY.secretKey)).toBe(false);
    expect(isValidSecret(generateSigningKey())).toBe(false);
  });
});

describe('signPayload with whsk_ keys', () => {
  it('signs the Standard Webhooks asymmetric test vector', () => {
    const headers = signPayload({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      secrets: ['whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk='],
    });
    expect(headers['webhook-signature']).toBe(
      'v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==',
    );
  });

  it('gives a v1 entry for the whsec_ secret and a v1a entry for the whsk_ key, in list order', () => {
    const headers = signPayload({
      id: ID,
      timestamp: NOW_S,
      body: BODY,
      secrets: [WHSEC, KEY.secretKey],
    });
    const [v1, v1a, ...rest] = entriesOf(headers);
    expect(rest).toEqual([]);
    expect(v1).toBe(`v1,${createHmac('sha256', HMAC_KEY).update(CONTENT).digest('base64')}`);
    expect(v1a?.startsWith('v1a,')).toBe(true);
    const signature = Buffer.from(v1a?.slice('v1a,'.length) ?? '', 'base64');
    expect(verify(null, CONTENT, KEY.publicKeyObject, signature)).toBe(true);

    const reversed = signPayload({
      id: ID,
      timestamp: NOW_S,
      body: BODY,
      secrets: [KEY.secretKey, WHSEC],
    });
    expect(entriesOf(reversed)).toEqual([v1a, v1]);
  });

  it('signs a Buffer body as its raw bytes', () => {
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    const headers = signPayload({ id: ID, timestamp: NOW_S, body, secrets: [KEY.secretKey] });
    const signature = Buffer.from(headers['webhook-signature'].slice('v1a,'.length), 'base64');
    const content = Buffer.concat([Buffer.from(`${ID}.${NOW_S}.`), body]);
    expect(verify(null, content, KEY.publicKeyObject, signature)).toBe(true);
  });

  it('refuses a public key or an invalid key as a signing secret', () => {
    for (const secret of [KEY.publicKey, 'whsk_c2hvcnQ=']) {
      expect(() =>
        signPayload({ id: ID, timestamp: NOW_S, body: BODY, secrets: [WHSEC, secret] }),
      ).toThrow(WebhookSecretError);
    }
  });
});

describe('verifyPayload with whpk_ public keys', () => {
  const mixed = () => ({
    ...signPayload({ id: ID, timestamp: NOW_S, body: BODY, secrets: [WHSEC, KEY.secretKey] }),
  });

  it('accepts a mixed signature with the whsec_ secret, the whpk_ key or the whsk_ key', () => {
    for (const secrets of [
      [WHSEC],
      [KEY.publicKey],
      [KEY.secretKey],
      [OTHER.publicKey, KEY.publicKey],
    ]) {
      expect(verifyPayload({ body: BODY, headers: mixed(), secrets, now: NOW })).toEqual({
        id: ID,
        timestamp: NOW_S,
      });
    }
  });

  it('rejects a tampered body, id or timestamp under the public key', () => {
    const headers = mixed();
    const cases = [
      { body: `${BODY} `, headers },
      { body: BODY, headers: { ...headers, 'webhook-id': 'msg_other' } },
      { body: BODY, headers: { ...headers, 'webhook-timestamp': String(NOW_S + 1) } },
    ];
    for (const { body, headers: h } of cases) {
      expect(
        verificationCode(() =>
          verifyPayload({ body, headers: h, secrets: [KEY.publicKey], now: NOW }),
        ),
      ).toBe('NO_MATCHING_SIGNATURE');
    }
  });

  it('rejects a v1a signature under another public key', () => {
    expect(
      verificationCode(() =>
        verifyPayload({ body: BODY, headers: mixed(), secrets: [OTHER.publicKey], now: NOW }),
      ),
    ).toBe('NO_MATCHING_SIGNATURE');
  });

  it('checks v1 entries only with whsec_ secrets and v1a entries only with public keys', () => {
    const hmacOnly = signPayload({ id: ID, timestamp: NOW_S, body: BODY, secrets: [WHSEC] });
    expect(
      verificationCode(() =>
        verifyPayload({ body: BODY, headers: { ...hmacOnly }, secrets: [KEY.publicKey], now: NOW }),
      ),
    ).toBe('NO_MATCHING_SIGNATURE');
    const ed25519Only = signPayload({
      id: ID,
      timestamp: NOW_S,
      body: BODY,
      secrets: [KEY.secretKey],
    });
    expect(
      verificationCode(() =>
        verifyPayload({ body: BODY, headers: { ...ed25519Only }, secrets: [WHSEC], now: NOW }),
      ),
    ).toBe('NO_MATCHING_SIGNATURE');
    // A v1a entry holding the v1 value is not an Ed25519 signature.
    const relabelled = hmacOnly['webhook-signature'].replace(/^v1,/, 'v1a,');
    expect(
      verificationCode(() =>
        verifyPayload({
          body: BODY,
          headers: { ...hmacOnly, 'webhook-signature': relabelled },
          secrets: [KEY.publicKey, WHSEC],
          now: NOW,
        }),
      ),
    ).toBe('NO_MATCHING_SIGNATURE');
  });

  it('still checks the timestamp tolerance for v1a', () => {
    const later = new Date(NOW.getTime() + 301_000);
    expect(
      verificationCode(() =>
        verifyPayload({ body: BODY, headers: mixed(), secrets: [KEY.publicKey], now: later }),
      ),
    ).toBe('TIMESTAMP_TOO_OLD');
  });

  it('throws for an invalid public key even when no v1a entry would use it', () => {
    const hmacOnly = { ...signPayload({ id: ID, timestamp: NOW_S, body: BODY, secrets: [WHSEC] }) };
    for (const bad of ['whpk_c2hvcnQ=', `whpk_${Buffer.alloc(32).toString('base64')}`]) {
      expect(() =>
        verifyPayload({ body: BODY, headers: hmacOnly, secrets: [WHSEC, bad], now: NOW }),
      ).toThrow(WebhookSecretError);
    }
  });

  it('round-trips any body with a mixed list, each secret verifying alone', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (bodyBytes, seed, hmacKey) => {
          const body = Buffer.from(bodyBytes);
          const signingKey = generateSecretFor('Ed25519', () => Buffer.from(seed));
          const whsec = generateSecret(() => Buffer.from(hmacKey));
          const headers = signPayload({
            id: ID,
            timestamp: NOW_S,
            body,
            secrets: [signingKey, whsec],
          });
          for (const secret of [publicKeyOf(signingKey), whsec]) {
            expect(
              verifyPayload({ body, headers: { ...headers }, secrets: [secret], now: NOW }).id,
            ).toBe(ID);
          }
        },
      ),
    );
  });
});

describe('shareableKey', () => {
  it('shows a whsec_ secret as it is and a whsk_ key as its whpk_ public key', () => {
    const hmac = generateSecretFor('HmacSHA256');
    const ed = generateSecretFor('Ed25519');
    expect(shareableKey(hmac)).toBe(hmac);
    expect(shareableKey(ed)).toBe(publicKeyOf(ed));
    expect(shareableKey(ed).startsWith('whpk_')).toBe(true);
  });
});

import {
  generateSecretFor,
  publicKeyOf,
  signPayload,
  verifyPayload,
  WebhookVerificationError as CoreVerificationError,
} from '@hookyard/webhook-core';
import { verifyWebhook, WebhookVerificationError } from './webhooks';

const NOW = new Date('2026-01-01T00:00:00Z');
const TS = Math.floor(NOW.getTime() / 1000);
const BODY = JSON.stringify({ type: 'post.created', data: { id: 'p_1', title: 'Grüße' } });

function codeOf(run: () => unknown): string {
  try {
    run();
    return 'OK';
  } catch (error) {
    if (error instanceof WebhookVerificationError || error instanceof CoreVerificationError) {
      return error.code;
    }
    throw error;
  }
}

describe('G3 verifyWebhook', () => {
  const secret = generateSecretFor('HmacSHA256');
  const signingKey = generateSecretFor('Ed25519');
  const publicKey = publicKeyOf(signingKey);
  const signed = signPayload({ id: 'msg_1', timestamp: TS, body: BODY, secrets: [secret] });

  it('accepts what webhook-core signs and returns the id, timestamp and parsed payload', () => {
    expect(verifyWebhook(BODY, signed, secret, { now: NOW })).toEqual({
      id: 'msg_1',
      timestamp: TS,
      payload: JSON.parse(BODY),
    });
  });

  it('accepts Ed25519 (v1a) signatures under the whpk_ public key', () => {
    const headers = signPayload({ id: 'msg_2', timestamp: TS, body: BODY, secrets: [signingKey] });
    expect(verifyWebhook(Buffer.from(BODY), headers, publicKey, { now: NOW }).id).toBe('msg_2');
  });

  it('accepts a message signed during a rotation with either secret, and headers in any case', () => {
    const next = generateSecretFor('HmacSHA256');
    const headers = signPayload({
      id: 'msg_3',
      timestamp: TS,
      body: BODY,
      secrets: [next, secret],
    });
    const shouted = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]),
    );
    expect(verifyWebhook(BODY, shouted, secret, { now: NOW }).id).toBe('msg_3');
    expect(verifyWebhook(BODY, new Headers(headers), [next], { now: NOW }).id).toBe('msg_3');
  });

  const cases: [string, () => [string, Record<string, string | string[]>, string]][] = [
    ['a tampered body', () => [BODY.replace('p_1', 'p_2'), signed, secret]],
    ['another secret', () => [BODY, signed, generateSecretFor('HmacSHA256')]],
    ['a missing id', () => [BODY, { ...signed, 'webhook-id': '' }, secret]],
    ['a repeated id', () => [BODY, { ...signed, 'webhook-id': ['a', 'b'] }, secret]],
    ['a fractional timestamp', () => [BODY, { ...signed, 'webhook-timestamp': `${TS}.5` }, secret]],
    [
      'an old timestamp',
      () => [
        BODY,
        signPayload({ id: 'm', timestamp: TS - 301, body: BODY, secrets: [secret] }),
        secret,
      ],
    ],
    [
      'a future timestamp',
      () => [
        BODY,
        signPayload({ id: 'm', timestamp: TS + 301, body: BODY, secrets: [secret] }),
        secret,
      ],
    ],
    ['no signature entry', () => [BODY, { ...signed, 'webhook-signature': 'garbage' }, secret]],
    [
      'only an unknown version',
      () => [
        BODY,
        { ...signed, 'webhook-signature': signed['webhook-signature'].replace('v1,', 'v2,') },
        secret,
      ],
    ],
    [
      'a v1a entry under an HMAC secret',
      () => [
        BODY,
        signPayload({ id: 'm', timestamp: TS, body: BODY, secrets: [signingKey] }),
        secret,
      ],
    ],
  ];

  it.each(cases)('rejects %s with the code webhook-core gives', (_name, make) => {
    const [body, headers, key] = make();
    const core = codeOf(() => verifyPayload({ body, headers, secrets: [key], now: NOW }));
    const sdk = codeOf(() => verifyWebhook(body, headers, key, { now: NOW }));
    expect(core).not.toBe('OK');
    expect(sdk).toBe(core);
  });

  it('refuses a malformed secret before looking at the message', () => {
    expect(codeOf(() => verifyWebhook(BODY, signed, 'whsec_not base64', { now: NOW }))).toBe(
      'SECRET_INVALID',
    );
    expect(
      codeOf(() => verifyWebhook(BODY, signed, 'whsec_' + Buffer.alloc(8).toString('base64'))),
    ).toBe('SECRET_INVALID');
  });

  it('says verification needs node:crypto where the runtime has none', () => {
    const original = process.getBuiltinModule;
    Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true });
    try {
      expect(() => verifyWebhook(BODY, signed, secret, { now: NOW })).toThrow(/needs node:crypto/);
    } finally {
      Object.defineProperty(process, 'getBuiltinModule', { value: original, configurable: true });
    }
  });
});

/**
 * Interoperability with the reference `standardwebhooks` package, both ways. Its `verify` reads the
 * real clock, so these tests sign with the current time.
 */
import fc from 'fast-check';
import { Webhook, WebhookVerificationError as TheirVerificationError } from 'standardwebhooks';
import {
  WebhookVerificationError,
  generateSecret,
  signPayload,
  verifyPayload,
  type VerificationErrorCode,
  type WebhookHeaders,
} from './signing';

const SECRET_A = generateSecret();
const SECRET_B = generateSecret();
const ID = 'msg_2ZsuAKkcz1YCbDlnk2Cb1a';
const BODY = '{"type":"post.created","data":{"title":"Zoë 🚀","tags":["a", "b"]}}';

function realNow(): Date {
  return new Date();
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function ourCode(run: () => unknown): VerificationErrorCode | 'NO_ERROR' {
  try {
    run();
    return 'NO_ERROR';
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.code;
    throw error;
  }
}

function theirVerify(secret: string, body: string | Buffer, headers: WebhookHeaders): unknown {
  return new Webhook(secret).verify(body, { ...headers }, { jsonParse: false });
}

/** Headers as the reference package produces them. */
function theirHeaders(secret: string, id: string, date: Date, body: string): WebhookHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, date, body),
  };
}

describe('G1 interop: our signatures verify with standardwebhooks', () => {
  it('verifies a string body', () => {
    const headers = signPayload({
      id: ID,
      timestamp: nowSeconds(),
      body: BODY,
      secrets: [SECRET_A],
    });
    expect(new Webhook(SECRET_A).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
  });

  it('verifies a UTF-8 Buffer body', () => {
    const body = Buffer.from(BODY, 'utf8');
    const headers = signPayload({ id: ID, timestamp: nowSeconds(), body, secrets: [SECRET_A] });
    expect(() => theirVerify(SECRET_A, body, headers)).not.toThrow();
  });

  it('verifies arbitrary text bodies and ids', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
        (body, id) => {
          const headers = signPayload({ id, timestamp: nowSeconds(), body, secrets: [SECRET_A] });
          expect(() => theirVerify(SECRET_A, body, headers)).not.toThrow();
        },
      ),
      { numRuns: 50 },
    );
  });

  it('verifies a two-signature header with the Webhook of each secret', () => {
    const headers = signPayload({
      id: ID,
      timestamp: nowSeconds(),
      body: BODY,
      secrets: [SECRET_A, SECRET_B],
    });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => theirVerify(SECRET_A, BODY, headers)).not.toThrow();
    expect(() => theirVerify(SECRET_B, BODY, headers)).not.toThrow();
    expect(() => theirVerify(generateSecret(), BODY, headers)).toThrow(TheirVerificationError);
  });
});

describe('interop: standardwebhooks signatures verify with ours', () => {
  it('verifies a header made by Webhook.sign', () => {
    const date = realNow();
    const headers = theirHeaders(SECRET_A, ID, date, BODY);
    expect(
      verifyPayload({ body: BODY, headers: { ...headers }, secrets: [SECRET_A], now: realNow() }),
    ).toEqual({ id: ID, timestamp: Math.floor(date.getTime() / 1000) });
  });

  it('verifies arbitrary text bodies they sign', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (body) => {
        const headers = theirHeaders(SECRET_B, ID, realNow(), body);
        expect(
          verifyPayload({ body, headers: { ...headers }, secrets: [SECRET_B], now: realNow() }).id,
        ).toBe(ID);
      }),
      { numRuns: 50 },
    );
  });

  it('verifies when we hold either of two secrets and they signed with one', () => {
    const headers = theirHeaders(SECRET_B, ID, realNow(), BODY);
    expect(
      verifyPayload({
        body: BODY,
        headers: { ...headers },
        secrets: [SECRET_A, SECRET_B],
        now: realNow(),
      }).id,
    ).toBe(ID);
  });

  it('produces the very same signature header as ours for the same inputs', () => {
    const date = new Date(Math.floor(Date.now() / 1000) * 1000);
    const ours = signPayload({
      id: ID,
      timestamp: date.getTime() / 1000,
      body: BODY,
      secrets: [SECRET_A],
    });
    expect(ours).toEqual(theirHeaders(SECRET_A, ID, date, BODY));
  });
});

describe('interop: both reject what must be rejected', () => {
  it('rejects a tampered body', () => {
    const ourHeaders = signPayload({
      id: ID,
      timestamp: nowSeconds(),
      body: BODY,
      secrets: [SECRET_A],
    });
    const theirs = theirHeaders(SECRET_A, ID, realNow(), BODY);
    const tampered = BODY.replace('Zoë', 'Zoe');
    expect(() => theirVerify(SECRET_A, tampered, ourHeaders)).toThrow(TheirVerificationError);
    expect(
      ourCode(() =>
        verifyPayload({
          body: tampered,
          headers: { ...theirs },
          secrets: [SECRET_A],
          now: realNow(),
        }),
      ),
    ).toBe('NO_MATCHING_SIGNATURE');
  });

  it('rejects a wrong secret', () => {
    const ourHeaders = signPayload({
      id: ID,
      timestamp: nowSeconds(),
      body: BODY,
      secrets: [SECRET_A],
    });
    const theirs = theirHeaders(SECRET_A, ID, realNow(), BODY);
    expect(() => theirVerify(SECRET_B, BODY, ourHeaders)).toThrow(TheirVerificationError);
    expect(
      ourCode(() =>
        verifyPayload({ body: BODY, headers: { ...theirs }, secrets: [SECRET_B], now: realNow() }),
      ),
    ).toBe('NO_MATCHING_SIGNATURE');
  });

  it.each([
    ['10 minutes old', -600, 'TIMESTAMP_TOO_OLD'],
    ['10 minutes ahead', 600, 'TIMESTAMP_TOO_NEW'],
  ] as const)('rejects a timestamp %s', (_label, offsetSeconds, code) => {
    const ourHeaders = signPayload({
      id: ID,
      timestamp: nowSeconds() + offsetSeconds,
      body: BODY,
      secrets: [SECRET_A],
    });
    const theirs = theirHeaders(SECRET_A, ID, new Date(Date.now() + offsetSeconds * 1000), BODY);
    expect(() => theirVerify(SECRET_A, BODY, ourHeaders)).toThrow(TheirVerificationError);
    expect(
      ourCode(() =>
        verifyPayload({ body: BODY, headers: { ...theirs }, secrets: [SECRET_A], now: realNow() }),
      ),
    ).toBe(code);
  });

  it('rejects a millisecond timestamp', () => {
    const ourHeaders = signPayload({
      id: ID,
      timestamp: Date.now(),
      body: BODY,
      secrets: [SECRET_A],
    });
    expect(() => theirVerify(SECRET_A, BODY, ourHeaders)).toThrow(TheirVerificationError);
    expect(
      ourCode(() =>
        verifyPayload({
          body: BODY,
          headers: { ...ourHeaders },
          secrets: [SECRET_A],
          now: realNow(),
        }),
      ),
    ).toBe('TIMESTAMP_TOO_NEW');
  });
});

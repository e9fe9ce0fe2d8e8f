import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  SECRET_PREFIX,
  VerificationErrorCode,
  WEBHOOK_HEADERS,
  WebhookSecretError,
  WebhookVerificationError,
  computeSignature,
  decodeSecret,
  generateSecret,
  isValidSecret,
  signPayload,
  verifyPayload,
} from './signing';

const KEY_A = Buffer.alloc(32, 0xa1);
const KEY_B = Buffer.alloc(32, 0xb2);
const SECRET_A = SECRET_PREFIX + KEY_A.toString('base64');
const SECRET_B = SECRET_PREFIX + KEY_B.toString('base64');
const NOW = new Date('2024-05-01T12:00:00.000Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const ID = 'msg_2ZsuAKkcz1YCbDlnk2Cb1a';

/** Reference HMAC written independently of the module under test. */
function referenceSignature(key: Buffer, message: Buffer): string {
  return createHmac('sha256', key).update(message).digest('base64');
}

function secretOf(bytes: Uint8Array): string {
  return SECRET_PREFIX + Buffer.from(bytes).toString('base64');
}

function verificationCode(run: () => unknown): VerificationErrorCode | 'NO_ERROR' {
  try {
    run();
    return 'NO_ERROR';
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.code;
    throw error;
  }
}

describe('generateSecret', () => {
  it('returns whsec_ plus base64 of 32 bytes from the injected random source', () => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));
    const requested: number[] = [];
    const secret = generateSecret((n) => {
      requested.push(n);
      return bytes;
    });
    expect(requested).toEqual([32]);
    expect(secret).toBe(`whsec_${bytes.toString('base64')}`);
    expect(decodeSecret(secret).equals(bytes)).toBe(true);
  });

  it('uses node:crypto by default and produces distinct valid secrets', () => {
    const first = generateSecret();
    const second = generateSecret();
    expect(first).not.toBe(second);
    expect(isValidSecret(first)).toBe(true);
    expect(decodeSecret(first)).toHaveLength(32);
  });

  it('refuses a random source that returns the wrong number of bytes', () => {
    expect(() => generateSecret(() => Buffer.alloc(16))).toThrow(RangeError);
  });
});

describe('decodeSecret and isValidSecret', () => {
  it('decodes the base64 after the prefix', () => {
    expect(decodeSecret(SECRET_A).equals(KEY_A)).toBe(true);
  });

  it('accepts 24 and 64 byte secrets, padded or not', () => {
    const k24 = Buffer.alloc(24, 1).toString('base64');
    const k64 = Buffer.alloc(64, 2).toString('base64');
    const k32unpadded = Buffer.alloc(32, 3).toString('base64').replace(/=+$/, '');
    expect(decodeSecret(`whsec_${k24}`)).toHaveLength(24);
    expect(decodeSecret(`whsec_${k64}`)).toHaveLength(64);
    expect(decodeSecret(`whsec_${k32unpadded}`)).toHaveLength(32);
  });

  it.each([
    ['no prefix', KEY_A.toString('base64')],
    ['wrong prefix', `wsec_${KEY_A.toString('base64')}`],
    ['empty after the prefix', 'whsec_'],
    ['non-base64 characters', `whsec_${'!'.repeat(44)}`],
    ['url-safe alphabet', `whsec_${'-_'.repeat(22)}`],
    ['too short (23 bytes)', `whsec_${Buffer.alloc(23, 1).toString('base64')}`],
    ['too long (65 bytes)', `whsec_${Buffer.alloc(65, 1).toString('base64')}`],
    ['bad padding', `whsec_${Buffer.alloc(32, 1).toString('base64')}==`],
    [
      'non-canonical trailing bits',
      `whsec_${Buffer.alloc(32, 1).toString('base64').slice(0, 42)}B=`,
    ],
    [
      'embedded whitespace',
      `whsec_${KEY_A.toString('base64').slice(0, 20)} ${KEY_A.toString('base64').slice(20)}`,
    ],
  ])('rejects a secret with %s', (_label, secret) => {
    expect(isValidSecret(secret)).toBe(false);
    expect(() => decodeSecret(secret)).toThrow(WebhookSecretError);
    expect(() => decodeSecret(secret)).toThrow(
      expect.objectContaining({ code: 'SECRET_INVALID', name: 'WebhookSecretError' }),
    );
  });

  it('accepts valid secrets', () => {
    expect(isValidSecret(SECRET_A)).toBe(true);
    expect(isValidSecret(SECRET_B)).toBe(true);
  });
});

describe('computeSignature', () => {
  it('is the base64 HMAC-SHA256 of id.timestamp.body under the decoded key', () => {
    const expected = referenceSignature(KEY_A, Buffer.from(`${ID}.${NOW_S}.{"a":1}`, 'utf8'));
    expect(computeSignature(SECRET_A, ID, NOW_S, '{"a":1}')).toBe(expected);
  });

  it('signs a Buffer body as its raw bytes, even when they are not valid UTF-8', () => {
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    const expected = referenceSignature(
      KEY_A,
      Buffer.concat([Buffer.from(`${ID}.${NOW_S}.`), body]),
    );
    expect(computeSignature(SECRET_A, ID, NOW_S, body)).toBe(expected);
  });
});

describe('signPayload', () => {
  it('sets the three headers with one v1 signature', () => {
    const headers = signPayload({ id: ID, timestamp: NOW_S, body: 'hello', secrets: [SECRET_A] });
    expect(headers).toEqual({
      'webhook-id': ID,
      'webhook-timestamp': String(NOW_S),
      'webhook-signature': `v1,${referenceSignature(KEY_A, Buffer.from(`${ID}.${NOW_S}.hello`))}`,
    });
    expect(Object.keys(headers).sort()).toEqual(Object.values(WEBHOOK_HEADERS).sort());
  });

  it('emits one space-separated signature per secret in the given order', () => {
    const headers = signPayload({
      id: ID,
      timestamp: NOW_S,
      body: 'x',
      secrets: [SECRET_B, SECRET_A],
    });
    expect(headers['webhook-signature'].split(' ')).toEqual([
      `v1,${computeSignature(SECRET_B, ID, NOW_S, 'x')}`,
      `v1,${computeSignature(SECRET_A, ID, NOW_S, 'x')}`,
    ]);
  });

  it('signs the exact bytes: unicode, whitespace and key order change the signature', () => {
    const bodies = [
      '{"a":1,"b":2}',
      '{"b":2,"a":1}',
      '{"a": 1, "b": 2}',
      '{"a":1,"b":2}\n',
      '{"name":"Zoë 🚀"}',
      '{"name":"Zoe\u0308 🚀"}',
    ];
    const signatures = bodies.map(
      (body) =>
        signPayload({ id: ID, timestamp: NOW_S, body, secrets: [SECRET_A] })['webhook-signature'],
    );
    expect(new Set(signatures).size).toBe(bodies.length);
    bodies.forEach((body, i) => {
      expect(signatures[i]).toBe(
        `v1,${referenceSignature(KEY_A, Buffer.from(`${ID}.${NOW_S}.${body}`, 'utf8'))}`,
      );
    });
  });

  it('gives the same signature for a string and its UTF-8 Buffer', () => {
    const body = '{"emoji":"😀","text":"  spaced  "}';
    const fromString = signPayload({ id: ID, timestamp: NOW_S, body, secrets: [SECRET_A] });
    const fromBuffer = signPayload({
      id: ID,
      timestamp: NOW_S,
      body: Buffer.from(body, 'utf8'),
      secrets: [SECRET_A],
    });
    expect(fromBuffer).toEqual(fromString);
  });

  it.each([
    ['an empty id', { id: '' }],
    ['an id with a dot', { id: 'msg.1' }],
    ['an id with a space', { id: 'msg 1' }],
    ['an id with a tab', { id: 'msg\t1' }],
    ['a negative timestamp', { timestamp: -1 }],
    ['a fractional timestamp', { timestamp: 1.5 }],
    ['a NaN timestamp', { timestamp: Number.NaN }],
    ['no secrets', { secrets: [] as string[] }],
  ])('throws RangeError for %s', (_label, override) => {
    expect(() =>
      signPayload({ id: ID, timestamp: NOW_S, body: 'x', secrets: [SECRET_A], ...override }),
    ).toThrow(RangeError);
  });

  it('throws WebhookSecretError for an invalid secret', () => {
    expect(() =>
      signPayload({ id: ID, timestamp: NOW_S, body: 'x', secrets: [SECRET_A, 'nope'] }),
    ).toThrow(WebhookSecretError);
  });

  it('accepts timestamp 0', () => {
    expect(
      signPayload({ id: ID, timestamp: 0, body: '', secrets: [SECRET_A] })['webhook-timestamp'],
    ).toBe('0');
  });
});

describe('G3 verifyPayload', () => {
  const body = '{"type":"post.created","data":{"id":"1"}}';
  const signed = (): Record<string, string> => ({
    ...signPayload({ id: ID, timestamp: NOW_S, body, secrets: [SECRET_A] }),
  });

  it('returns the id and timestamp of a valid message', () => {
    expect(verifyPayload({ body, headers: signed(), secrets: [SECRET_A], now: NOW })).toEqual({
      id: ID,
      timestamp: NOW_S,
    });
  });

  it('looks headers up case-insensitively', () => {
    const h = signed();
    const headers = {
      'Webhook-Id': h['webhook-id'],
      'WEBHOOK-TIMESTAMP': h['webhook-timestamp'],
      'Webhook-Signature': h['webhook-signature'],
    };
    expect(verifyPayload({ body, headers, secrets: [SECRET_A], now: NOW }).id).toBe(ID);
  });

  it('accepts array header values and joins several signature values', () => {
    const h = signed();
    const headers = {
      'webhook-id': [ID],
      'webhook-timestamp': [String(NOW_S)],
      'webhook-signature': ['v1,AAAA', h['webhook-signature'] ?? ''],
    };
    expect(verifyPayload({ body, headers, secrets: [SECRET_A], now: NOW }).id).toBe(ID);
  });

  it.each(Object.values(WEBHOOK_HEADERS))('rejects a message without %s', (name) => {
    const headers: Record<string, string | undefined> = signed();
    delete headers[name];
    expect(
      verificationCode(() => verifyPayload({ body, headers, secrets: [SECRET_A], now: NOW })),
    ).toBe('MISSING_HEADER');
    const emptied = { ...signed(), [name]: '' };
    expect(
      verificationCode(() =>
        verifyPayload({ body, headers: emptied, secrets: [SECRET_A], now: NOW }),
      ),
    ).toBe('MISSING_HEADER');
    const undef = { ...signed(), [name]: undefined };
    expect(
      verificationCode(() =>
        verifyPayload({ body, headers: undef, secrets: [SECRET_A], now: NOW }),
      ),
    ).toBe('MISSING_HEADER');
  });

  it('treats an id given twice with different values as missing', () => {
    const headers = { ...signed(), 'webhook-id': [ID, 'other'] };
    expect(
      verificationCode(() => verifyPayload({ body, headers, secrets: [SECRET_A], now: NOW })),
    ).toBe('MISSING_HEADER');
  });

  it.each([
    'abc',
    '1714564800.5',
    '-1714564800',
    '1e9',
    ' 1714564800',
    '0x6632',
    '01714564800',
    ''.padEnd(20, '9'),
  ])('rejects the timestamp %p as INVALID_TIMESTAMP', (timestamp) => {
    const headers = { ...signed(), 'webhook-timestamp': timestamp };
    expect(
      verificationCode(() => verifyPayload({ body, headers, secrets: [SECRET_A], now: NOW })),
    ).toBe('INVALID_TIMESTAMP');
  });

  it('rejects a message signed 10 minutes ago as TIMESTAMP_TOO_OLD', () => {
    const headers = signPayload({ id: ID, timestamp: NOW_S - 600, body, secrets: [SECRET_A] });
    expect(
      verificationCode(() => verifyPayload({ body, headers, secrets: [SECRET_A], now: NOW })),
    ).toBe('TIMESTAMP_TOO_OLD');
  });

  it('rejects a message signed 10 minutes ahead as TIMESTAMP_TOO_NEW', () => {
    const headers = signPayload({ id: ID, timestamp: NOW_S + 600, body, secrets: [SECRET_A] });
    expect(
      verificationCode(() => verifyPayload({ body, headers, secrets: [SECRET_A], now: NOW })),
    ).toBe('TIMESTAMP_TOO_NEW');
  });

  it('rejects a millisecond timestamp as TIMESTAMP_TOO_NEW', () => {
    const headers = signPayload({ id: ID, timestamp: NOW.getTime(), body, secrets: [SECRET_A] });
    expect(
      verificationCode(() => verifyPayload({ body, headers, secrets: [SECRET_A], now: NOW })),
    ).toBe('TIMESTAMP_TOO_NEW');
  });

  it('accepts timestamps exactly at the tolerance edges and rejects one second beyond', () => {
    const at = (ts: number, tol?: number) =>
      verificationCode(() =>
        verifyPayload({
          body,
          headers: signPayload({ id: ID, timestamp: ts, body, secrets: [SECRET_A] }),
          secrets: [SECRET_A],
          now: NOW,
          toleranceSeconds: tol,
        }),
      );
    expect(at(NOW_S - 300)).toBe('NO_ERROR');
    expect(at(NOW_S + 300)).toBe('NO_ERROR');
    expect(at(NOW_S - 301)).toBe('TIMESTAMP_TOO_OLD');
    expect(at(NOW_S + 301)).toBe('TIMESTAMP_TOO_NEW');
    expect(at(NOW_S - 30, 10)).toBe('TIMESTAMP_TOO_OLD');
    expect(at(NOW_S - 3000, 3600)).toBe('NO_ERROR');
  });

  it('throws RangeError for a negative or fractional tolerance', () => {
    expect(() =>
      verifyPayload({
        body,
        headers: signed(),
        secrets: [SECRET_A],
        now: NOW,
        toleranceSeconds: -1,
      }),
    ).toThrow(RangeError);
    expect(() =>
      verifyPayload({
        body,
        headers: signed(),
        secrets: [SECRET_A],
        now: NOW,
        toleranceSeconds: 0.5,
      }),
    ).toThrow(RangeError);
  });

  it.each(['garbage', 'v1', ',abc', 'v1,', '   ', 'v1:abc'])(
    'rejects the signature header %p as MALFORMED_SIGNATURE',
    (signature) => {
      const headers = { ...signed(), 'webhook-signature': signature };
      expect(
        verificationCode(() => verifyPayload({ body, headers, secrets: [SECRET_A], now: NOW })),
      ).toBe('MALFORMED_SIGNATURE');
    },
  );

  it('rejects a v1 signature of the wrong length as NO_MATCHING_SIGNATURE', () => {
    const good = signed()['webhook-signature'] ?? '';
    for (const signature of [good.slice(0, -2), `${good}AA`, 'v1,AAAA']) {
      const headers = { ...signed(), 'webhook-signature': signature };
      expect(
        verificationCode(() => verifyPayload({ body, headers, secrets: [SECRET_A], now: NOW })),
      ).toBe('NO_MATCHING_SIGNATURE');
    }
  });

  it('rejects a tampered body', () => {
    expect(
      verificationCode(() =>
        verifyPayload({
          body: body.replace('1', '2'),
          headers: signed(),
          secrets: [SECRET_A],
          now: NOW,
        }),
      ),
    ).toBe('NO_MATCHING_SIGNATURE');
  });

  it('rejects a tampered id or timestamp', () => {
    const otherId = { ...signed(), 'webhook-id': `${ID}x` };
    const otherTs = { ...signed(), 'webhook-timestamp': String(NOW_S + 1) };
    for (const headers of [otherId, otherTs]) {
      expect(
        verificationCode(() => verifyPayload({ body, headers, secrets: [SECRET_A], now: NOW })),
      ).toBe('NO_MATCHING_SIGNATURE');
    }
  });

  it('rejects a message signed with another secret', () => {
    expect(
      verificationCode(() =>
        verifyPayload({ body, headers: signed(), secrets: [SECRET_B], now: NOW }),
      ),
    ).toBe('NO_MATCHING_SIGNATURE');
  });

  it('ignores entries of other versions and still matches a v1 entry', () => {
    const good = signed()['webhook-signature'] ?? '';
    const v1a = good.replace(/^v1,/, 'v1a,');
    const mixed = { ...signed(), 'webhook-signature': `${v1a} v2,xyz ${good}` };
    expect(
      verificationCode(() =>
        verifyPayload({ body, headers: mixed, secrets: [SECRET_A], now: NOW }),
      ),
    ).toBe('NO_ERROR');
    const onlyOther = { ...signed(), 'webhook-signature': `${v1a} v2,xyz` };
    expect(
      verificationCode(() =>
        verifyPayload({ body, headers: onlyOther, secrets: [SECRET_A], now: NOW }),
      ),
    ).toBe('NO_MATCHING_SIGNATURE');
  });

  it('passes with two signatures when the verifier holds either secret', () => {
    const headers = signPayload({ id: ID, timestamp: NOW_S, body, secrets: [SECRET_A, SECRET_B] });
    for (const secrets of [[SECRET_A], [SECRET_B], [SECRET_B, SECRET_A]]) {
      expect(verifyPayload({ body, headers, secrets, now: NOW }).id).toBe(ID);
    }
  });

  it('passes with one signature when the verifier holds several secrets', () => {
    const headers = signPayload({ id: ID, timestamp: NOW_S, body, secrets: [SECRET_B] });
    expect(verifyPayload({ body, headers, secrets: [SECRET_A, SECRET_B], now: NOW }).id).toBe(ID);
  });

  it('verifies exact bytes: unicode, whitespace and key order are not normalised', () => {
    const original = '{"b": "Zoë 🚀",\n  "a": 1}';
    const headers = signPayload({ id: ID, timestamp: NOW_S, body: original, secrets: [SECRET_A] });
    expect(verifyPayload({ body: original, headers, secrets: [SECRET_A], now: NOW }).id).toBe(ID);
    expect(
      verifyPayload({ body: Buffer.from(original, 'utf8'), headers, secrets: [SECRET_A], now: NOW })
        .id,
    ).toBe(ID);
    for (const altered of [
      JSON.stringify(JSON.parse(original)),
      '{"a": 1,\n  "b": "Zoë 🚀"}',
      '{"b": "Zoe\u0308 🚀",\n  "a": 1}',
      `${original} `,
    ]) {
      expect(
        verificationCode(() =>
          verifyPayload({ body: altered, headers, secrets: [SECRET_A], now: NOW }),
        ),
      ).toBe('NO_MATCHING_SIGNATURE');
    }
  });

  it('throws for an invalid secret or no secrets rather than reporting a mismatch', () => {
    expect(() => verifyPayload({ body, headers: signed(), secrets: ['bad'], now: NOW })).toThrow(
      WebhookSecretError,
    );
    expect(() => verifyPayload({ body, headers: signed(), secrets: [], now: NOW })).toThrow(
      RangeError,
    );
  });

  it('raises errors that are Errors with a name and a code', () => {
    let caught: unknown;
    try {
      verifyPayload({ body: 'tampered', headers: signed(), secrets: [SECRET_A], now: NOW });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toBeInstanceOf(WebhookVerificationError);
    expect((caught as WebhookVerificationError).name).toBe('WebhookVerificationError');
    expect((caught as WebhookVerificationError).code).toBe(
      VerificationErrorCode.NO_MATCHING_SIGNATURE,
    );
  });

  it('exports every code in VerificationErrorCode', () => {
    expect(Object.values(VerificationErrorCode).sort()).toEqual([
      'INVALID_TIMESTAMP',
      'MALFORMED_SIGNATURE',
      'MISSING_HEADER',
      'NO_MATCHING_SIGNATURE',
      'TIMESTAMP_TOO_NEW',
      'TIMESTAMP_TOO_OLD',
    ]);
  });
});

describe('signing properties', () => {
  const idArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
  const secretArb = fc.uint8Array({ minLength: 24, maxLength: 64 }).map(secretOf);
  const timestampArb = fc.integer({ min: 0, max: 4_000_000_000 });
  const bodyArb = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  );

  it('sign then verify round-trips for any body, id, timestamp and secret', () => {
    fc.assert(
      fc.property(bodyArb, idArb, timestampArb, secretArb, (body, id, timestamp, secret) => {
        const headers = signPayload({ id, timestamp, body, secrets: [secret] });
        const result = verifyPayload({
          body,
          headers: { ...headers },
          secrets: [secret],
          now: new Date(timestamp * 1000),
        });
        expect(result).toEqual({ id, timestamp });
      }),
    );
  });

  it('verifies with either of two secrets when both signed', () => {
    fc.assert(
      fc.property(bodyArb, idArb, secretArb, secretArb, (body, id, first, second) => {
        const headers = signPayload({ id, timestamp: NOW_S, body, secrets: [first, second] });
        for (const secret of [first, second]) {
          expect(
            verifyPayload({ body, headers: { ...headers }, secrets: [secret], now: NOW }).id,
          ).toBe(id);
        }
      }),
    );
  });

  it('fails verification when any single byte of the body is changed', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        secretArb,
        (bytes, position, delta, secret) => {
          const body = Buffer.from(bytes);
          const headers = signPayload({ id: ID, timestamp: NOW_S, body, secrets: [secret] });
          const tampered = Buffer.from(body);
          const index = position % tampered.length;
          tampered[index] = ((tampered[index] ?? 0) + delta) % 256;
          expect(
            verificationCode(() =>
              verifyPayload({
                body: tampered,
                headers: { ...headers },
                secrets: [secret],
                now: NOW,
              }),
            ),
          ).toBe('NO_MATCHING_SIGNATURE');
        },
      ),
    );
  });

  it('fails verification under a different secret', () => {
    fc.assert(
      fc.property(bodyArb, secretArb, secretArb, (body, signer, verifier) => {
        fc.pre(!decodeSecret(signer).equals(decodeSecret(verifier)));
        const headers = signPayload({ id: ID, timestamp: NOW_S, body, secrets: [signer] });
        expect(
          verificationCode(() =>
            verifyPayload({ body, headers: { ...headers }, secrets: [verifier], now: NOW }),
          ),
        ).toBe('NO_MATCHING_SIGNATURE');
      }),
    );
  });

  it('accepts every generated secret and round-trips its bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const secret = generateSecret(() => Buffer.from(bytes));
        expect(decodeSecret(secret).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });
});

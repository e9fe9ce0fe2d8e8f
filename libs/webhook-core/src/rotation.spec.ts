import fc from 'fast-check';
import {
  DEFAULT_GRACE_SECONDS,
  MAX_GRACE_SECONDS,
  MAX_VALID_SECRETS,
  RotationError,
  RotationErrorCode,
  RotationLimitError,
  activeSecrets,
  previousProtocolOf,
  rotateSecrets,
  type EndpointSecret,
} from './rotation';
import { generateSigningKey, publicKeyOf } from './ed25519';
import { SECRET_PREFIX, WebhookSecretError, signPayload, verifyPayload } from './signing';

const T0 = new Date('2024-05-01T12:00:00.000Z');

function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

/** A distinct valid secret per index. */
function secret(index: number): string {
  const bytes = Buffer.alloc(32, 0);
  bytes.writeUInt32BE(index + 1, 0);
  return SECRET_PREFIX + bytes.toString('base64');
}

function current(index: number, createdAt: Date): EndpointSecret {
  return { secret: secret(index), createdAt, expiresAt: null };
}

function previous(index: number, createdAt: Date, expiresAt: Date): EndpointSecret {
  return { secret: secret(index), createdAt, expiresAt };
}

function rotationCode(run: () => unknown): string {
  try {
    run();
    return 'NO_ERROR';
  } catch (error) {
    if (error instanceof RotationError) return error.code;
    throw error;
  }
}

describe('constants', () => {
  it('defaults the grace period to 24 hours and caps it at 7 days', () => {
    expect(DEFAULT_GRACE_SECONDS).toBe(24 * 60 * 60);
    expect(MAX_GRACE_SECONDS).toBe(7 * 24 * 60 * 60);
    expect(MAX_VALID_SECRETS).toBe(10);
  });
});

describe('activeSecrets', () => {
  it('returns only the current secret when there is nothing else', () => {
    expect(activeSecrets([current(0, T0)], at(10))).toEqual([secret(0)]);
  });

  it('lists the current secret first, then unexpired previous ones newest first', () => {
    const secrets = [
      previous(1, at(-300), at(600)),
      previous(3, at(-100), at(900)),
      current(9, at(-50)),
      previous(2, at(-200), at(700)),
    ];
    expect(activeSecrets(secrets, T0)).toEqual([secret(9), secret(3), secret(2), secret(1)]);
  });

  it('orders by creation, not by expiry', () => {
    const secrets = [
      current(0, T0),
      previous(1, at(-200), at(5000)),
      previous(2, at(-100), at(60)),
    ];
    expect(activeSecrets(secrets, T0)).toEqual([secret(0), secret(2), secret(1)]);
  });

  it('keeps a previous secret until its expiry and drops it at and after that instant', () => {
    const secrets = [current(0, T0), previous(1, at(-100), at(60))];
    expect(activeSecrets(secrets, at(59))).toEqual([secret(0), secret(1)]);
    expect(activeSecrets(secrets, at(60))).toEqual([secret(0)]);
    expect(activeSecrets(secrets, at(61))).toEqual([secret(0)]);
  });

  it('returns the valid previous secrets when no current secret is recorded', () => {
    expect(activeSecrets([previous(1, at(-10), at(10))], T0)).toEqual([secret(1)]);
    expect(activeSecrets([], T0)).toEqual([]);
  });

  it('lists a secret stored twice only once', () => {
    const secrets = [current(0, T0), previous(0, at(-10), at(100))];
    expect(activeSecrets(secrets, T0)).toEqual([secret(0)]);
  });
});

describe('rotateSecrets', () => {
  it('makes the new secret current and keeps the old one valid for the grace window', () => {
    const rotated = rotateSecrets([current(0, at(-1000))], secret(1), T0, DEFAULT_GRACE_SECONDS);
    expect(rotated).toEqual([
      { secret: secret(1), createdAt: T0, expiresAt: null },
      { secret: secret(0), createdAt: at(-1000), expiresAt: at(DEFAULT_GRACE_SECONDS) },
    ]);
    expect(activeSecrets(rotated, at(DEFAULT_GRACE_SECONDS - 1))).toEqual([secret(1), secret(0)]);
    expect(activeSecrets(rotated, at(DEFAULT_GRACE_SECONDS))).toEqual([secret(1)]);
  });

  it('drops the old secret at once with a grace of 0', () => {
    const rotated = rotateSecrets([current(0, at(-1000))], secret(1), T0, 0);
    expect(rotated).toEqual([{ secret: secret(1), createdAt: T0, expiresAt: null }]);
    expect(activeSecrets(rotated, T0)).toEqual([secret(1)]);
  });

  it('keeps still-valid previous secrets with their own expiry, even with a grace of 0', () => {
    const secrets = [current(1, at(-100)), previous(0, at(-1000), at(500))];
    const rotated = rotateSecrets(secrets, secret(2), T0, 0);
    expect(rotated).toEqual([
      { secret: secret(2), createdAt: T0, expiresAt: null },
      { secret: secret(0), createdAt: at(-1000), expiresAt: at(500) },
    ]);
  });

  it('prunes expired entries', () => {
    const secrets = [
      current(2, at(-100)),
      previous(1, at(-500), at(-1)),
      previous(0, at(-1000), T0),
      previous(3, at(-200), at(30)),
    ];
    const rotated = rotateSecrets(secrets, secret(4), T0, 60);
    expect(rotated.map((s) => s.secret)).toEqual([secret(4), secret(2), secret(3)]);
    expect(rotated[1]?.expiresAt).toEqual(at(60));
    expect(rotated[2]?.expiresAt).toEqual(at(30));
  });

  it('works for an endpoint without a secret yet', () => {
    expect(rotateSecrets([], secret(0), T0, 60)).toEqual([
      { secret: secret(0), createdAt: T0, expiresAt: null },
    ]);
  });

  it('orders the result current first, then previous newest first', () => {
    let secrets: EndpointSecret[] = [current(0, T0)];
    for (let i = 1; i <= 4; i += 1) {
      secrets = rotateSecrets(secrets, secret(i), at(i * 10), 3600);
    }
    expect(secrets.map((s) => s.secret)).toEqual([4, 3, 2, 1, 0].map(secret));
    expect(activeSecrets(secrets, at(50))).toEqual([4, 3, 2, 1, 0].map(secret));
  });

  it('does not mutate its input', () => {
    const secrets = [current(0, at(-10)), previous(1, at(-20), at(-5))];
    const snapshot = structuredClone(secrets);
    rotateSecrets(secrets, secret(2), T0, 60);
    expect(secrets).toEqual(snapshot);
  });

  it(`allows ${MAX_VALID_SECRETS} valid previous secrets and refuses the rotation that would add one more`, () => {
    let secrets: EndpointSecret[] = [current(0, T0)];
    for (let i = 1; i <= MAX_VALID_SECRETS; i += 1) {
      secrets = rotateSecrets(secrets, secret(i), at(i), 3600);
    }
    expect(secrets).toHaveLength(MAX_VALID_SECRETS + 1);
    const rotate = () => rotateSecrets(secrets, secret(99), at(20), 3600);
    expect(rotate).toThrow(RotationLimitError);
    expect(rotationCode(rotate)).toBe(RotationErrorCode.ROTATION_LIMIT_REACHED);
  });

  it('allows the rotation at the limit with a grace of 0 or once old secrets expire', () => {
    let secrets: EndpointSecret[] = [current(0, T0)];
    for (let i = 1; i <= MAX_VALID_SECRETS; i += 1) {
      secrets = rotateSecrets(secrets, secret(i), at(i), 3600);
    }
    expect(rotateSecrets(secrets, secret(99), at(20), 0)).toHaveLength(MAX_VALID_SECRETS + 1);
    // The first retired secret expires at 1 + 3600 seconds.
    expect(rotateSecrets(secrets, secret(99), at(3601), 3600)).toHaveLength(MAX_VALID_SECRETS + 1);
  });

  it.each([-1, 0.5, MAX_GRACE_SECONDS + 1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses the grace period %p',
    (grace) => {
      const rotate = () => rotateSecrets([current(0, T0)], secret(1), T0, grace);
      expect(rotate).toThrow(RotationError);
      expect(rotationCode(rotate)).toBe(RotationErrorCode.GRACE_PERIOD_INVALID);
    },
  );

  it('accepts the maximum grace period', () => {
    const rotated = rotateSecrets([current(0, T0)], secret(1), T0, MAX_GRACE_SECONDS);
    expect(rotated[1]?.expiresAt).toEqual(at(MAX_GRACE_SECONDS));
  });

  it('refuses an invalid new secret', () => {
    expect(() => rotateSecrets([current(0, T0)], 'whsec_short', T0, 60)).toThrow(
      WebhookSecretError,
    );
  });

  it('refuses a new secret that is still valid', () => {
    const secrets = [current(1, T0), previous(0, at(-10), at(100))];
    expect(rotationCode(() => rotateSecrets(secrets, secret(1), T0, 60))).toBe(
      RotationErrorCode.SECRET_REUSED,
    );
    expect(rotationCode(() => rotateSecrets(secrets, secret(0), T0, 60))).toBe(
      RotationErrorCode.SECRET_REUSED,
    );
  });

  it('raises errors that are Errors with a name and a code', () => {
    let caught: unknown;
    try {
      rotateSecrets([current(0, T0)], secret(1), T0, -1);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as RotationError).name).toBe('RotationError');
    const limit = new RotationLimitError('full');
    expect(limit).toBeInstanceOf(RotationError);
    expect(limit.name).toBe('RotationLimitError');
    expect(limit.code).toBe('ROTATION_LIMIT_REACHED');
  });

  it('always keeps the new secret first and never more than the limit of previous secrets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ grace: fc.integer({ min: 0, max: 7200 }), step: fc.nat(4000) }), {
          maxLength: 30,
        }),
        (steps) => {
          let secrets: EndpointSecret[] = [current(0, T0)];
          let now = T0;
          steps.forEach(({ grace, step }, i) => {
            now = new Date(now.getTime() + step * 1000);
            try {
              secrets = rotateSecrets(secrets, secret(i + 1), now, grace);
            } catch (error) {
              // Refused only when a grace window would keep more secrets valid than allowed.
              expect(error).toBeInstanceOf(RotationLimitError);
              expect(grace).toBeGreaterThan(0);
              expect(activeSecrets(secrets, now).length).toBeGreaterThan(MAX_VALID_SECRETS);
              return;
            }
            const active = activeSecrets(secrets, now);
            expect(active[0]).toBe(secret(i + 1));
            expect(active.length - 1).toBeLessThanOrEqual(MAX_VALID_SECRETS);
            expect(secrets.filter((s) => s.expiresAt === null)).toHaveLength(1);
            expect(active).toEqual(secrets.map((s) => s.secret));
          });
        },
      ),
    );
  });
});

describe('rotating across signing protocols', () => {
  /** A distinct valid whsk_ signing key per index. */
  function signingKey(index: number): string {
    return generateSigningKey(() => Buffer.alloc(32, index + 1));
  }

  it('accepts a whsk_ key as the new secret; the old whsec_ secret signs until its window ends', () => {
    const rotated = rotateSecrets([current(0, at(-1000))], signingKey(0), T0, 3600);
    expect(rotated).toEqual([
      { secret: signingKey(0), createdAt: T0, expiresAt: null },
      { secret: secret(0), createdAt: at(-1000), expiresAt: at(3600) },
    ]);
    const during = activeSecrets(rotated, at(3599));
    expect(during).toEqual([signingKey(0), secret(0)]);
    const headers = signPayload({ id: 'msg_1', timestamp: 1, body: '{}', secrets: during });
    expect(headers['webhook-signature']).toMatch(/^v1a,\S+ v1,\S+$/);
    // A receiver that still holds only the old whsec_ secret keeps verifying, so does the new key's.
    for (const held of [secret(0), publicKeyOf(signingKey(0))]) {
      const now = new Date(1000);
      expect(verifyPayload({ body: '{}', headers: { ...headers }, secrets: [held], now }).id).toBe(
        'msg_1',
      );
    }
    expect(activeSecrets(rotated, at(3600))).toEqual([signingKey(0)]);
  });

  it('rolls back from a whsk_ key to a whsec_ secret the same way', () => {
    const toKey = rotateSecrets([current(0, at(-1000))], signingKey(0), at(-10), 0);
    const back = rotateSecrets(toKey, secret(1), T0, 60);
    expect(activeSecrets(back, T0)).toEqual([secret(1), signingKey(0)]);
  });

  it('refuses a whpk_ public key or an invalid whsk_ key as the new secret', () => {
    for (const newSecret of [publicKeyOf(signingKey(0)), 'whsk_c2hvcnQ=']) {
      expect(() => rotateSecrets([current(0, T0)], newSecret, T0, 60)).toThrow(WebhookSecretError);
    }
  });

  it('refuses a whsk_ key that is still valid', () => {
    const rotated = rotateSecrets([current(0, at(-100))], signingKey(0), at(-10), 3600);
    expect(rotationCode(() => rotateSecrets(rotated, signingKey(0), T0, 60))).toBe(
      RotationErrorCode.SECRET_REUSED,
    );
  });

  describe('previousProtocolOf', () => {
    it('is null when there is no previous secret', () => {
      expect(previousProtocolOf([], T0)).toBeNull();
      expect(previousProtocolOf([current(0, T0)], T0)).toBeNull();
    });

    it('names the protocol of the secret a roll retired, until its window ends', () => {
      const toKey = rotateSecrets([current(0, at(-1000))], signingKey(0), T0, 60);
      expect(previousProtocolOf(toKey, at(59))).toBe('HmacSHA256');
      expect(previousProtocolOf(toKey, at(60))).toBeNull();
      const back = rotateSecrets(toKey, secret(1), at(10), 60);
      expect(previousProtocolOf(back, at(11))).toBe('Ed25519');
    });

    it('is null after a roll with a grace of 0', () => {
      const rotated = rotateSecrets([current(0, at(-1000))], signingKey(0), T0, 0);
      expect(previousProtocolOf(rotated, T0)).toBeNull();
    });

    it('reads the newest still-valid previous secret, whatever the order stored', () => {
      const secrets = [
        current(9, at(-10)),
        previous(1, at(-300), at(600)),
        { secret: signingKey(2), createdAt: at(-100), expiresAt: at(30) },
      ];
      expect(previousProtocolOf(secrets, T0)).toBe('Ed25519');
      expect(previousProtocolOf(secrets, at(30))).toBe('HmacSHA256');
    });
  });
});

import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { changesBetween, type FormatEndpoint, type OutboundMessage } from './delivery-format';
import {
  actionOfTopic,
  DEFAULT_PLATFORM_ENVIRONMENT,
  deliveryFormat,
  type DeliveryDialect,
  dialectDefinition,
  FEATUREBASE_FORMAT,
  FEATUREBASE_RETRY_SCHEDULE,
  NATIVE_FORMAT,
  PLATFORM_RETRY_SCHEDULE,
  PLATFORM_TIMEOUT_MS,
  platformFormat,
  topicOfAction,
} from './dialects';
import { generateSigningKey } from './ed25519';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule } from './retry-policy';
import { WebhookSecretError } from './signing';

const message = {
  id: '0123456789abcdef01234567',
  topic: 'post.updated',
  data: { id: 'p1', title: 'New', tags: ['a', 'b'] },
  previousData: { id: 'p1', title: 'Old', tags: ['a', 'b'], pinned: true },
  createdAt: new Date('2026-01-02T03:04:05.000Z'),
};

const endpoint: FormatEndpoint = {
  id: 'fedcba9876543210fedcba98',
  organizationId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
  includePreviousData: false,
};

const envelopeFor = (dialect: DeliveryDialect) =>
  JSON.parse(deliveryFormat(dialect).body(endpoint, message).toString('utf8')) as unknown;

describe('the Featurebase delivery envelope', () => {
  it('wraps the event as a notification_event with its changes', () => {
    expect(envelopeFor('featurebase')).toEqual({
      id: 'notif_0123456789abcdef01234567',
      object: 'notification_event',
      topic: 'post.updated',
      organizationId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
      webhookId: 'fedcba9876543210fedcba98',
      createdAt: '2026-01-02T03:04:05.000Z',
      data: {
        type: 'notification_event_data',
        object: 'notification_event_data',
        item: message.data,
        changes: [
          { field: 'title', oldValue: 'Old', newValue: 'New' },
          { field: 'pinned', oldValue: true, newValue: null },
        ],
      },
    });
  });

  it('leaves the native body of other dialects as it was', () => {
    expect(envelopeFor('native')).toEqual({
      type: 'post.updated',
      timestamp: '2026-01-02T03:04:05.000Z',
      data: message.data,
    });
  });

  it.each([
    ['no previous data', null, { a: 1 }, []],
    ['previous data that is not an object', 'old', { a: 1 }, []],
    ['equal nested values', { a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } }, []],
    [
      'a changed nested value',
      { a: { b: [1] } },
      { a: { b: [2] } },
      [{ field: 'a', oldValue: { b: [1] }, newValue: { b: [2] } }],
    ],
    ['an added field', {}, { a: 0 }, [{ field: 'a', oldValue: null, newValue: 0 }]],
  ])('computes changes for %s', (_, previous, current, expected) => {
    expect(changesBetween(previous, current)).toEqual(expected);
  });
});

describe('delivery formats', () => {
  const signed = {
    body: Buffer.from('{"a":1}'),
    secrets: ['whsec_current', 'whsec_old'],
    timestamp: '1700000000',
  };

  it('adds no header beside the Standard Webhooks ones for native endpoints', () => {
    expect(NATIVE_FORMAT.extraSignatureHeaders(signed)).toEqual({});
  });

  it("signs Featurebase's X-Webhook-Signature over timestamp.body with the current secret only", () => {
    const hex = createHmac('sha256', 'whsec_current').update('1700000000.{"a":1}').digest('hex');
    expect(FEATUREBASE_FORMAT.extraSignatureHeaders(signed)).toEqual({
      'x-webhook-timestamp': '1700000000',
      'x-webhook-signature': hex,
    });
  });

  it('signs X-Webhook-Signature with the newest HMAC secret of an endpoint rolled to Ed25519, and leaves it out without one', () => {
    const ed = generateSigningKey();
    const hex = createHmac('sha256', 'whsec_old').update('1700000000.{"a":1}').digest('hex');
    expect(
      FEATUREBASE_FORMAT.extraSignatureHeaders({ ...signed, secrets: [ed, 'whsec_old'] }),
    ).toEqual({ 'x-webhook-timestamp': '1700000000', 'x-webhook-signature': hex });
    expect(FEATUREBASE_FORMAT.extraSignatureHeaders({ ...signed, secrets: [ed] })).toEqual({});
  });

  it('refuses to sign a Featurebase delivery without a secret', () => {
    expect(() => FEATUREBASE_FORMAT.extraSignatureHeaders({ ...signed, secrets: [] })).toThrow(
      RangeError,
    );
  });

  it.each([
    ['native', DEFAULT_RETRY_SCHEDULE, 5000],
    ['featurebase', FEATUREBASE_RETRY_SCHEDULE, 5000],
    ['platform', PLATFORM_RETRY_SCHEDULE, 10_000],
  ] as const)(
    'gives %s endpoints their default schedule and timeout',
    (dialect, schedule, timeout) => {
      expect(dialectDefinition(dialect)).toMatchObject({
        name: dialect,
        defaultRetrySchedule: schedule,
        defaultTimeoutMs: timeout,
      });
    },
  );
});

describe('the platform delivery envelope', () => {
  const withPrevious: FormatEndpoint = { ...endpoint, includePreviousData: true };
  const bodyOf = (
    format = deliveryFormat('platform'),
    to = endpoint,
    what: OutboundMessage = message,
  ) => format.body(to, what).toString('utf8');

  it('is {created_at, type, environment, data} in that order, with the action in upper case', () => {
    const body = bodyOf();
    expect(body).toBe(
      '{"created_at":"2026-01-02T03:04:05.000Z","type":"POST.UPDATED","environment":"LIVE",' +
        '"data":{"id":"p1","title":"New","tags":["a","b"]}}',
    );
  });

  it('adds previous_data last when the endpoint includes previous data and the event has some', () => {
    const parsed = JSON.parse(bodyOf(deliveryFormat('platform'), withPrevious)) as object;
    expect(Object.keys(parsed)).toEqual([
      'created_at',
      'type',
      'environment',
      'data',
      'previous_data',
    ]);
    expect(parsed).toMatchObject({ previous_data: message.previousData });
  });

  it.each([
    ['the endpoint does not include previous data', endpoint, message.previousData],
    ['the event has no previous data', withPrevious, null],
    ['the previous data is undefined', withPrevious, undefined],
  ])('leaves previous_data out when %s', (_, to, previousData) => {
    const parsed = JSON.parse(bodyOf(deliveryFormat('platform'), to, { ...message, previousData }));
    expect(Object.keys(parsed as object)).toEqual(['created_at', 'type', 'environment', 'data']);
  });

  it('carries the configured environment, LIVE by default', () => {
    expect(DEFAULT_PLATFORM_ENVIRONMENT).toBe('LIVE');
    const sandbox = deliveryFormat('platform', { environment: 'SANDBOX' });
    expect(JSON.parse(bodyOf(sandbox))).toMatchObject({ environment: 'SANDBOX' });
    expect(JSON.parse(bodyOf(deliveryFormat('platform', {})))).toMatchObject({
      environment: 'LIVE',
    });
    expect(JSON.parse(bodyOf(platformFormat()))).toMatchObject({ environment: 'LIVE' });
  });

  it('refuses a blank environment', () => {
    expect(() => platformFormat(' ')).toThrow(RangeError);
  });

  it('names a multi-level topic by its upper-case action', () => {
    const body = bodyOf(deliveryFormat('platform'), endpoint, {
      ...message,
      topic: 'conversation.admin.replied',
    });
    expect(JSON.parse(body)).toMatchObject({ type: 'CONVERSATION.ADMIN.REPLIED' });
  });

  it('leaves the native and Featurebase formats as they were, whatever the settings', () => {
    const settings = { environment: 'SANDBOX' };
    expect(deliveryFormat('native', settings)).toBe(NATIVE_FORMAT);
    expect(deliveryFormat('featurebase', settings)).toBe(FEATUREBASE_FORMAT);
  });
});

describe('actions and topics', () => {
  it.each([
    ['post.created', 'POST.CREATED'],
    ['conversation.admin.replied', 'CONVERSATION.ADMIN.REPLIED'],
    ['webhook.test', 'WEBHOOK.TEST'],
  ])('maps %s to %s and back', (topic, action) => {
    expect(actionOfTopic(topic)).toBe(action);
    expect(topicOfAction(action)).toBe(topic);
  });
});

describe('the platform signature headers', () => {
  const hmacKey = Buffer.alloc(32, 0x5c);
  const whsec = `whsec_${hmacKey.toString('base64')}`;
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
  const whsk = `whsk_${seed.toString('base64')}`;
  const body = Buffer.from('{"created_at":"2026-01-02T03:04:05.000Z","type":"POST.CREATED"}');
  const timestamp = '1767323045'; // 2026-01-02T03:04:05Z
  const iso = '2026-01-02T03:04:05.000Z';
  const signedBytes = Buffer.concat([Buffer.from(`${iso}.`), body]);
  const format = deliveryFormat('platform');

  it('sends the signing instant as ISO-8601 and one entry per secret in order', () => {
    const headers = format.extraSignatureHeaders({ body, secrets: [whsec, whsk], timestamp });
    const hmacHex = createHmac('sha256', hmacKey).update(signedBytes).digest('hex');
    const ed25519Hex = sign(null, signedBytes, privateKey).toString('hex');
    expect(headers).toEqual({
      'x-payload-signature-timestamp': iso,
      'x-payload-signature': `v1=${hmacHex} v1a=${ed25519Hex}`,
    });
    expect(hmacHex).toHaveLength(64);
    expect(ed25519Hex).toHaveLength(128);
  });

  it('keys the HMAC with the decoded secret bytes, not with the text of the secret', () => {
    const headers = format.extraSignatureHeaders({ body, secrets: [whsec], timestamp });
    const textKeyed = createHmac('sha256', whsec).update(signedBytes).digest('hex');
    expect(headers['x-payload-signature']).not.toBe(`v1=${textKeyed}`);
  });

  it('follows the order of the secrets, current first', () => {
    const headers = format.extraSignatureHeaders({ body, secrets: [whsk, whsec], timestamp });
    expect(headers['x-payload-signature']?.split(' ').map((entry) => entry.split('=')[0])).toEqual([
      'v1a',
      'v1',
    ]);
  });

  it('signs the ISO timestamp and the exact body: another body gives another signature', () => {
    const first = format.extraSignatureHeaders({ body, secrets: [whsec], timestamp });
    const other = format.extraSignatureHeaders({
      body: Buffer.concat([body, Buffer.from(' ')]),
      secrets: [whsec],
      timestamp,
    });
    const later = format.extraSignatureHeaders({ body, secrets: [whsec], timestamp: '1767323046' });
    expect(other['x-payload-signature']).not.toBe(first['x-payload-signature']);
    expect(later['x-payload-signature']).not.toBe(first['x-payload-signature']);
    expect(later['x-payload-signature-timestamp']).toBe('2026-01-02T03:04:06.000Z');
  });

  it('refuses no secrets, an invalid secret and a timestamp that is not unix seconds', () => {
    expect(() => format.extraSignatureHeaders({ body, secrets: [], timestamp })).toThrow(
      RangeError,
    );
    expect(() =>
      format.extraSignatureHeaders({ body, secrets: ['whsk_c2hvcnQ='], timestamp }),
    ).toThrow(WebhookSecretError);
    for (const bad of ['', '1.5', '-1', '2026-01-02T03:04:05Z']) {
      expect(() =>
        format.extraSignatureHeaders({ body, secrets: [whsec], timestamp: bad }),
      ).toThrow(RangeError);
    }
  });
});

describe('the platform retry schedule', () => {
  const WEEK_MS = 7 * 24 * 3_600_000;

  it('doubles from 2 minutes to 8 hours, then repeats 8 hours while the total stays within 7 days', () => {
    expect(PLATFORM_RETRY_SCHEDULE).toBe(
      '2m,4m,8m,16m,32m,1h,2h,4h,8h,' + Array<string>(18).fill('8h').join(','),
    );
    const delays = parseRetrySchedule(PLATFORM_RETRY_SCHEDULE);
    const total = delays.reduce((sum, delay) => sum + delay, 0);
    expect(delays).toHaveLength(27);
    expect(total).toBe((160 * 60 + 2) * 60_000); // 6 days 16 h 2 min
    expect(total).toBeLessThanOrEqual(WEEK_MS);
    expect(total + 8 * 3_600_000).toBeGreaterThan(WEEK_MS);
  });

  it('is the default of platform endpoints, with a 10 s timeout', () => {
    expect(PLATFORM_TIMEOUT_MS).toBe(10_000);
    expect(dialectDefinition('platform')).toMatchObject({
      defaultRetrySchedule: PLATFORM_RETRY_SCHEDULE,
      defaultTimeoutMs: 10_000,
    });
  });
});

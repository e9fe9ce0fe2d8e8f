import { createHmac } from 'node:crypto';
import {
  changesBetween,
  deliveryFormat,
  type DeliveryDialect,
  FEATUREBASE_FORMAT,
  FEATUREBASE_RETRY_SCHEDULE,
  type FormatEndpoint,
  NATIVE_FORMAT,
} from './delivery-format';
import { DEFAULT_RETRY_SCHEDULE } from './retry-policy';

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

  it('refuses to sign a Featurebase delivery without a secret', () => {
    expect(() => FEATUREBASE_FORMAT.extraSignatureHeaders({ ...signed, secrets: [] })).toThrow(
      RangeError,
    );
  });

  it.each([
    ['native', DEFAULT_RETRY_SCHEDULE, 5000],
    ['featurebase', FEATUREBASE_RETRY_SCHEDULE, 5000],
    ['platform', DEFAULT_RETRY_SCHEDULE, 5000],
  ] as const)(
    'gives %s endpoints their default schedule and timeout',
    (dialect, schedule, timeout) => {
      expect(deliveryFormat(dialect)).toMatchObject({
        dialect,
        defaultRetrySchedule: schedule,
        defaultTimeoutMs: timeout,
      });
    },
  );
});

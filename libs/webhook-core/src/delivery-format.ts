import { createHmac } from 'node:crypto';
import { DEFAULT_RETRY_SCHEDULE } from './retry-policy';
import { DEFAULT_TIMEOUT_MS } from './validation';

/** The dialect an endpoint was made through; it fixes the format of what the endpoint receives. */
export type DeliveryDialect = 'native' | 'featurebase' | 'platform';

/** What is being delivered, whatever the dialect: an event, or a synthetic test message. */
export interface OutboundMessage {
  /** The `webhook-id`: the event id, the same on every retry. */
  readonly id: string;
  readonly topic: string;
  readonly data: unknown;
  readonly previousData: unknown;
  readonly createdAt: Date;
}

/** The endpoint facts a format reads. */
export interface FormatEndpoint {
  readonly id: string;
  readonly organizationId: string;
  readonly includePreviousData: boolean;
}

/** The exact bytes being sent, the secrets that sign them (current first) and the signing time. */
export interface SignatureInput {
  readonly body: Buffer;
  readonly secrets: readonly string[];
  /** The `webhook-timestamp` value: Unix seconds. */
  readonly timestamp: string;
}

/**
 * How one dialect's endpoints receive a message: the body, the headers it signs beside the Standard
 * Webhooks ones, and its defaults. The worker picks the format by the endpoint's dialect, so it never
 * needs the dialect's adapter.
 */
export interface DeliveryFormat {
  readonly dialect: DeliveryDialect;
  /** The body, serialised once: these exact bytes are signed and sent. */
  body(endpoint: FormatEndpoint, message: OutboundMessage): Buffer;
  /** Headers added beside `webhook-id`, `webhook-timestamp` and `webhook-signature`. */
  extraSignatureHeaders(input: SignatureInput): Record<string, string>;
  /** The retry schedule when the configuration names none for the dialect. */
  readonly defaultRetrySchedule: string;
  /** The request timeout of a new endpoint that names none. */
  readonly defaultTimeoutMs: number;
}

/** The native body: `{type, timestamp, data, previous?}`; the Standard Webhooks headers only. */
export const NATIVE_FORMAT: DeliveryFormat = {
  dialect: 'native',
  body(endpoint, message) {
    const envelope: Record<string, unknown> = {
      type: message.topic,
      timestamp: message.createdAt.toISOString(),
      data: message.data,
    };
    if (
      endpoint.includePreviousData &&
      message.previousData !== null &&
      message.previousData !== undefined
    ) {
      envelope['previous'] = message.previousData;
    }
    return Buffer.from(JSON.stringify(envelope), 'utf8');
  },
  extraSignatureHeaders: () => ({}),
  defaultRetrySchedule: DEFAULT_RETRY_SCHEDULE,
  defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
};

/** Featurebase retries a failed delivery after 1 minute, 1 hour and 6 hours. */
export const FEATUREBASE_RETRY_SCHEDULE = '1m,1h,6h';

/**
 * Featurebase's delivery (docs.featurebase.app, guides "webhooks/delivery", "webhooks/consuming" and
 * "webhooks/security"). The body: `{id: "notif_<event id>", object: "notification_event", topic,
 * organizationId, webhookId, createdAt, data: {type & object: "notification_event_data", item,
 * changes}}`. The id is the event id, so it is the same on every retry and matches `webhook-id`;
 * `changes` compares the event's data with its previous data field by field. The signature:
 * `X-Webhook-Signature`, the hex HMAC-SHA256 of `${timestamp}.${rawBody}` keyed with the UTF-8 bytes
 * of the whole `whsec_…` secret, with the current secret only (the header holds one).
 */
export const FEATUREBASE_FORMAT: DeliveryFormat = {
  dialect: 'featurebase',
  body(endpoint, message) {
    const envelope = {
      id: `notif_${message.id}`,
      object: 'notification_event',
      topic: message.topic,
      organizationId: endpoint.organizationId,
      webhookId: endpoint.id,
      createdAt: message.createdAt.toISOString(),
      data: {
        type: 'notification_event_data',
        object: 'notification_event_data',
        item: message.data,
        changes: changesBetween(message.previousData, message.data),
      },
    };
    return Buffer.from(JSON.stringify(envelope), 'utf8');
  },
  extraSignatureHeaders({ body, secrets, timestamp }) {
    const [current] = secrets;
    if (current === undefined) throw new RangeError('At least one secret is needed to sign');
    const hex = createHmac('sha256', Buffer.from(current, 'utf8'))
      .update(`${timestamp}.`, 'utf8')
      .update(body)
      .digest('hex');
    return { 'x-webhook-timestamp': timestamp, 'x-webhook-signature': hex };
  },
  defaultRetrySchedule: FEATUREBASE_RETRY_SCHEDULE,
  defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
};

/** Until the platform dialect has its own format, its endpoints receive the native one. */
const PLATFORM_FORMAT: DeliveryFormat = { ...NATIVE_FORMAT, dialect: 'platform' };

/** The format an endpoint of `dialect` receives. */
export function deliveryFormat(dialect: DeliveryDialect): DeliveryFormat {
  switch (dialect) {
    case 'native':
      return NATIVE_FORMAT;
    case 'featurebase':
      return FEATUREBASE_FORMAT;
    case 'platform':
      return PLATFORM_FORMAT;
  }
}

/** One changed top-level field; a field present on one side only has `null` on the other. */
export interface FieldChange {
  readonly field: string;
  readonly oldValue: unknown;
  readonly newValue: unknown;
}

/** The top-level fields whose values differ (deeply), in the new object's key order, then removed ones. */
export function changesBetween(previous: unknown, current: unknown): FieldChange[] {
  if (!isPlainObject(previous) || !isPlainObject(current)) return [];
  const fields = [...new Set([...Object.keys(current), ...Object.keys(previous)])];
  return fields
    .filter((field) => !deepEqual(previous[field], current[field]))
    .map((field) => ({
      field,
      oldValue: previous[field] ?? null,
      newValue: current[field] ?? null,
    }));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual(a[key], b[key]))
    );
  }
  return false;
}

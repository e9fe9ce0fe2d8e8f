import { createHmac } from 'node:crypto';
import { signEd25519 } from './ed25519';
import { DEFAULT_RETRY_SCHEDULE, fillRetrySchedule } from './retry-policy';
import { decodeSecret, signingProtocolOf } from './signing';
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

/** Settings that shape a dialect's format, read once from the configuration. */
export interface FormatSettings {
  /** The platform envelope's `environment` (default {@link DEFAULT_PLATFORM_ENVIRONMENT}). */
  readonly platformEnvironment?: string;
}

/** Whether the body carries the previous data: the endpoint asks for it and the message has some. */
function carriesPreviousData(endpoint: FormatEndpoint, message: OutboundMessage): boolean {
  return (
    endpoint.includePreviousData &&
    message.previousData !== null &&
    message.previousData !== undefined
  );
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
    if (carriesPreviousData(endpoint, message)) {
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
  extraSignatureHeaders({ body, secrets, timestamp }): Record<string, string> {
    if (secrets.length === 0) throw new RangeError('At least one secret is needed to sign');
    // The header is an HMAC: an endpoint rolled to Ed25519 elsewhere signs it with its newest
    // `whsec_` secret while one is valid, and goes without it after.
    const current = secrets.find((secret) => signingProtocolOf(secret) === 'HmacSHA256');
    if (current === undefined) return {};
    const hex = createHmac('sha256', Buffer.from(current, 'utf8'))
      .update(`${timestamp}.`, 'utf8')
      .update(body)
      .digest('hex');
    return { 'x-webhook-timestamp': timestamp, 'x-webhook-signature': hex };
  },
  defaultRetrySchedule: FEATUREBASE_RETRY_SCHEDULE,
  defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
};

/** The platform's name of an event type: the topic in upper case (`post.created` → `POST.CREATED`). */
export function actionOfTopic(topic: string): string {
  return topic.toUpperCase();
}

/** The topic of a platform action: the action in lower case (`POST.CREATED` → `post.created`). */
export function topicOfAction(action: string): string {
  return action.toLowerCase();
}

/** The platform envelope's `environment` when the configuration names none. */
export const DEFAULT_PLATFORM_ENVIRONMENT = 'LIVE';

const WEEK_MS = 7 * 24 * 3_600_000;

/**
 * The platform's retries: doubling from 2 minutes to 8 hours, then every 8 hours for as long as the
 * delays add up to at most 7 days.
 */
export const PLATFORM_RETRY_SCHEDULE = fillRetrySchedule(
  '2m,4m,8m,16m,32m,1h,2h,4h,8h',
  '8h',
  WEEK_MS,
);

/** The request timeout of a new platform endpoint: 10 seconds. */
export const PLATFORM_TIMEOUT_MS = 10_000;

const UNIX_SECONDS = /^(0|[1-9][0-9]*)$/;

/**
 * The platform dialect's delivery, for an environment such as `LIVE` or `SANDBOX`.
 *
 * The body: `{created_at, type, environment, data, previous_data?}` in that key order. `created_at`
 * is the event's creation time (ISO-8601), `type` its action ({@link actionOfTopic}), `data` the
 * event's data, and `previous_data` appears under the same rule as the native `previous` (the
 * endpoint includes previous data and the event has some). The platform's envelope may also carry an
 * `original_request_id`; Hookyard records no request id for an event, so it is left out.
 *
 * Beside the Standard Webhooks headers: `x-payload-signature-timestamp`, the `webhook-timestamp`
 * instant as ISO-8601, and `x-payload-signature`, one space-separated entry per valid secret in the
 * given order (current first), each over the bytes `${isoTimestamp}.${body}`: `v1=<hex HMAC-SHA256>`
 * for a `whsec_` secret, keyed with its base64-decoded bytes as Standard Webhooks keys `v1` (not with
 * the text of the secret, as Featurebase does); `v1a=<hex Ed25519 signature>` for a `whsk_` key.
 */
export function platformFormat(environment: string = DEFAULT_PLATFORM_ENVIRONMENT): DeliveryFormat {
  if (environment.trim() === '') {
    throw new RangeError('The platform environment must not be blank');
  }
  return {
    dialect: 'platform',
    body(endpoint, message) {
      const envelope: Record<string, unknown> = {
        created_at: message.createdAt.toISOString(),
        type: actionOfTopic(message.topic),
        environment,
        data: message.data,
      };
      if (carriesPreviousData(endpoint, message)) {
        envelope['previous_data'] = message.previousData;
      }
      return Buffer.from(JSON.stringify(envelope), 'utf8');
    },
    extraSignatureHeaders({ body, secrets, timestamp }) {
      if (!UNIX_SECONDS.test(timestamp)) {
        throw new RangeError(`The signing timestamp must be unix seconds, got "${timestamp}"`);
      }
      if (secrets.length === 0) throw new RangeError('At least one secret is needed to sign');
      const isoTimestamp = new Date(Number(timestamp) * 1000).toISOString();
      const signed = Buffer.concat([Buffer.from(`${isoTimestamp}.`, 'utf8'), body]);
      return {
        'x-payload-signature-timestamp': isoTimestamp,
        'x-payload-signature': secrets.map((secret) => payloadSignature(secret, signed)).join(' '),
      };
    },
    defaultRetrySchedule: PLATFORM_RETRY_SCHEDULE,
    defaultTimeoutMs: PLATFORM_TIMEOUT_MS,
  };
}

/** One `x-payload-signature` entry: `v1=<hex>` (HMAC-SHA256) or `v1a=<hex>` (Ed25519). */
function payloadSignature(secret: string, signed: Buffer): string {
  switch (signingProtocolOf(secret)) {
    case 'HmacSHA256':
      return `v1=${createHmac('sha256', decodeSecret(secret)).update(signed).digest('hex')}`;
    case 'Ed25519':
      return `v1a=${Buffer.from(signEd25519(secret, signed), 'base64').toString('hex')}`;
  }
}

/**
 * The format an endpoint of `dialect` receives. `settings` shape the platform format; the native
 * and Featurebase formats take none.
 */
export function deliveryFormat(
  dialect: DeliveryDialect,
  settings: FormatSettings = {},
): DeliveryFormat {
  switch (dialect) {
    case 'native':
      return NATIVE_FORMAT;
    case 'featurebase':
      return FEATUREBASE_FORMAT;
    case 'platform':
      return platformFormat(settings.platformEnvironment ?? DEFAULT_PLATFORM_ENVIRONMENT);
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

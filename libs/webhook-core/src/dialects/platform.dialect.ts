import { createHmac } from 'node:crypto';
import { carriesPreviousData, type DeliveryFormat } from '../delivery-format';
import { signEd25519 } from '../ed25519';
import { fillRetrySchedule } from '../retry-policy';
import { DEFAULT_GRACE_SECONDS, MAX_GRACE_SECONDS } from '../rotation';
import { decodeSecret, signingProtocolOf } from '../signing';
import { defineDialect } from './dialect-definition';

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

/** The platform-style API's endpoints (`/platform/v1/webhooks`). */
export const PLATFORM_DEFINITION = defineDialect({
  name: 'platform',
  defaultRetrySchedule: PLATFORM_RETRY_SCHEDULE,
  retryScheduleDescription:
    'Retry delays for endpoints of the platform dialect (default 2m,4m,8m,16m,32m,1h,2h,4h,8h, then every 8h until 7 days have passed).',
  defaultTimeoutMs: PLATFORM_TIMEOUT_MS,
  settings: {
    environment: {
      kind: 'name',
      default: DEFAULT_PLATFORM_ENVIRONMENT,
      description: `The \`environment\` of the platform dialect's delivery envelope (default ${DEFAULT_PLATFORM_ENVIRONMENT}).`,
    },
    secretGraceSeconds: {
      kind: 'integer',
      min: 0,
      max: MAX_GRACE_SECONDS,
      default: DEFAULT_GRACE_SECONDS,
      description: `How long a rolled platform secret keeps signing (default ${DEFAULT_GRACE_SECONDS}, 24 h; at most 604800).`,
    },
  },
  permissionAliases: { 'WEBHOOK.VIEW': 'WEBHOOK.READ' },
  format: (settings) => platformFormat(settings.environment),
});

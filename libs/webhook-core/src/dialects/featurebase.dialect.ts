import { createHmac } from 'node:crypto';
import { changesBetween, type DeliveryFormat } from '../delivery-format';
import { signingProtocolOf } from '../signing';
import { DEFAULT_TIMEOUT_MS } from '../validation';
import { defineDialect } from './dialect-definition';

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
};

/** The Featurebase-compatible API's endpoints (`/featurebase/v2/webhooks`). */
export const FEATUREBASE_DEFINITION = defineDialect({
  name: 'featurebase',
  defaultRetrySchedule: FEATUREBASE_RETRY_SCHEDULE,
  retryScheduleDescription:
    'Retry delays for endpoints of the Featurebase dialect (default 1m,1h,6h, as Featurebase documents).',
  defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
  settings: {},
  permissionAliases: {},
  format: () => FEATUREBASE_FORMAT,
});

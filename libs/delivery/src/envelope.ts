import { type EndpointEntity } from '@hookyard/data-access';

/** What is being delivered, whatever the dialect: an event, or a synthetic test message. */
export interface OutboundMessage {
  /** The `webhook-id`: the event id, the same on every retry. */
  readonly id: string;
  readonly topic: string;
  readonly data: unknown;
  readonly previousData: unknown;
  readonly createdAt: Date;
}

/**
 * The delivery body for an endpoint, serialised once: these exact bytes are signed and sent. The
 * format follows the endpoint (the dialect it was made through), not the route the event came in by.
 */
export function envelopeFor(endpoint: EndpointEntity, message: OutboundMessage): Buffer {
  switch (endpoint.dialect) {
    case 'native':
    case 'platform':
      return nativeEnvelope(endpoint, message);
    case 'featurebase':
      return featurebaseEnvelope(endpoint, message);
  }
}

/** The native body: `{type, timestamp, data, previous?}`. */
function nativeEnvelope(endpoint: EndpointEntity, message: OutboundMessage): Buffer {
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
}

/**
 * Featurebase's body (docs.featurebase.app, guides "webhooks/delivery" and "webhooks/consuming"):
 * `{id: "notif_<event id>", object: "notification_event", topic, organizationId, webhookId, createdAt,
 * data: {type & object: "notification_event_data", item, changes}}`. The id is the event id, so it is
 * the same on every retry and matches `webhook-id`. `changes` compares the event's data with its
 * previous data field by field; without previous data it is empty.
 */
function featurebaseEnvelope(endpoint: EndpointEntity, message: OutboundMessage): Buffer {
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

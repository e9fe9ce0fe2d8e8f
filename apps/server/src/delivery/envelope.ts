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
    case 'featurebase':
    case 'platform':
      return nativeEnvelope(endpoint, message);
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

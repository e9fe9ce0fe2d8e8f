import { type EndpointEntity, type EventEntity } from '@hookyard/data-access';

/**
 * The native delivery body: `{type, timestamp, data, previous?}`, serialised once. These exact bytes are
 * signed and sent.
 */
export function nativeEnvelope(event: EventEntity, endpoint: EndpointEntity): Buffer {
  const envelope: Record<string, unknown> = {
    type: event.topic,
    timestamp: event.createdAt.toISOString(),
    data: event.data,
  };
  if (
    endpoint.includePreviousData &&
    event.previousData !== null &&
    event.previousData !== undefined
  ) {
    envelope['previous'] = event.previousData;
  }
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

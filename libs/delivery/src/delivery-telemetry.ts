import { type ClaimedDelivery } from '@hookyard/data-access';
import { type DeliveryOutcomeLabel, inSpan, SPAN, type SpanOutcome } from '@hookyard/observability';
import { type SendOutcome } from './delivery-sender';
import { type OutboundResult } from './outbound-client';

/** What names a delivery in the logs and traces. */
export type DeliveryIds = Pick<ClaimedDelivery, 'id' | 'organizationId' | 'endpointId' | 'eventId'>;

/** The ids every worker log line about a delivery carries, so one query finds a delivery's story. */
export function deliveryLogFields(delivery: DeliveryIds): {
  organizationId: string;
  endpointId: string;
  eventId: string;
  deliveryId: string;
} {
  return {
    organizationId: delivery.organizationId,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    deliveryId: delivery.id,
  };
}

/**
 * The `debug` line of one recorded attempt (a NestJS logger message object: `msg` plus fields):
 * the delivery's ids, the response status (null when none came), how it left the delivery, and how
 * long the request took.
 */
export function attemptLogLine(
  tried: { readonly delivery: DeliveryIds; readonly result: OutboundResult },
  outcome: DeliveryOutcomeLabel,
): Record<string, unknown> {
  const { result } = tried;
  return {
    msg: 'delivery attempt',
    ...deliveryLogFields(tried.delivery),
    statusCode: result.kind === 'response' ? result.status : null,
    outcome,
    durationMs: Math.round(result.durationMs),
    ...(result.kind === 'error' ? { errorClass: result.errorClass } : {}),
  };
}

/** What an attempt's span reads of its result: the status code, and an error when it failed. */
export function attemptSpanOutcome(result: OutboundResult): SpanOutcome {
  if (result.kind === 'error') return { error: `${result.errorClass}: ${result.message}` };
  return {
    attributes: { 'http.response.status_code': result.status },
    ...(result.status >= 300 ? { error: `HTTP ${result.status}` } : {}),
  };
}

/**
 * Runs one worker attempt in a `hookyard.attempt` span. The worker calls it only while
 * `tracingEnabled()`, so an untraced try builds neither the closure nor the attributes.
 */
export function traceAttempt(
  delivery: DeliveryIds,
  send: () => Promise<SendOutcome>,
): Promise<SendOutcome> {
  return inSpan(
    SPAN.attempt,
    {
      'hookyard.event_id': delivery.eventId,
      'hookyard.delivery_id': delivery.id,
      'hookyard.endpoint_id': delivery.endpointId,
    },
    send,
    ({ result }) => attemptSpanOutcome(result),
  );
}

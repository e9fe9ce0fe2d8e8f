import { type AttemptTrigger, type NewAttempt } from '@hookyard/data-access';
import { classifyStatus } from '@hookyard/webhook-core';
import { type OutboundResult } from './outbound-client';

/** What an attempt row belongs to and when it is recorded; the try gives the rest. */
export interface AttemptOf {
  readonly id: string;
  readonly endpointId: string;
  /** Null for a test send. */
  readonly deliveryId: string | null;
  readonly eventId: string | null;
  readonly trigger: AttemptTrigger;
  readonly createdAt: Date;
}

/**
 * The attempt log's row for one try, for the worker and for test sends alike: a response outside 2xx
 * is the error class `http_status`, a failed request keeps its own class and message, and the
 * duration is rounded to whole milliseconds. `requestHeaders` are already redacted.
 */
export function attemptRow(
  of: AttemptOf,
  result: OutboundResult,
  requestHeaders: Record<string, string>,
): NewAttempt {
  return {
    id: of.id,
    endpointId: of.endpointId,
    deliveryId: of.deliveryId,
    eventId: of.eventId,
    trigger: of.trigger,
    statusCode: result.kind === 'response' ? result.status : null,
    durationMs: Math.round(result.durationMs),
    errorClass:
      result.kind === 'error'
        ? result.errorClass
        : classifyStatus(result.status) === 'success'
          ? null
          : 'http_status',
    errorMessage: result.kind === 'error' ? result.message : null,
    responseExcerpt: result.kind === 'response' ? result.bodyExcerpt : null,
    requestHeaders,
    createdAt: of.createdAt,
  };
}

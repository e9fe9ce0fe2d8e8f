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

/** PostgreSQL `text` cannot hold NUL: a receiver's binary answer keeps its other bytes, NUL shows as U+FFFD. */
function storable(text: string | null): string | null {
  return text === null ? null : text.replaceAll('\u0000', '\uFFFD');
}

/**
 * The attempt log's row for one try, for the worker and for test sends alike: a response outside 2xx
 * is the error class `http_status`, a failed request keeps its own class and message, and the
 * duration is rounded to whole milliseconds, and NUL in the texts is replaced (a gzip bomb's bytes
 * would otherwise fail the whole recording batch). `requestHeaders` are already redacted.
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
    errorMessage: storable(result.kind === 'error' ? result.message : null),
    responseExcerpt: storable(result.kind === 'response' ? result.bodyExcerpt : null),
    requestHeaders,
    createdAt: of.createdAt,
  };
}

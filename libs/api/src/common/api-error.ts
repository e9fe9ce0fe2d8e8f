import { ValidationCode } from '@hookyard/webhook-core';

/** A failure a client can act on, in dialect-neutral terms; each dialect's filter shapes the body. */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** A required field is absent (a field-level code; the request's code stays VALIDATION_FAILED). */
  FIELD_REQUIRED: 'FIELD_REQUIRED',
  PROPERTY_NOT_ALLOWED: 'PROPERTY_NOT_ALLOWED',
  BODY_INVALID: 'BODY_INVALID',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A JSON body nesting arrays and objects deeper than 32 levels, refused before it is parsed. */
  JSON_TOO_DEEP: 'JSON_TOO_DEEP',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** U+0000 or an unpaired surrogate in a body field, key, query parameter or path: not storable. */
  UNSUPPORTED_TEXT: 'UNSUPPORTED_TEXT',
  ID_INVALID: 'ID_INVALID',
  TARGET_NOT_ALLOWED: 'TARGET_NOT_ALLOWED',
  PAGINATION_INVALID: 'PAGINATION_INVALID',
  /** A time range whose end is before its start, or that holds more buckets than allowed. */
  RANGE_INVALID: 'RANGE_INVALID',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** A portal token whose session expired or was revoked; the problem carries its `refreshUrl`. */
  PORTAL_SESSION_EXPIRED: 'PORTAL_SESSION_EXPIRED',
  FORBIDDEN: 'FORBIDDEN',
  /** An endpoint-scoped portal session widening a subscription beyond what it was minted with. */
  PORTAL_SCOPE_EXCEEDED: 'PORTAL_SCOPE_EXCEEDED',
  /** A field only an operator key may set, sent by a tenant key (field-level too). */
  OPERATOR_ONLY: 'OPERATOR_ONLY',
  /** A test send choosing its topic or data without EVENT.PUBLISH (field-level too). */
  TEST_SEND_NOT_ALLOWED: 'TEST_SEND_NOT_ALLOWED',
  NOT_FOUND: 'NOT_FOUND',
  /** `/console` while the console has not been built (no index.html in its directory). */
  CONSOLE_NOT_BUILT: 'CONSOLE_NOT_BUILT',
  CONFLICT: 'CONFLICT',
  /** Another live organization has this `uid` (a field-level code too). */
  UID_TAKEN: 'UID_TAKEN',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  ENDPOINT_LIMIT_REACHED: 'ENDPOINT_LIMIT_REACHED',
  /** A request names an endpoint its organization does not have (a field-level code too). */
  ENDPOINT_UNKNOWN: 'ENDPOINT_UNKNOWN',
  GRACE_PERIOD_INVALID: 'GRACE_PERIOD_INVALID',
  ROTATION_LIMIT_REACHED: 'ROTATION_LIMIT_REACHED',
  SECRET_INVALID: 'SECRET_INVALID',
  /** Over the key's (or the client address's) request rate; `Retry-After` says when to come back. */
  RATE_LIMITED: 'RATE_LIMITED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
/** Every code a client may see: the service's own and the core's field validation codes. */
export type ApiErrorCode = ErrorCode | ValidationCode;

export interface FieldError {
  readonly path: string;
  readonly message: string;
  readonly code?: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly errors: readonly FieldError[] = [],
    /** Members a problem document adds beside the standard ones (RFC 9457 extensions). */
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static notFound(what: string): ApiError {
    return new ApiError(ErrorCode.NOT_FOUND, `${what} not found`);
  }

  static validation(
    errors: readonly FieldError[],
    code: ApiErrorCode = ErrorCode.VALIDATION_FAILED,
  ): ApiError {
    const first = errors[0];
    return new ApiError(
      code,
      first ? `${first.path}: ${first.message}` : 'invalid request',
      errors,
    );
  }
}

/**
 * The one place codes become HTTP statuses, the service's and the core's validation codes alike; a
 * new code cannot ship unmapped.
 */
export function statusOf(code: ApiErrorCode): number {
  switch (code) {
    case ValidationCode.URL_INVALID:
    case ValidationCode.URL_MUST_BE_HTTPS:
    case ValidationCode.URL_SCHEME_NOT_ALLOWED:
    case ValidationCode.URL_CREDENTIALS_NOT_ALLOWED:
    case ValidationCode.NAME_INVALID:
    case ValidationCode.DESCRIPTION_INVALID:
    case ValidationCode.TOPIC_INVALID:
    case ValidationCode.TOO_MANY_HEADERS:
    case ValidationCode.HEADER_NAME_INVALID:
    case ValidationCode.HEADER_VALUE_INVALID:
    case ValidationCode.HEADER_FORBIDDEN:
    case ValidationCode.HEADER_RESERVED:
    case ValidationCode.HEADER_TOO_LARGE:
    case ValidationCode.TIMEOUT_INVALID:
    case ValidationCode.AUTH_INVALID:
    case ValidationCode.CREDENTIALS_ORIGIN_CHANGED:
      return 400;
    case ValidationCode.TOPIC_UNKNOWN:
    case ErrorCode.ENDPOINT_UNKNOWN:
      return 422;
    case ErrorCode.VALIDATION_FAILED:
    case ErrorCode.FIELD_REQUIRED:
    case ErrorCode.PROPERTY_NOT_ALLOWED:
    case ErrorCode.BODY_INVALID:
    case ErrorCode.JSON_TOO_DEEP:
    case ErrorCode.UNSUPPORTED_TEXT:
    case ErrorCode.ID_INVALID:
    case ErrorCode.TARGET_NOT_ALLOWED:
    case ErrorCode.PAGINATION_INVALID:
    case ErrorCode.ENDPOINT_LIMIT_REACHED:
    case ErrorCode.GRACE_PERIOD_INVALID:
    case ErrorCode.ROTATION_LIMIT_REACHED:
    case ErrorCode.SECRET_INVALID:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
    case ErrorCode.PORTAL_SESSION_EXPIRED:
      return 401;
    case ErrorCode.FORBIDDEN:
    case ErrorCode.PORTAL_SCOPE_EXCEEDED:
    case ErrorCode.TEST_SEND_NOT_ALLOWED:
    case ErrorCode.OPERATOR_ONLY:
      return 403;
    case ErrorCode.NOT_FOUND:
    case ErrorCode.CONSOLE_NOT_BUILT:
      return 404;
    case ErrorCode.CONFLICT:
    case ErrorCode.UID_TAKEN:
      return 409;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
      return 415;
    case ErrorCode.IDEMPOTENCY_KEY_REUSED:
    case ErrorCode.RANGE_INVALID:
      return 422;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.UNAVAILABLE:
      return 503;
    case ErrorCode.INTERNAL:
      return 500;
    default:
      return assertUnreachable(code);
  }
}

export function assertUnreachable(value: never): never {
  throw new Error(`unhandled value: ${String(value)}`);
}

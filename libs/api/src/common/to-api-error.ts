import { HttpException } from '@nestjs/common';
import { ApiError, ErrorCode } from './api-error';
import { JSON_TOO_DEEP_TYPE, MAX_JSON_DEPTH } from './json-depth.util';

/** Turns anything thrown while serving a request into an ApiError (unknown errors become INTERNAL). */
export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (isBodyParserError(exception)) {
    if (exception.type === 'entity.too.large')
      return new ApiError(ErrorCode.PAYLOAD_TOO_LARGE, 'request body too large', [
        { path: 'body', message: `more than ${exception.limit ?? 'the limit of'} bytes` },
      ]);
    if (exception.type === JSON_TOO_DEEP_TYPE) {
      const message = `JSON nested deeper than ${MAX_JSON_DEPTH} levels`;
      return new ApiError(ErrorCode.JSON_TOO_DEEP, message, [{ path: 'body', message }]);
    }
    return new ApiError(ErrorCode.BODY_INVALID, 'request body is not valid JSON', [
      { path: 'body', message: 'malformed JSON' },
    ]);
  }
  if (isDatabaseUnavailable(exception))
    return new ApiError(ErrorCode.UNAVAILABLE, 'database unavailable, retry later');
  if (databaseCode(exception) === FOREIGN_KEY_VIOLATION) {
    // A row this request refers to went away meanwhile (an endpoint deleted during a publish, an
    // organization that does not exist): a conflict the client can resolve, never a 500.
    return new ApiError(
      ErrorCode.CONFLICT,
      'a resource this request refers to does not exist (any more)',
    );
  }
  return new ApiError(ErrorCode.INTERNAL, 'internal error');
}

function fromHttpException(exception: HttpException): ApiError {
  const status = exception.getStatus();
  const cause = exception.cause;
  if (cause && isBodyParserError(cause)) return toApiError(cause);
  switch (status) {
    case 400:
      return new ApiError(ErrorCode.BODY_INVALID, exception.message);
    case 401:
      return new ApiError(ErrorCode.UNAUTHENTICATED, 'missing or invalid API key');
    case 403:
      return new ApiError(ErrorCode.FORBIDDEN, exception.message);
    case 404:
      return new ApiError(ErrorCode.NOT_FOUND, 'not found');
    case 413:
      return new ApiError(ErrorCode.PAYLOAD_TOO_LARGE, 'request body too large');
    case 415:
      return new ApiError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, exception.message);
    default:
      return status >= 500
        ? new ApiError(ErrorCode.INTERNAL, 'internal error')
        : new ApiError(ErrorCode.BODY_INVALID, exception.message);
  }
}

interface BodyParserError {
  type: string;
  status: number;
  /** The byte limit a too-large body went over. */
  limit?: number;
}

function isBodyParserError(value: unknown): value is BodyParserError {
  return (
    typeof value === 'object' &&
    value !== null &&
    'type' in value &&
    'status' in value &&
    typeof value.type === 'string' &&
    value.type.startsWith('entity.')
  );
}

const FOREIGN_KEY_VIOLATION = '23503';

/** Socket errors on the way to the database, and SQLSTATEs that mean "not now" rather than "wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57014', // query_canceled (statement timeout)
  '55P03', // lock_not_available
]);

/**
 * Whether the database, not the request, is at fault: unreachable, restarting or overloaded. SQLSTATE
 * classes 08 (connection exception) and 53 (insufficient resources), and 57P01-57P05 (shut down,
 * crashed, starting up, dropped, idle timeout); node-postgres's messages for a connection lost
 * mid-query or a client left unusable by one; TypeORM's released query runner after such a loss.
 */
function isDatabaseUnavailable(value: unknown): boolean {
  const code = databaseCode(value);
  if (code !== undefined) {
    if (
      UNAVAILABLE_CODES.has(code) ||
      /^(08|53)[0-9A-Z]{3}$/.test(code) ||
      /^57P0[1-5]$/.test(code)
    )
      return true;
  }
  // TypeORM's rollback after a connection lost mid-transaction finds its query runner released.
  if (value instanceof Error && value.name === 'QueryRunnerAlreadyReleasedError') return true;
  const message = value instanceof Error ? value.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|not queryable|terminating connection/i.test(
    message,
  );
}

function databaseCode(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { code, driverError } = value as { code?: unknown; driverError?: { code?: unknown } };
  const found = code ?? driverError?.code;
  return typeof found === 'string' ? found : undefined;
}

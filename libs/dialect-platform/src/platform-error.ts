import { ApiError, type ApiErrorCode, ErrorCode, statusOf, toApiError } from '@hookyard/api';

/** The platform's error codes (its public API reference), by the status each answers with. */
export type PlatformErrorCode =
  | 'UNAUTHORISED'
  | 'USER_NOT_ALLOWED'
  | 'RESOURCE_NOT_FOUND'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

/** The body of every error this dialect answers. */
export interface PlatformErrorBody {
  readonly type: 'INVALID_REQUEST' | 'API_ERROR';
  readonly code: PlatformErrorCode;
  readonly message: string;
  readonly field?: string;
  readonly resource_id?: string;
  readonly resource_type?: string;
}

/** An error raised in the dialect's own terms: a code of its own, the field or the resource at fault. */
export class PlatformError extends ApiError {
  constructor(
    code: ApiErrorCode,
    readonly platformCode: PlatformErrorCode,
    message: string,
    readonly at: { field?: string; resourceId?: string; resourceType?: string } = {},
  ) {
    super(code, message, at.field === undefined ? [] : [{ path: at.field, message }]);
    this.name = 'PlatformError';
  }

  static missing(field: string, message = `${field} is required`): PlatformError {
    return new PlatformError(ErrorCode.VALIDATION_FAILED, 'MISSING_FIELD', message, { field });
  }

  static invalid(field: string, message: string): PlatformError {
    return new PlatformError(ErrorCode.VALIDATION_FAILED, 'INVALID_FIELD', message, { field });
  }

  static resource(resourceType: string, resourceId: string, message?: string): PlatformError {
    return new PlatformError(
      ErrorCode.NOT_FOUND,
      'RESOURCE_NOT_FOUND',
      message ?? `${resourceType} ${resourceId} not found`,
      { resourceId, resourceType },
    );
  }
}

/** The platform's code for a status the core chose. */
function codeOf(status: number, error: ApiError): PlatformErrorCode {
  switch (status) {
    case 400:
    case 422:
      return error.errors.some((e) => e.code === ErrorCode.FIELD_REQUIRED)
        ? 'MISSING_FIELD'
        : 'INVALID_FIELD';
    case 401:
      return 'UNAUTHORISED';
    case 403:
      return 'USER_NOT_ALLOWED';
    case 404:
      return 'RESOURCE_NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'TOO_MANY_REQUESTS';
    case 503:
      return 'SERVICE_UNAVAILABLE';
    default:
      return 'INTERNAL_ERROR';
  }
}

/** Core field paths in the platform's words (`topics[0]` is `included_actions[0]`). */
const FIELD_NAMES: readonly [RegExp, string][] = [
  [/^excludedTopics/, 'excluded_actions'],
  [/^topics/, 'included_actions'],
  [/^authentication\.username$/, 'username'],
  [/^authentication\.password$/, 'password'],
  [/^authentication\.headerName$/, 'api_header_field'],
  [/^authentication\.apiKey$/, 'api_key'],
  [/^timeoutMs$/, 'timeout_ms'],
];

/**
 * Paths that name no field of a platform body: the body as a whole, and the native rotation's
 * `gracePeriodSeconds` (a roll's window is configured, so a full window is nobody's field).
 */
const NO_PLATFORM_FIELD = new Set(['body', 'gracePeriodSeconds']);

function firstFault(error: ApiError): ApiError['errors'][number] | undefined {
  return error.errors.find((e) => e.code === ErrorCode.FIELD_REQUIRED) ?? error.errors[0];
}

function fieldOf(error: ApiError): string | undefined {
  const first = firstFault(error);
  if (first === undefined || NO_PLATFORM_FIELD.has(first.path)) return undefined;
  const rule = FIELD_NAMES.find(([pattern]) => pattern.test(first.path));
  return rule ? first.path.replace(rule[0], rule[1]) : first.path;
}

/**
 * Shapes anything thrown on a platform route: 400 for every invalid request (the platform has no
 * 422), `field` naming the first faulty field; unknown errors never leak internals.
 */
export function toPlatformError(exception: unknown): { status: number; body: PlatformErrorBody } {
  const error = toApiError(exception);
  const coreStatus = statusOf(error.code);
  const status = coreStatus === 422 ? 400 : coreStatus;
  const internal = error.code === ErrorCode.INTERNAL;
  const at = error instanceof PlatformError ? error.at : { field: fieldOf(error) };
  const body: PlatformErrorBody = {
    type: status >= 500 ? 'API_ERROR' : 'INVALID_REQUEST',
    code: error instanceof PlatformError ? error.platformCode : codeOf(status, error),
    message: internal ? 'An internal error occurred.' : messageOf(error),
    ...(at.field === undefined ? {} : { field: at.field }),
    ...('resourceId' in at && at.resourceId !== undefined ? { resource_id: at.resourceId } : {}),
    ...('resourceType' in at && at.resourceType !== undefined
      ? { resource_type: at.resourceType }
      : {}),
  };
  return { status, body };
}

/** The core's message, without a leading native field name that the platform does not have. */
function messageOf(error: ApiError): string {
  const first = firstFault(error);
  return first?.path === 'gracePeriodSeconds' ? first.message : error.message;
}

import { ApiError, type ApiErrorCode, ErrorCode, statusOf } from '@hookyard/api';
import { toApiError } from '@hookyard/api';

/** Featurebase's error types. */
export type FeaturebaseErrorType =
  'authentication' | 'authorization' | 'invalid_request' | 'api' | 'rate_limit';

/** The body of every error this dialect answers: `{error: {type, code, message, param, status}}`. */
export interface FeaturebaseErrorBody {
  readonly error: {
    readonly type: FeaturebaseErrorType;
    readonly code: string;
    readonly message: string;
    readonly param: string | null;
    readonly status: number;
  };
}

/** An error whose Featurebase `code` is the dialect's own (the version checks), not a Hookyard code. */
export class FeaturebaseError extends ApiError {
  constructor(
    code: ApiErrorCode,
    readonly featurebaseCode: string,
    message: string,
    param: string,
  ) {
    super(code, message, [{ path: param, message }]);
    this.name = 'FeaturebaseError';
  }
}

/** Hookyard's field names that Featurebase nests under `requestConfig`. */
const NESTED_PARAMS = ['headers', 'timeoutMs'];

/** The `param` in Featurebase's terms: the first faulty field, `requestConfig.` added where it nests. */
function paramOf(error: ApiError): string | null {
  const path = error.errors[0]?.path;
  if (path === undefined || path === 'body') return null;
  const head = path.split('.')[0] ?? path;
  return NESTED_PARAMS.includes(head) ? `requestConfig.${path}` : path;
}

/** The Featurebase type of a status: 401 authentication, 403 authorization, 429 rate limit, 5xx api. */
export function typeOf(status: number): FeaturebaseErrorType {
  if (status === 401) return 'authentication';
  if (status === 403) return 'authorization';
  if (status === 429) return 'rate_limit';
  if (status >= 500) return 'api';
  return 'invalid_request';
}

/** Shapes anything thrown while serving a Featurebase route; unknown errors never leak internals. */
export function toFeaturebaseError(exception: unknown): {
  status: number;
  body: FeaturebaseErrorBody;
} {
  const error = toApiError(exception);
  const status = statusOf(error.code);
  const internal = error.code === ErrorCode.INTERNAL;
  return {
    status,
    body: {
      error: {
        type: typeOf(status),
        code: error instanceof FeaturebaseError ? error.featurebaseCode : error.code.toLowerCase(),
        message: internal ? 'An internal error occurred.' : error.message,
        param: paramOf(error),
        status,
      },
    },
  };
}

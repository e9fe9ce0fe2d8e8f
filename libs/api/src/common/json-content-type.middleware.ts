import { type NextFunction, type Request, type Response } from 'express';
import { ApiError, ErrorCode } from './api-error';

/** The media types the JSON body parser reads; any other body is refused. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** True when the request carries body bytes (an empty `Content-Length: 0` body carries none). */
function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

/**
 * Refuses a request body the JSON parser would skip (`text/plain`, a form, no Content-Type) with 415
 * `UNSUPPORTED_MEDIA_TYPE`, instead of validating an empty body and blaming its fields. Requests
 * without a body (a bodiless POST such as a secret refresh) pass, whatever their Content-Type.
 */
export function requireJsonBody(request: Request, _response: Response, next: NextFunction): void {
  if (WITH_BODY.has(request.method) && hasBody(request) && request.is(JSON_MEDIA_TYPES) === false) {
    const message = 'the request body must be JSON (Content-Type: application/json)';
    next(new ApiError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, message, [{ path: 'body', message }]));
    return;
  }
  next();
}

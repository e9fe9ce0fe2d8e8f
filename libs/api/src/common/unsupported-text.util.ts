import { type NextFunction, type Request, type Response } from 'express';
import { ApiError, ErrorCode } from './api-error';

/**
 * Text PostgreSQL cannot store: U+0000 (refused by `text` and `jsonb` alike) and UTF-16 surrogates
 * without their other half (`"\ud800"` in JSON parses to one, and `jsonb` refuses it).
 */
export const UNSUPPORTED_TEXT =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\u0000/;

const UNSUPPORTED_TEXT_ALL = new RegExp(UNSUPPORTED_TEXT.source, 'g');

/** What the error says of the field at fault. */
export const UNSUPPORTED_TEXT_MESSAGE =
  'must not contain U+0000 or an unpaired UTF-16 surrogate (such text cannot be stored)';

/**
 * The path (`data.title`, `events.0.data`, `headers.X-A`) of the first string or object key in a
 * parsed JSON value that holds unsupported text, or null when there is none. A key at fault is named
 * with U+FFFD in place of the characters at fault; a top-level string is `body`. The walk allocates
 * nothing for clean input.
 */
export function unsupportedTextPath(value: unknown): string | null {
  const found = find(value);
  if (found === null) return null;
  return found.length === 0 ? 'body' : found.join('.');
}

function find(value: unknown): (string | number)[] | null {
  if (typeof value === 'string') return UNSUPPORTED_TEXT.test(value) ? [] : null;
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = find(value[i]);
      if (found !== null) {
        found.unshift(i);
        return found;
      }
    }
    return null;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (UNSUPPORTED_TEXT.test(key)) return [key.replace(UNSUPPORTED_TEXT_ALL, '\ufffd')];
    const found = find(record[key]);
    if (found !== null) {
      found.unshift(key);
      return found;
    }
  }
  return null;
}

/** The 400 `UNSUPPORTED_TEXT` naming `path`, which each dialect's filter shapes. */
export function unsupportedTextError(path: string): ApiError {
  return new ApiError(ErrorCode.UNSUPPORTED_TEXT, `${path}: ${UNSUPPORTED_TEXT_MESSAGE}`, [
    { path, message: UNSUPPORTED_TEXT_MESSAGE },
  ]);
}

/** Bodies whose bytes the JSON scan found an escape of unsupported text in (or could not scan). */
const SUSPECT_BODIES = new WeakSet<object>();

/** Marks a request whose parsed body must be walked for unsupported text (the JSON scan's verdict). */
export function markBodySuspect(request: object): void {
  SUSPECT_BODIES.add(request);
}

/** NUL percent-encoded; no other unsupported text survives URL decoding (it turns into U+FFFD). */
const ENCODED_NUL = /%00/;

/**
 * Refuses text PostgreSQL cannot store wherever a client can send it, before any route sees it: in
 * the JSON body (walked only when the body parser's byte scan saw such an escape) and in the query
 * string and the path (looked at only when the URL holds `%00`). Answers 400 `UNSUPPORTED_TEXT`
 * naming the field: the body's path, the query parameter, or `path`.
 */
export function refuseUnsupportedText(
  request: Request,
  _response: Response,
  next: NextFunction,
): void {
  const path = faultOf(request);
  next(path === null ? undefined : unsupportedTextError(path));
}

function faultOf(request: Request): string | null {
  if (SUSPECT_BODIES.has(request)) {
    const path = unsupportedTextPath(request.body);
    if (path !== null) return path;
  }
  if (!ENCODED_NUL.test(request.url)) return null;
  const queryAt = request.url.indexOf('?');
  if (queryAt >= 0 && ENCODED_NUL.test(request.url.slice(queryAt))) {
    const path = unsupportedTextPath(request.query);
    if (path !== null) return path;
  }
  return ENCODED_NUL.test(queryAt >= 0 ? request.url.slice(0, queryAt) : request.url)
    ? 'path'
    : null;
}

import { isObjectId } from '@hookyard/webhook-core';
import { ApiError, ErrorCode } from './api-error';

/** A position in a newest-first list: the creation time and id of the last row of the previous page. */
export interface KeysetCursor {
  readonly createdAt: Date;
  readonly id: string;
}

export function encodeCursor(row: KeysetCursor): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`, 'utf8').toString('base64url');
}

/** A time as `encodeCursor` writes it: `toISOString` of a four-digit year, which PostgreSQL holds. */
const CURSOR_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Reads a cursor this API handed out; anything else is a 400 naming `cursor`, a time written in
 * another form too (`-271821-04-20T00:00:00.000Z` is a JavaScript date but not a PostgreSQL one).
 */
export function decodeCursor(cursor: string | undefined): KeysetCursor | null {
  if (cursor === undefined) return null;
  const [time = '', id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(time);
  if (
    !/^[A-Za-z0-9_-]+$/.test(cursor) ||
    !CURSOR_TIME.test(time) ||
    Number.isNaN(createdAt.getTime()) ||
    createdAt.toISOString() !== time ||
    !isObjectId(id)
  ) {
    throw ApiError.validation(
      [{ path: 'cursor', message: 'not a cursor this API returned' }],
      ErrorCode.PAGINATION_INVALID,
    );
  }
  return { createdAt, id };
}

/** Page size: default 50, at most `max`; outside 1..max is a 400 naming `limit`. */
export function pageLimit(limit: number | undefined, max: number, fallback = 50): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw ApiError.validation(
      [{ path: 'limit', message: `must be from 1 to ${max}` }],
      ErrorCode.PAGINATION_INVALID,
    );
  }
  return value;
}

/** Splits a `limit + 1` query result into a page and the cursor of the next one. */
export function toPage<T extends KeysetCursor>(
  rows: readonly T[],
  limit: number,
): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

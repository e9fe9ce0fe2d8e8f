import { isObjectId } from '@hookyard/webhook-core';
import { ErrorCode } from '@hookyard/api';
import { FeaturebaseError } from './featurebase-error';

/** The opaque `nextCursor`: base64url of `{"id":"<last id of the page>"}`, as Featurebase's look. */
export function encodeWebhookCursor(id: string): string {
  return Buffer.from(JSON.stringify({ id }), 'utf8').toString('base64url');
}

/** The id after which the next page starts; a cursor this API did not hand out is a 400. */
export function decodeWebhookCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === '') return null;
  let id: unknown;
  try {
    id = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown }).id;
  } catch {
    id = undefined;
  }
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(cursor) || !isObjectId(id)) {
    throw new FeaturebaseError(
      ErrorCode.PAGINATION_INVALID,
      'invalid_cursor',
      'cursor: not a cursor this API returned',
      'cursor',
    );
  }
  return id;
}

import { type EntityManager } from 'typeorm';
import { OrganizationRepository } from '@hookyard/data-access';
import { isObjectId } from '@hookyard/webhook-core';
import { ApiError, ErrorCode } from '../common/api-error';
import { UID_PATTERN, UID_PATTERN_MESSAGE } from './dto/organization-admin.dto';

/**
 * A uid is a path segment as written, and one that reads as an id would make
 * `/v1/organizations/{idOrUid}` ambiguous.
 */
export function assertUidShape(uid: string | undefined): void {
  if (uid === undefined) return;
  if (!UID_PATTERN.test(uid))
    throw ApiError.validation([{ path: 'uid', message: UID_PATTERN_MESSAGE }]);
  if (isObjectId(uid)) {
    throw ApiError.validation([{ path: 'uid', message: 'a uid cannot be a 24-hex id' }]);
  }
}

/** Refuses a uid another live organization has (409 `UID_TAKEN`). */
export async function assertUidFree(
  manager: EntityManager,
  uid: string | undefined,
): Promise<void> {
  if (uid === undefined) return;
  if (await new OrganizationRepository(manager).findLiveByUid(uid)) {
    throw ApiError.validation(
      [{ path: 'uid', message: 'another organization has this uid', code: ErrorCode.UID_TAKEN }],
      ErrorCode.UID_TAKEN,
    );
  }
}

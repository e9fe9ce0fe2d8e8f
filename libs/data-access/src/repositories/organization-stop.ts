import { type EntityManager } from 'typeorm';
import { returned } from './returned';

/**
 * Stops a live organization inside the caller's transaction: marks it deleted, revokes its portal
 * sessions, pauses its endpoints and cancels (fails) its deliveries no worker holds; a delivery under
 * a live claim finishes and is recorded. False when the organization does not exist or was deleted.
 * Its API keys are the caller's to revoke, so it can forget them in its caches afterwards.
 */
export async function stopOrganization(
  manager: EntityManager,
  organizationId: string,
  now: Date,
): Promise<boolean> {
  const marked: unknown = await manager.query(
    `UPDATE organizations SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL RETURNING id`,
    [organizationId, now],
  );
  if (returned(marked).length === 0) return false;
  await manager.query(
    `UPDATE portal_sessions SET revoked_at = $2 WHERE organization_id = $1 AND revoked_at IS NULL`,
    [organizationId, now],
  );
  await manager.query(
    `UPDATE endpoints SET status = 'paused', status_reason = 'organization deleted',
       paused_at = COALESCE(paused_at, $2), updated_at = clock_timestamp()
     WHERE organization_id = $1`,
    [organizationId, now],
  );
  await manager.query(
    `UPDATE deliveries SET status = 'failed', completed_at = $2, next_attempt_at = NULL
     WHERE organization_id = $1 AND status = 'pending'
       AND (claim_id IS NULL OR claim_expires_at <= $2)`,
    [organizationId, now],
  );
  return true;
}

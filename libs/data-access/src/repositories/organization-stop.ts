import { type EntityManager } from 'typeorm';
import { rowsAffected } from './rows-affected';

/**
 * Stops a live organization inside the caller's transaction: marks it deleted, revokes its portal
 * sessions, pauses its active endpoints as a manual pause does (reason `manual`, `paused_at`, penalty
 * box cleared, `updated_at` bumped so cached copies are dropped) and cancels (fails) its deliveries
 * no worker holds. A delivery under a live claim finishes and is recorded; nothing of the
 * organization is claimed again, since a claim takes only active endpoints. A suspended or already
 * paused endpoint stays as it is. False, and nothing changed, when the organization does not exist
 * or was deleted. Its API keys are the caller's to revoke, so it can forget them in its caches
 * afterwards. The background purge deletes the rows later.
 */
export async function stopOrganization(
  manager: EntityManager,
  organizationId: string,
  now: Date,
): Promise<boolean> {
  const marked = await rowsAffected(
    manager,
    `UPDATE organizations SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL`,
    [organizationId, now],
  );
  if (marked === 0) return false;
  await manager.query(
    `UPDATE portal_sessions SET revoked_at = $2 WHERE organization_id = $1 AND revoked_at IS NULL`,
    [organizationId, now],
  );
  await manager.query(
    `UPDATE endpoints SET status = 'paused', status_reason = 'manual', paused_at = $2,
       penalty_until = NULL, penalty_level = 0, updated_at = clock_timestamp()
     WHERE organization_id = $1 AND status = 'active'`,
    [organizationId, now],
  );
  await manager.query(
    `UPDATE deliveries SET status = 'failed', completed_at = $2, next_attempt_at = NULL,
       claim_id = NULL, claim_expires_at = NULL
     WHERE organization_id = $1 AND status = 'pending'
       AND (claim_id IS NULL OR claim_expires_at <= $2)`,
    [organizationId, now],
  );
  return true;
}

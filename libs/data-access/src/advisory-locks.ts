import { type EntityManager } from 'typeorm';

/**
 * Transaction-scoped advisory locks, for work that must take turns but has no row to lock yet. Each
 * holds until the transaction of `manager` ends.
 */

/** Makes transactions naming the same organization uid take turns (a uid no row may hold yet). */
export async function lockOrganizationUid(manager: EntityManager, uid: string): Promise<void> {
  await manager.query(
    `SELECT pg_advisory_xact_lock(hashtext('hookyard.organization-uid'), hashtext($1))`,
    [uid],
  );
}

/** Makes processes applying the bootstrap key variables take turns. */
export async function lockBootstrapKeys(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('hookyard.bootstrap-key'))`);
}

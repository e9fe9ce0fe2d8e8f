import { type DataSource } from 'typeorm';
import { rowsAffected } from './rows-affected';

/**
 * An organization's tables, children before parents, so no statement cascades into a large set of
 * rows: attempts refer to deliveries and endpoints, deliveries to events and endpoints, secrets to
 * endpoints; portal sessions and keys to the organization only.
 */
const PURGE_ORDER = [
  'attempts',
  'deliveries',
  'events',
  'endpoint_secrets',
  'endpoints',
  'portal_sessions',
  'api_keys',
] as const;

export type PurgeTable = (typeof PURGE_ORDER)[number] | 'organizations';

/** What one call of {@link purgeOrganizationBatch} did. */
export interface PurgeStep {
  /** The table it deleted from (`organizations`: the organization itself, the last step). */
  readonly table: PurgeTable;
  readonly deleted: number;
  /**
   * Deliveries a worker is sending now are left to finish; the purge goes on once their claims have
   * ended (recorded, or their lease ran out).
   */
  readonly waiting: boolean;
}

/** The row is the organization's, and the organization is deleted: never purge a live one. */
const DELETED = `EXISTS (SELECT 1 FROM organizations o WHERE o.id = $1 AND o.deleted_at IS NOT NULL)`;

/** A delivery a worker holds now (its try is in flight or waits to be recorded). */
const LIVE_CLAIM = `status = 'pending' AND claim_id IS NOT NULL AND claim_expires_at > now()`;

/**
 * The deleted organization to purge next, the longest deleted first, leaving out `except` (ones
 * waiting for deliveries in flight); null when there is none. A system query: no tenant.
 */
export async function nextOrganizationToPurge(
  dataSource: DataSource,
  except: readonly string[] = [],
): Promise<string | null> {
  const rows = await dataSource.query<{ id: string }[]>(
    `SELECT id FROM organizations
     WHERE deleted_at IS NOT NULL AND NOT (id = ANY($1::char(24)[]))
     ORDER BY deleted_at, id LIMIT 1`,
    [except],
  );
  return rows[0]?.id ?? null;
}

/**
 * Deletes at most `batchSize` rows of a deleted organization, from the first of its tables (in
 * {@link PURGE_ORDER}) that still has any, in one statement, so each step is its own short
 * transaction; once they are all empty, the organization row itself. Call it again until it answers
 * null (nothing left, or the organization is not deleted) or `waiting`. It reads first whether the
 * organization is deleted, and each statement checks it again, so a live one is never touched.
 */
export async function purgeOrganizationBatch(
  dataSource: DataSource,
  organizationId: string,
  batchSize = 500,
): Promise<PurgeStep | null> {
  const [organization] = await dataSource.query<{ deleted: boolean }[]>(
    `SELECT deleted_at IS NOT NULL AS deleted FROM organizations WHERE id = $1`,
    [organizationId],
  );
  if (!organization?.deleted) return null;
  for (const table of PURGE_ORDER) {
    const spare = table === 'deliveries' ? `AND NOT (${LIVE_CLAIM})` : '';
    const deleted = await rowsAffected(
      dataSource,
      `DELETE FROM ${table} WHERE organization_id = $1 AND ${DELETED} AND id IN (
         SELECT id FROM ${table} WHERE organization_id = $1 ${spare} LIMIT $2)`,
      [organizationId, batchSize],
    );
    if (deleted > 0) return { table, deleted, waiting: false };
    if (table === 'deliveries') {
      const [held] = await dataSource.query<{ held: boolean }[]>(
        `SELECT EXISTS (SELECT 1 FROM deliveries WHERE organization_id = $1) AS held`,
        [organizationId],
      );
      // Only deliveries in flight are left: their events and endpoints must wait for them.
      if (held?.held) return { table, deleted: 0, waiting: true };
    }
  }
  const deleted = await rowsAffected(
    dataSource,
    `DELETE FROM organizations WHERE id = $1 AND deleted_at IS NOT NULL`,
    [organizationId],
  );
  return deleted > 0 ? { table: 'organizations', deleted, waiting: false } : null;
}

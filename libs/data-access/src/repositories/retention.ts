import { type DataSource } from 'typeorm';
import { rowsAffected } from './rows-affected';

export interface PurgeResult {
  readonly attempts: number;
  readonly events: number;
}

/**
 * Deletes attempts, and events none of whose deliveries is still pending, created before `before`, in
 * small batches (each its own short statement) so that it never holds locks delivery is waiting on.
 * Deleting an event removes its deliveries and their attempts with it.
 */
export async function purgeOlderThan(
  dataSource: DataSource,
  before: Date,
  batchSize = 500,
): Promise<PurgeResult> {
  let attempts = 0;
  let events = 0;
  for (;;) {
    const deleted = await rowsAffected(
      dataSource,
      `DELETE FROM attempts WHERE id IN (SELECT id FROM attempts WHERE created_at < $1 LIMIT $2)`,
      [before, batchSize],
    );
    attempts += deleted;
    if (deleted < batchSize) break;
  }
  for (;;) {
    const deleted = await rowsAffected(
      dataSource,
      `DELETE FROM events WHERE id IN (
         SELECT e.id FROM events e
         WHERE e.created_at < $1
           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
         LIMIT $2)`,
      [before, batchSize],
    );
    events += deleted;
    if (deleted < batchSize) break;
  }
  return { attempts, events };
}

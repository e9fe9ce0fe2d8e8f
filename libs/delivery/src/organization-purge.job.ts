import { setImmediate as yieldToOthers } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { nextOrganizationToPurge, purgeOrganizationBatch } from '@hookyard/data-access';
import { PeriodicJob } from './periodic-job.util';

const logger = new Logger('OrganizationPurge');

/**
 * Deletes the rows of deleted organizations, one organization at a time, the longest deleted first,
 * in steps of at most `batchSize` rows (each one short statement, the event loop given back between
 * them), so delivery for other organizations never waits on it. An organization with deliveries in
 * flight is left for the next run. Stops between steps once `signal` is aborted; answers how many
 * organizations it purged completely.
 */
export async function purgeDeletedOrganizations(
  dataSource: DataSource,
  signal: AbortSignal,
  batchSize = 500,
): Promise<number> {
  const waiting: string[] = [];
  let purged = 0;
  while (!signal.aborted) {
    const organizationId = await nextOrganizationToPurge(dataSource, waiting);
    if (organizationId === null) break;
    let rows = 0;
    for (;;) {
      if (signal.aborted) return purged;
      const step = await purgeOrganizationBatch(dataSource, organizationId, batchSize);
      if (step === null) {
        purged++;
        logger.log(`organization ${organizationId} purged (${rows} rows in this run)`);
        break;
      }
      if (step.waiting) {
        waiting.push(organizationId);
        break;
      }
      rows += step.deleted;
      await yieldToOthers();
    }
  }
  return purged;
}

/** Purges deleted organizations periodically (on the retention interval). */
export function organizationPurgeJob(dataSource: DataSource, intervalMs: number): PeriodicJob {
  return new PeriodicJob('organization purge', intervalMs, async (signal) => {
    await purgeDeletedOrganizations(dataSource, signal);
  });
}

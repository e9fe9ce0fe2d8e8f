import { Logger } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { purgeOlderThan } from '@hookyard/data-access';
import { PeriodicJob } from './periodic-job.util';

const logger = new Logger('Retention');

/** Deletes attempts and finished events older than the retention window, periodically, in small batches. */
export function retentionJob(
  dataSource: DataSource,
  days: number,
  intervalMs: number,
): PeriodicJob {
  return new PeriodicJob('retention', intervalMs, async () => {
    const cutoff = new Date(Date.now() - days * 86_400_000);
    const { attempts, events } = await purgeOlderThan(dataSource, cutoff);
    if (attempts + events > 0)
      logger.log(`retention: deleted ${attempts} attempts and ${events} events`);
  });
}

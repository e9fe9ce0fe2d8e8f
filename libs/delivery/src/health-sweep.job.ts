import { Logger } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { EndpointRepository, endpointsDueForTimeRules } from '@hookyard/data-access';
import { type StateThresholds } from '@hookyard/webhook-core';
import { mergeThresholds } from './organization-settings';
import { PeriodicJob } from './periodic-job.util';

const logger = new Logger('HealthSweep');

/**
 * Applies the duration rules of the state machine to endpoints that are failing but get no attempts
 * (a paused endpoint is not sent to, so only the clock can suspend it after `suspendAfterMs`):
 * `time_passed` under the endpoint's row lock; a newly suspended endpoint's pending deliveries fail.
 * An organization's own windows (its `thresholds`) take the place of the installation's.
 */
export async function sweepEndpointHealth(
  dataSource: DataSource,
  installation: StateThresholds,
): Promise<void> {
  const due = await endpointsDueForTimeRules(dataSource, installation);
  for (const { id, organizationId, thresholds: own } of due) {
    const thresholds = mergeThresholds(installation, own);
    await dataSource.transaction(async (tx) => {
      const endpoints = new EndpointRepository(tx);
      const endpoint = await endpoints.findByIdForUpdate(organizationId, id);
      if (!endpoint) return;
      const { before, after } = await endpoints.applyEvent(
        endpoint,
        { type: 'time_passed', at: new Date() },
        thresholds,
      );
      if (after === before) return;
      logger.log(
        `endpoint ${id}: ${before.status} -> ${after.status} (${after.statusReason ?? 'no reason'})`,
      );
    });
  }
}

export function healthSweepJob(
  dataSource: DataSource,
  thresholds: StateThresholds,
  intervalMs: number,
): PeriodicJob {
  return new PeriodicJob('health sweep', intervalMs, () =>
    sweepEndpointHealth(dataSource, thresholds),
  );
}

import { Logger } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import {
  DeliveryRepository,
  EndpointEntity,
  EndpointRepository,
  endpointsDueForTimeRules,
  endpointStateColumns,
  endpointStateOf,
} from '@hookyard/data-access';
import { type StateThresholds, transition } from '@hookyard/webhook-core';
import { PeriodicJob } from './periodic-job.util';

const logger = new Logger('HealthSweep');

/**
 * Applies the duration rules of the state machine to endpoints that are failing but get no attempts
 * (a paused endpoint is not sent to, so only the clock can suspend it after `suspendAfterMs`):
 * `time_passed` under the endpoint's row lock; a newly suspended endpoint's pending deliveries fail.
 */
export async function sweepEndpointHealth(
  dataSource: DataSource,
  thresholds: StateThresholds,
): Promise<void> {
  for (const { id, organizationId } of await endpointsDueForTimeRules(dataSource, thresholds)) {
    await dataSource.transaction(async (tx) => {
      const endpoint = await new EndpointRepository(tx).findByIdForUpdate(organizationId, id);
      if (!endpoint) return;
      const now = new Date();
      const before = endpointStateOf(endpoint);
      const state = transition(before, { type: 'time_passed', at: now }, thresholds);
      if (state === before) return;
      await tx.update(EndpointEntity, { organizationId, id }, endpointStateColumns(state));
      if (state.status === 'suspended' && before.status !== 'suspended') {
        await new DeliveryRepository(tx).failPendingOfEndpoint(organizationId, id, now);
      }
      logger.log(
        `endpoint ${id}: ${before.status} -> ${state.status} (${state.statusReason ?? 'no reason'})`,
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

import { type LoggerService } from '@nestjs/common';
import { type HookyardConfig } from '@hookyard/config';
import { type Runtime } from '@hookyard/data-access';
import { healthSweepJob } from './health-sweep.job';
import { reencryptionJob } from './reencryption.job';
import { retentionJob } from './retention.job';
import { createDeliveryWorker } from './worker-runtime';

/** The worker role of a process: the delivery worker and the periodic jobs that go with it. */
export interface WorkerRole {
  /** Stops claiming, drains the tries in flight, stops the jobs and closes the outbound client. */
  stop(): Promise<void>;
}

/** Starts the delivery worker, retention, the health sweep and re-encryption (also once at start). */
export function startWorkerRole(
  config: HookyardConfig,
  runtime: Pick<Runtime, 'dataSource' | 'cipher'>,
  logger: LoggerService,
): WorkerRole {
  const delivery = createDeliveryWorker(config, runtime);
  const reencryption = reencryptionJob(runtime.dataSource, runtime.cipher, config.reencryptMs);
  const jobs = [
    retentionJob(runtime.dataSource, config.retention.days, config.retention.intervalMs),
    healthSweepJob(runtime.dataSource, config.thresholds, config.healthSweepMs),
    reencryption,
  ];
  delivery.worker.start();
  for (const job of jobs) job.start();
  void reencryption.runOnce();
  logger.log(`delivery worker started (concurrency ${config.worker.concurrency})`);
  return {
    async stop() {
      await delivery.worker.stop();
      await Promise.all(jobs.map((job) => job.stop()));
      delivery.client.close();
    },
  };
}

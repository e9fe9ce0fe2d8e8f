import { type LoggerService } from '@nestjs/common';
import { type HookyardConfig } from '@hookyard/config';
import { type Runtime, type WorkerLiveness } from '@hookyard/data-access';
import { type WorkerMetrics } from '@hookyard/observability';
import { healthSweepJob } from './health-sweep.job';
import { organizationPurgeJob } from './organization-purge.job';
import { reencryptionJob } from './reencryption.job';
import { retentionJob } from './retention.job';
import { createDeliveryWorker } from './worker-runtime';

/**
 * The worker role of a process: the delivery worker and the periodic jobs that go with it. Its
 * liveness (when the claim loop last went round) is what `/readyz` checks.
 */
export interface WorkerRole extends WorkerLiveness {
  /** Stops claiming, drains the tries in flight, stops the jobs and closes the outbound client. */
  stop(): Promise<void>;
}

/**
 * Starts the delivery worker, retention, the purge of deleted organizations (on the retention
 * interval), the health sweep and re-encryption (also once at start); the worker counts into
 * `metrics` (the process's registry), if given.
 */
export function startWorkerRole(
  config: HookyardConfig,
  runtime: Pick<Runtime, 'dataSource' | 'cipher'>,
  logger: LoggerService,
  metrics?: WorkerMetrics,
): WorkerRole {
  const delivery = createDeliveryWorker(config, {
    dataSource: runtime.dataSource,
    cipher: runtime.cipher,
    metrics,
  });
  const reencryption = reencryptionJob(runtime.dataSource, runtime.cipher, config.reencryptMs);
  const jobs = [
    retentionJob(runtime.dataSource, config.retention.days, config.retention.intervalMs),
    organizationPurgeJob(runtime.dataSource, config.retention.intervalMs),
    healthSweepJob(runtime.dataSource, config.thresholds, config.healthSweepMs),
    reencryption,
  ];
  delivery.worker.start();
  for (const job of jobs) job.start();
  void reencryption.runOnce();
  logger.log(`delivery worker started (concurrency ${config.worker.concurrency})`);
  return {
    pollIntervalMs: config.worker.pollIntervalMs,
    lastLoopAt: () => delivery.worker.lastLoopAt(),
    async stop() {
      await delivery.worker.stop();
      await Promise.all(jobs.map((job) => job.stop()));
      delivery.close();
    },
  };
}

/**
 * The liveness of a worker role a process starts after its health checks answer: stalled until
 * `role()` returns the started role and its loop has gone round.
 */
export function laterWorkerLiveness(
  config: HookyardConfig,
  role: () => WorkerRole | null,
): WorkerLiveness {
  return {
    pollIntervalMs: config.worker.pollIntervalMs,
    lastLoopAt: () => role()?.lastLoopAt() ?? null,
  };
}

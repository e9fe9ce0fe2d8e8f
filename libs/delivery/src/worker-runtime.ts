import { randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { type SecretCipher } from '@hookyard/data-access';
import {
  byDialect,
  createRetryPolicy,
  ObjectIdGenerator,
  parseOutboundAllow,
} from '@hookyard/webhook-core';
import { type HookyardConfig } from '@hookyard/config';
import { NO_METRICS, type WorkerMetrics } from '@hookyard/observability';
import { DeliveryWorker } from './delivery-worker';
import { OutboundClient, type OutboundClientOptions } from './outbound-client';

/** A delivery worker, its HTTP client, and how to let go of both once the worker has stopped. */
export interface DeliveryRuntime {
  readonly worker: DeliveryWorker;
  readonly client: OutboundClient;
  /**
   * Closes the client and takes its sockets out of `hookyard_outbound_connections_in_use` (the
   * registry outlives the worker in `npm start` and in tests). Call it after `worker.stop()`.
   */
  close(): void;
}

/** Builds the worker and its HTTP client from the configuration (counting into `deps.metrics`, if given). */
export function createDeliveryWorker(
  config: HookyardConfig,
  deps: { dataSource: DataSource; cipher: SecretCipher; metrics?: WorkerMetrics },
  clientOptions: Partial<OutboundClientOptions> = {},
): DeliveryRuntime {
  const client = new OutboundClient({
    policy: parseOutboundAllow(config.outboundAllow),
    maxBodyBytes: config.worker.responseBodyLimit,
    // Endpoints often share an origin (one customer's host, or a gateway): the worker's own limits,
    // per endpoint and in all, are what bound the sockets, never a per-origin pool that requests of
    // healthy endpoints would queue for behind a hanging one.
    maxSocketsPerOrigin: config.worker.concurrency,
    ...clientOptions,
  });
  const metrics = deps.metrics ?? NO_METRICS;
  const unwatch = metrics.watchOutboundConnections(() => client.connectionsInUse);
  const worker = new DeliveryWorker(
    {
      leaseMs: config.worker.leaseMs,
      pollIntervalMs: config.worker.pollIntervalMs,
      concurrency: config.worker.concurrency,
      endpointConcurrency: config.worker.endpointConcurrency,
      shutdownGraceMs: config.worker.shutdownGraceMs,
      retryPolicies: byDialect((name) =>
        createRetryPolicy({ scheduleMs: config.dialects[name].retryScheduleMs }),
      ),
      thresholds: config.thresholds,
      logAttempts: config.logLevel === 'debug',
    },
    {
      dataSource: deps.dataSource,
      cipher: deps.cipher,
      client,
      ids: new ObjectIdGenerator(randomBytes),
      dialects: config.dialects,
      metrics,
    },
  );
  return {
    worker,
    client,
    close() {
      unwatch();
      client.close();
    },
  };
}

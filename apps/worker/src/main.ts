import 'reflect-metadata';
import { ConfigError, loadConfig } from '@hookyard/config';
import { createProcessMetrics, openRuntime } from '@hookyard/data-access';
import {
  createProcessLogger,
  exitOnStartFailure,
  laterWorkerLiveness,
  onShutdownSignal,
  startHealthServer,
  startWorkerRole,
  type WorkerRole,
} from '@hookyard/delivery';
import { defaultServiceName, startTracing } from '@hookyard/observability';

/**
 * A delivery worker process without the API's HTTP stack: the worker role, and `/healthz`, `/readyz`
 * and `/metrics` on `HOOKYARD_WORKER_PORT`. Any number of them may share one PostgreSQL; with the
 * embedded database it joins the server of a running `npm start`.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (config.role === 'api')
    throw new ConfigError([
      'HOOKYARD_ROLE: the worker app runs the worker role (unset it or say worker)',
    ]);
  const logger = createProcessLogger(config);
  const tracing = startTracing(config, defaultServiceName('worker'));
  const runtime = await openRuntime(config, 'join', {
    onWait: (message) => logger.warn(message),
  });
  runtime.notes.forEach((note) => logger.log(note));
  const metrics = createProcessMetrics(config, runtime.dataSource);
  let started: WorkerRole | null = null; // not ready until the role has started and its loop runs
  const health = await startHealthServer(runtime.dataSource, {
    port: config.workerPort,
    host: config.host,
    metricsToken: config.metricsToken,
    metrics,
    worker: laterWorkerLiveness(config, () => started),
  });
  logger.log(`worker health on http://localhost:${health.port} (/healthz, /readyz, /metrics)`);
  const worker = startWorkerRole(config, runtime, logger, metrics);
  started = worker;
  onShutdownSignal(async () => {
    try {
      await worker.stop();
      await health.close();
      await runtime.close();
    } finally {
      await tracing.shutdown(); // last, and even after a failed stop: the spans of the final tries
    }
  });
}

main().catch(exitOnStartFailure);

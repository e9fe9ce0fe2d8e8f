import 'reflect-metadata';
import { loadConfig } from '@hookyard/config';
import { createProcessMetrics, openRuntime } from '@hookyard/data-access';
import {
  createProcessLogger,
  exitOnStartFailure,
  laterWorkerLiveness,
  onShutdownSignal,
  startWorkerRole,
  type WorkerRole,
} from '@hookyard/delivery';
import { defaultServiceName, startTracing } from '@hookyard/observability';
import { createApp } from './app.factory';

/** `npm start`: the API and the delivery worker in one process, or one of them (`HOOKYARD_ROLE`). */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createProcessLogger(config);
  const tracing = startTracing(config, defaultServiceName(config.role));
  // Both roles: the worker gets a pool of its own, so deliveries never hold the API's connections.
  const runtime = await openRuntime(config, 'serve', {
    separateWorkerPool: config.role === 'all',
    onWait: (message) => logger.warn(message),
  });
  runtime.notes.forEach((note) => logger.log(note));
  if (config.localMode)
    logger.warn(
      'local mode: plain http allowed to 127.0.0.1, [::1] and localhost only; never use it in production',
    );
  // One registry for both roles; /readyz of the API also checks the worker loop of this process.
  const metrics = createProcessMetrics(config, runtime.dataSource);
  let worker: WorkerRole | null = null;
  const liveness = config.role === 'api' ? null : laterWorkerLiveness(config, () => worker);
  const app =
    config.role === 'worker'
      ? null
      : (
          await createApp(config, runtime, {
            logger,
            requestLogger: logger.pino,
            metrics,
            worker: liveness,
          })
        ).app;
  if (app) {
    await app.listen(config.port, config.host);
    const base = `http://localhost:${config.port}`;
    logger.log(`API listening on ${base} (role: ${config.role})`);
    logger.log(`API docs: ${base}/docs  (OpenAPI: ${base}/openapi.json)`);
    logger.log(
      config.bootstrapApiKey
        ? 'API key: the one in HOOKYARD_BOOTSTRAP_API_KEY (default organization)'
        : 'Get an API key: npm run hookyard -- org create --name <name>   (or set HOOKYARD_BOOTSTRAP_API_KEY)',
    );
  }
  worker =
    config.role === 'api'
      ? null
      : startWorkerRole(
          config,
          { dataSource: runtime.workerDataSource, cipher: runtime.cipher },
          logger,
          metrics,
        );
  // The API stops taking requests while the worker stops claiming and drains its in-flight tries.
  onShutdownSignal(async () => {
    try {
      await Promise.all([app?.close(), worker?.stop()]);
      await runtime.close();
    } finally {
      await tracing.shutdown(); // last, and even after a failed stop: the spans of the final tries
    }
  });
}

main().catch(exitOnStartFailure);

import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { EmbeddedPostgresError } from '@hookyard/data-access';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/config';
import { healthSweepJob } from './delivery/health-sweep.job';
import { reencryptionJob } from './delivery/reencryption.job';
import { retentionJob } from './delivery/retention.job';
import { createDeliveryWorker } from './delivery/worker-runtime';
import { openRuntime } from './runtime';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = new ConsoleLogger('Hookyard', {
    logLevels:
      config.logLevel === 'silent'
        ? []
        : (['error', 'warn', 'log', 'debug'] as const).slice(
            0,
            ['error', 'warn', 'info', 'debug'].indexOf(config.logLevel) + 1,
          ),
  });
  const runtime = await openRuntime(config);
  runtime.notes.forEach((note) => logger.log(note));
  if (config.localMode)
    logger.warn(
      'local mode: plain http allowed to 127.0.0.1, [::1] and localhost only; never use it in production',
    );
  const app = config.role === 'worker' ? null : (await createApp(config, runtime, { logger })).app;
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
  const delivery = config.role === 'api' ? null : createDeliveryWorker(config, runtime);
  const retention = retentionJob(
    runtime.dataSource,
    config.retention.days,
    config.retention.intervalMs,
  );
  const healthSweep = healthSweepJob(runtime.dataSource, config.thresholds, config.healthSweepMs);
  const reencryption = reencryptionJob(runtime.dataSource, runtime.cipher, config.reencryptMs);
  if (delivery) {
    Logger.overrideLogger(logger);
    delivery.worker.start();
    retention.start();
    healthSweep.start();
    reencryption.start();
    void reencryption.runOnce();
    logger.log(`delivery worker started (concurrency ${config.worker.concurrency})`);
  }
  // One shutdown, whichever signal comes first and however often (npm passes Ctrl-C on as well):
  // the API stops taking requests while the worker stops claiming and drains its in-flight tries.
  let stopping: Promise<void> | null = null;
  const stop = async () => {
    await Promise.all([app?.close(), delivery?.worker.stop()]);
    await Promise.all([retention.stop(), healthSweep.stop(), reencryption.stop()]);
    delivery?.client.close();
    await runtime.close();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping ??= stop();
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError || error instanceof EmbeddedPostgresError ? `hookyard: ${error.message}` : error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});

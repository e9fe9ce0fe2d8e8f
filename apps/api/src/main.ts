import 'reflect-metadata';
import { loadConfig } from '@hookyard/config';
import { openRuntime } from '@hookyard/data-access';
import {
  createProcessLogger,
  exitOnStartFailure,
  onShutdownSignal,
  startWorkerRole,
} from '@hookyard/delivery';
import { createApp } from './app.factory';

/** `npm start`: the API and the delivery worker in one process, or one of them (`HOOKYARD_ROLE`). */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createProcessLogger(config);
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
  const worker = config.role === 'api' ? null : startWorkerRole(config, runtime, logger);
  // The API stops taking requests while the worker stops claiming and drains its in-flight tries.
  onShutdownSignal(async () => {
    await Promise.all([app?.close(), worker?.stop()]);
    await runtime.close();
  });
}

main().catch(exitOnStartFailure);

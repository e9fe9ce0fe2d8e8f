import { Logger } from '@nestjs/common';
import { ConfigError, type HookyardConfig } from '@hookyard/config';
import { EmbeddedPostgresError } from '@hookyard/data-access';
import { createLogger, type LoggerOutput, PinoLoggerService } from '@hookyard/observability';

/**
 * The process's logger: pino at `HOOKYARD_LOG_LEVEL`, JSON lines or pretty text
 * (`HOOKYARD_LOG_FORMAT`). NestJS's static `Logger` (the engine's `new Logger('DeliveryWorker')`)
 * writes through it too, and the API's request lines use its `pino`.
 */
export function createProcessLogger(
  config: Pick<HookyardConfig, 'logLevel' | 'logFormat'>,
  output?: LoggerOutput,
): PinoLoggerService {
  const logger = new PinoLoggerService(createLogger(config, output), 'Hookyard');
  Logger.overrideLogger(logger);
  return logger;
}

/**
 * One shutdown, whichever of SIGTERM and SIGINT comes first and however often (npm passes Ctrl-C on
 * as well): the process exits 0 once `stop` has finished, or writes one line saying why and exits 1
 * when it failed, so a failed shutdown never leaves the process running.
 */
export function onShutdownSignal(stop: () => Promise<void>): void {
  let stopping: Promise<void> | null = null;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping ??= stop().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(
            `hookyard: shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          process.exit(1);
        },
      );
    });
  }
}

/** Ends a process whose start failed: a configuration or data-directory problem is one line, exit 1. */
export function exitOnStartFailure(error: unknown): never {
  process.stderr.write(
    `${error instanceof ConfigError || error instanceof EmbeddedPostgresError ? `hookyard: ${error.message}` : error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
}

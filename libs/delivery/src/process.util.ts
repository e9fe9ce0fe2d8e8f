import { ConsoleLogger, Logger } from '@nestjs/common';
import { ConfigError, type HookyardConfig } from '@hookyard/config';
import { EmbeddedPostgresError } from '@hookyard/data-access';

const LEVELS = ['error', 'warn', 'log', 'debug'] as const;

/** The process's logger at the configured level; NestJS's static `Logger` (the engine's) uses it too. */
export function createProcessLogger(config: Pick<HookyardConfig, 'logLevel'>): ConsoleLogger {
  const count = ['error', 'warn', 'info', 'debug'].indexOf(config.logLevel) + 1;
  const logger = new ConsoleLogger('Hookyard', {
    logLevels: config.logLevel === 'silent' ? [] : LEVELS.slice(0, count),
  });
  Logger.overrideLogger(logger);
  return logger;
}

/**
 * One shutdown, whichever of SIGTERM and SIGINT comes first and however often (npm passes Ctrl-C on
 * as well); the process exits 0 once `stop` has finished.
 */
export function onShutdownSignal(stop: () => Promise<void>): void {
  let stopping: Promise<void> | null = null;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping ??= stop().then(() => process.exit(0));
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

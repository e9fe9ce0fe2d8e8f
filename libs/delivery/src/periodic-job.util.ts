import { Logger } from '@nestjs/common';

/**
 * Runs `work` every `intervalMs` in a worker process, never twice at once; a failure is logged and the
 * next tick tries again. `stop` waits for a run in progress.
 */
export class PeriodicJob {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<void>,
  ) {
    this.logger = new Logger(name);
  }

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  runOnce(): Promise<void> {
    this.running ??= this.work()
      .catch((error: unknown) =>
        this.logger.warn(
          `${this.name} failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }
}

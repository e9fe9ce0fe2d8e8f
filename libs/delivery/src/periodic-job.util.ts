import { Logger } from '@nestjs/common';

/**
 * Runs `work` every `intervalMs` in a worker process, never twice at once; a failure is logged and the
 * next tick tries again. `stop` aborts the signal `work` is given (a long run checks it between steps)
 * and waits for a run in progress.
 */
export class PeriodicJob {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly stopping = new AbortController();

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly work: (signal: AbortSignal) => Promise<void>,
  ) {
    this.logger = new Logger(name);
  }

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopping.abort();
    await this.running;
  }

  runOnce(): Promise<void> {
    this.running ??= this.work(this.stopping.signal)
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

import { Logger } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { purgeOlderThan } from '@hookyard/data-access';

/** Deletes attempts and finished events older than the retention window, periodically, in small batches. */
export class RetentionJob {
  private readonly logger = new Logger('Retention');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly days: number,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  runOnce(now = new Date()): Promise<void> {
    this.running ??= purgeOlderThan(
      this.dataSource,
      new Date(now.getTime() - this.days * 86_400_000),
    )
      .then(({ attempts, events }) => {
        if (attempts + events > 0)
          this.logger.log(`retention: deleted ${attempts} attempts and ${events} events`);
      })
      .catch((error: unknown) =>
        this.logger.warn(
          `retention failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }
}

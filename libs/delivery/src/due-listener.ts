import { Logger } from '@nestjs/common';
import { type Pool, type PoolClient } from 'pg';
import { type DataSource } from 'typeorm';
import { listenForDueDeliveries } from '@hookyard/data-access';

/**
 * Wakes an idle worker when ingest has made due deliveries (`LISTEN hookyard_deliveries_due` on one
 * connection of the pool), so a new event does not wait for the next poll. The poll stays the
 * fallback: a lost connection is opened again after a pause, and retries that fall due are found by
 * polling.
 */
export class DueListener {
  private readonly logger = new Logger('DueListener');
  private client: PoolClient | null = null;
  private running = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly onDue: () => void,
    private readonly reconnectMs = 1_000,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    if (this.retry) clearTimeout(this.retry);
    this.drop();
  }

  private async connect(): Promise<void> {
    const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
    if (!pool) return;
    let client: PoolClient | null = null;
    try {
      client = await pool.connect();
      client.on('notification', () => this.onDue());
      client.on('error', () => this.lost());
      await listenForDueDeliveries(client);
      if (!this.running) {
        client.release(true);
        return;
      }
      this.client = client;
    } catch (error) {
      client?.release(true);
      this.logger.warn(
        `listening for due deliveries failed (polling meanwhile): ${error instanceof Error ? error.message : String(error)}`,
      );
      this.lost();
    }
  }

  private lost(): void {
    this.drop();
    if (!this.running || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.running) void this.connect();
    }, this.reconnectMs);
  }

  private drop(): void {
    const client = this.client;
    this.client = null;
    if (client) client.release(true);
  }
}

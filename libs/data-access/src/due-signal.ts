import { type DataSource } from 'typeorm';
import { DELIVERIES_DUE_CHANNEL } from './repositories/event.repository';

/** What {@link listenForDueDeliveries} needs of a connection: a `pg` client has it. */
export interface ListeningClient {
  query(text: string): Promise<unknown>;
}

/**
 * Subscribes a dedicated connection to {@link DELIVERIES_DUE_CHANNEL}: it then emits `notification`
 * whenever a {@link DueSignal} is raised.
 */
export async function listenForDueDeliveries(client: ListeningClient): Promise<void> {
  await client.query(`LISTEN ${DELIVERIES_DUE_CHANNEL}`);
}

/** How long one process waits between two notifications: at most this many ms of extra latency. */
export const DUE_SIGNAL_WINDOW_MS = 10;

/**
 * Wakes idle workers when deliveries have become due, beside the commit that made them rather than
 * in it.
 *
 * A `NOTIFY` in the ingest transaction takes PostgreSQL's cluster-wide notification lock at commit
 * and holds it through the WAL flush, so every ingest commit queues behind the previous one: on this
 * machine 20 sessions inserting one row each commit about 6,600 times a second without it and 1,700
 * with it. Here the caller raises the signal after its commit, and the signal sends at most one
 * notification per window from its own short transaction that does not wait for the flush (a lost
 * notification costs latency only: workers poll as well).
 *
 * A raise while a notification is being sent is followed by another one, so a worker woken by the
 * earlier one cannot have claimed before the raiser's rows were committed and then slept.
 */
export class DueSignal {
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private sending = false;
  private raisedWhileSending = false;

  constructor(
    private readonly send: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly windowMs = DUE_SIGNAL_WINDOW_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A signal that notifies {@link DELIVERIES_DUE_CHANNEL} through `dataSource`'s pool. */
  static over(dataSource: DataSource, onError?: (error: unknown) => void): DueSignal {
    return new DueSignal(
      () =>
        // One round trip (the simple protocol runs the four as one transaction); nothing here needs
        // to be durable, so the commit does not wait for the flush.
        dataSource.query(
          `BEGIN; SET LOCAL synchronous_commit TO off; SELECT pg_notify('${DELIVERIES_DUE_CHANNEL}', ''); COMMIT`,
        ),
      onError,
    );
  }

  /** Says deliveries were committed that are due now. Never throws and never waits. */
  raise(): void {
    if (this.sending) {
      this.raisedWhileSending = true;
      return;
    }
    if (this.timer) return;
    const wait = this.lastSentAt + this.windowMs - this.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.timer = setTimeout(() => this.fire(), wait);
    this.timer.unref();
  }

  /** Drops a notification that is waiting for its window (the workers' poll finds the rows). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private fire(): void {
    this.timer = null;
    this.sending = true;
    this.lastSentAt = this.now();
    void this.sendOnce().finally(() => {
      this.sending = false;
      if (this.raisedWhileSending) {
        this.raisedWhileSending = false;
        this.raise();
      }
    });
  }

  /** Sends one notification; a failure (thrown or rejected) goes to `onError`. */
  private async sendOnce(): Promise<void> {
    try {
      await this.send();
    } catch (error) {
      this.onError(error);
    }
  }
}

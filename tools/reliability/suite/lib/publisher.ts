/** One publish the suite made: which event, when it left, and what the API answered. */
export interface Published {
  /** The suite's number of the event, 0-based. */
  readonly n: number;
  readonly topic: string;
  /** When the request was sent, ms since the epoch. */
  readonly sentAt: number;
  /** The HTTP status; 0 when no answer came (refused, reset, timed out). */
  readonly status: number;
  /** The event id (the `webhook-id` of its deliveries) when the API answered 2xx. */
  readonly id: string | null;
}

/**
 * The events the API acknowledged (2xx with an id): the `sent` of the figures
 * (docs/reliability.md).
 */
export function acknowledged(published: readonly Published[]): Published[] {
  return published.filter((p) => p.id !== null);
}

export interface PublishOptions {
  /** API base URL, `http://127.0.0.1:<port>`. */
  readonly base: string;
  readonly key: string;
  /** Publishes events 0 … count − 1, or exactly the `numbers` given (a client's retry). */
  readonly count: number;
  readonly numbers?: readonly number[];
  /** Publishers in flight at once, each waiting for its answer (default 10). */
  readonly concurrency?: number;
  readonly topic: (n: number) => string;
  readonly data?: (n: number) => Record<string, unknown>;
  /** Sent as `Idempotency-Key`, so a retry after a lost answer creates no second event. */
  readonly idempotencyKey?: (n: number) => string;
  /** Called after every answer, for tests that act mid-publish. */
  readonly onAnswer?: (published: Published) => void;
}

/** Publishes `count` events through `POST /v1/events`, `concurrency` at a time, recording each answer. */
export async function publish(options: PublishOptions): Promise<Published[]> {
  const { base, key, concurrency = 10, topic, data = () => ({}), idempotencyKey } = options;
  const numbers = options.numbers ?? Array.from({ length: options.count }, (_, n) => n);
  const results: Published[] = [];
  let next = 0;
  const one = async (n: number): Promise<Published> => {
    const sentAt = Date.now();
    const body = JSON.stringify({ topic: topic(n), data: { n, ...data(n) } });
    try {
      const response = await fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey(n) } : {}),
        },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      const answer = (await response.json().catch(() => null)) as { id?: unknown } | null;
      const id = response.ok && typeof answer?.id === 'string' ? answer.id : null;
      return { n, topic: topic(n), sentAt, status: response.status, id };
    } catch {
      return { n, topic: topic(n), sentAt, status: 0, id: null };
    }
  };
  const worker = async (): Promise<void> => {
    while (next < numbers.length) {
      const result = await one(numbers[next++] ?? 0);
      results.push(result);
      options.onAnswer?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, numbers.length) }, worker));
  return results.sort((a, b) => a.n - b.n);
}

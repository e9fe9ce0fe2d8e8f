import { figures, maxConcurrentAttemptsPerId, percentile } from './figures';
import { type LedgerEntry } from './ledger-entry';

function entry(
  endpoint: string,
  webhookId: string | null,
  acked: boolean,
  concurrent = 1,
): LedgerEntry {
  return {
    seq: 0,
    receivedAt: 0,
    method: 'POST',
    path: endpoint,
    endpoint,
    mode: 'ok',
    tls: false,
    webhookId,
    webhookTimestamp: null,
    signature: null,
    bodySha256: null,
    bodyBytes: 0,
    signatureValid: null,
    signatureError: null,
    attempt: 1,
    concurrent,
    status: acked ? 200 : 500,
    acked,
  };
}

describe('figures', () => {
  it('counts unique deliveries, losses, duplicates and foreign receipts', () => {
    const ledger = [
      entry('/a/ok', 'm1', true),
      entry('/a/ok', 'm1', true), // duplicate
      entry('/b/ok', 'm1', false), // failed attempt
      entry('/b/ok', 'm1', true),
      entry('/a/ok', 'm2', false), // never acknowledged: lost
      entry('/c/ok', 'm1', true), // nobody expected it
    ];
    const expected = [
      { endpoint: '/a/ok', webhookId: 'm1' },
      { endpoint: '/b/ok', webhookId: 'm1' },
      { endpoint: '/a/ok', webhookId: 'm2' },
      { endpoint: '/a/ok', webhookId: 'm2' }, // listed twice, expected once
    ];
    expect(figures(ledger, expected)).toEqual({
      expected: 3,
      delivered_unique: 2,
      lost: 1,
      duplicates: 1,
      unexpected: 1,
      max_concurrent_attempts_per_id: 1,
    });
  });

  it('reports the peak concurrency of one delivery, ignoring requests without an id', () => {
    expect(maxConcurrentAttemptsPerId([])).toBe(0);
    expect(
      maxConcurrentAttemptsPerId([
        entry('/a', 'm1', true, 1),
        entry('/a', 'm1', true, 2),
        entry('/a', null, true, 7),
      ]),
    ).toBe(2);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });
});

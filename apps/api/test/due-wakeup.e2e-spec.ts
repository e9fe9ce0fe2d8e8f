import { useDeliveryApp } from './harness';

/** The poll of this suite: far longer than any wait below, so only a notification can explain a send. */
const POLL_MS = 60_000;

describe('waking idle workers', () => {
  const fixture = useDeliveryApp({ HOOKYARD_POLL_INTERVAL_MS: String(POLL_MS) });

  it('sends a new event at once through LISTEN/NOTIFY, not at the next poll', async () => {
    await fixture.endpoint('/ok?wake');
    // Each round publishes to an idle worker and waits for the receipt well inside one poll.
    for (const round of [1, 2, 3]) {
      const published = await fixture.t.request('POST', '/v1/events', {
        key: fixture.key,
        body: { topic: 'post.created', data: { round } },
      });
      expect(published.status).toBe(202);
      const sentAt = Date.now();
      await fixture.receiver.waitFor(
        (ledger) => ledger.some((r) => r.webhookId === published.body.id),
        POLL_MS / 6,
      );
      const receipt = fixture.receiver
        .receipts('/ok?wake')
        .find((r) => r.webhookId === published.body.id);
      expect(receipt!.receivedAt - sentAt).toBeLessThan(POLL_MS / 6);
    }
  });
});

import { DELIVERY_ENV, endpointBody, eventually, startTestApp, type TestApp } from './harness';
import { parsePrometheusText } from './prometheus-text';
import { Receiver } from './receiver';

/** The API's `/metrics` of an app with a worker in the same process, one organization, one endpoint. */
describe('Prometheus metrics of the API with an in-process worker', () => {
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  let organizationId: string;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp({ ...DELIVERY_ENV, HOOKYARD_METRICS_PER_ORG: 'true' }, { worker: true });
    ({ apiKey: key, organizationId } = await t.createOrganization());
    const created = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: receiver.url('/ok?metrics-app') }),
    });
    expect(created.status).toBe(201);
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  const scrape = async () => {
    const response = await fetch(`${t.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    return parsePrometheusText(await response.text());
  };
  const accepted = async () =>
    (await scrape()).get(
      `hookyard_events_accepted_total{dialect="native",organization_id="${organizationId}"}`,
    ) ?? 0;
  const publish = (data: unknown, idempotencyKey: string) =>
    t.request('POST', '/v1/events', {
      key,
      headers: { 'idempotency-key': idempotencyKey },
      body: { topic: 'post.created', data },
    });

  it('counts an event once however often its idempotency key is replayed, alone or in a batch', async () => {
    const before = await accepted();
    const first = await publish({ n: 1 }, 'metrics-replay-1');
    expect(first.status).toBe(202);
    const replay = await publish({ n: 1 }, 'metrics-replay-1');
    expect([replay.status, replay.body.id]).toEqual([first.status, first.body.id]);
    expect(await accepted()).toBe(before + 1);

    const batch = await t.request('POST', '/v1/events/batch', {
      key,
      body: {
        events: [
          { topic: 'post.created', data: { n: 1 }, idempotencyKey: 'metrics-replay-1' }, // earlier
          { topic: 'post.created', data: { n: 2 }, idempotencyKey: 'metrics-replay-2' },
          { topic: 'post.created', data: { n: 2 }, idempotencyKey: 'metrics-replay-2' }, // same batch
          { topic: 'post.created', data: { n: 3 } },
        ],
      },
    });
    expect(batch.status).toBe(200);
    expect(
      (batch.body.data as { id?: string }[]).map((result) => typeof result.id === 'string'),
    ).toEqual([true, true, true, true]);
    expect(await accepted()).toBe(before + 3);
  });

  it("labels events accepted and deliveries with the organization's id when HOOKYARD_METRICS_PER_ORG is on", async () => {
    const published = await publish({ n: 'per-org' }, 'metrics-per-org');
    expect(published.status).toBe(202);
    await receiver.waitFor((ledger) => ledger.some((r) => r.webhookId === published.body.id));
    await eventually(async () => {
      const samples = await scrape();
      expect(
        samples.get(
          `hookyard_deliveries_total{organization_id="${organizationId}",outcome="success"}`,
        ),
      ).toBe(receiver.receipts('/ok?metrics-app').length);
    });
    const samples = await scrape();
    expect(samples.get('hookyard_events_accepted_total{dialect="native"}')).toBeUndefined();
    expect(samples.get('hookyard_deliveries_total{outcome="success"}')).toBeUndefined();
    // Durations stay per outcome only: a histogram per tenant would be a dozen series each.
    expect(
      [...samples.keys()].filter(
        (series) =>
          series.startsWith('hookyard_attempt_duration') && series.includes(organizationId),
      ),
    ).toEqual([]);
  });

  it('answers 503 without a problem body when the database-backed gauges cannot be read', async () => {
    await t.dataSource.query(`ALTER TABLE endpoints RENAME TO endpoints_away`);
    try {
      const response = await fetch(`${t.baseUrl}/metrics`);
      expect([response.status, await response.json()]).toEqual([
        503,
        { status: 'not_ready', database: 'down' },
      ]);
    } finally {
      await t.dataSource.query(`ALTER TABLE endpoints_away RENAME TO endpoints`);
    }
    expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(200);
  });
});

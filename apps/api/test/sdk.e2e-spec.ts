import { Hookyard, HookyardError, type BatchEvent } from '@hookyard/sdk';
import { eventually, type TestApp, useDeliveryApp } from './harness';
import { type Receiver } from './receiver';

/** The acceptance of the SDK: the running server driven through `@hookyard/sdk` alone. */
describe('the TypeScript SDK against the running server', () => {
  const fixture = useDeliveryApp({
    HOOKYARD_RETRY_SCHEDULE: '1s',
    HOOKYARD_PENALTY_AFTER: '1000',
    HOOKYARD_PAUSE_AFTER: '1000',
  });
  let t: TestApp;
  let receiver: Receiver;
  let hy: Hookyard;
  beforeAll(() => {
    ({ t, receiver } = fixture);
    hy = new Hookyard({ apiKey: fixture.key, baseUrl: t.baseUrl });
  });

  const firstError = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('the call succeeded');
      },
      (error: unknown) => error,
    );

  it('creates, updates and rotates an endpoint, publishes idempotently, and the delivery verifies at the receiver', async () => {
    const ep = await hy.endpoints.create({
      url: receiver.url('/ok?sdk'),
      name: 'SDK',
      topics: ['post.created'],
    });
    expect(ep.secret).toMatch(/^whsec_/);

    expect(await hy.endpoints.update(ep.id, { status: 'paused' })).toMatchObject({
      status: 'paused',
    });
    expect((await hy.endpoints.get(ep.id)).status).toBe('paused');
    await hy.endpoints.update(ep.id, { status: 'active' });

    const rotated = await hy.endpoints.rotateSecret(ep.id, { gracePeriodSeconds: 3600 });
    expect(rotated.secret).not.toBe(ep.secret);
    expect(rotated.previousSecrets.map((p) => p.secret)).toEqual([ep.secret]);
    expect(await hy.endpoints.getSecret(ep.id)).toEqual(rotated);

    const data = { id: 'p_1', title: 'Hello' };
    const first = await hy.events.publish(
      { topic: 'post.created', data },
      { idempotencyKey: 'order-42' },
    );
    const replay = await hy.events.publish(
      { topic: 'post.created', data },
      { idempotencyKey: 'order-42' },
    );
    expect(first.deliveries).toBe(1);
    expect(replay).toEqual(first);
    expect(await hy.events.get(first.id)).toMatchObject({
      id: first.id,
      idempotencyKey: 'order-42',
      data,
    });

    await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/ok?sdk'));
    const [receipt] = receiver.receipts('/ok?sdk');
    const verified = hy.webhooks.verify(receipt.body, receipt.headers, rotated.secret);
    expect(verified).toMatchObject({ id: first.id, payload: expect.objectContaining({ data }) });
    expect(hy.webhooks.verify(receipt.body, receipt.headers, ep.secret).id).toBe(first.id);
    expect(() => hy.webhooks.verify(`${receipt.body} `, receipt.headers, rotated.secret)).toThrow(
      expect.objectContaining({ code: 'NO_MATCHING_SIGNATURE' }),
    );
    expect(receiver.receipts('/ok?sdk')).toHaveLength(1);
  });

  it('publishes a batch, each event answered on its own, a repeated key replaying the first', async () => {
    const events: BatchEvent[] = [
      { topic: 'post.updated', data: { n: 1 }, idempotencyKey: 'batch-1' },
      { topic: 'post.updated', data: { n: 2 } },
      { topic: 'no.such.topic', data: {} },
      { topic: 'post.updated', data: { n: 1 }, idempotencyKey: 'batch-1' },
    ];
    const { data } = await hy.events.publishBatch(events);
    expect(data.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(data[0]?.id).toEqual(expect.any(String));
    expect(data[1]?.id).not.toBe(data[0]?.id);
    expect(data[2]?.error).toMatchObject({ status: 422, code: 'TOPIC_UNKNOWN' });
    expect(data[3]?.id).toBe(data[0]?.id);
  });

  it('iterates 250 attempts across pages by nextCursor', async () => {
    const bulk = await hy.endpoints.create({
      url: receiver.url('/ok?bulk'),
      topics: ['post.voted'],
    });
    for (let start = 0; start < 250; start += 100) {
      const batch = Array.from({ length: Math.min(100, 250 - start) }, (_, i) => ({
        topic: 'post.voted',
        data: { n: start + i },
      }));
      const { data } = await hy.events.publishBatch(batch);
      expect(data.filter((r) => r.error !== undefined)).toEqual([]);
    }
    await receiver.waitFor(
      (ledger) => ledger.filter((r) => r.path === '/ok?bulk').length === 250,
      30_000,
    );

    const first = await hy.endpoints.listAttempts(bulk.id, { limit: 100 }).page();
    expect(first.data).toHaveLength(100);
    expect(first.nextCursor).toEqual(expect.any(String));
    await eventually(async () => {
      const attempts = await hy.endpoints.listAttempts(bulk.id, { limit: 100 }).toArray();
      expect(attempts).toHaveLength(250);
      expect(new Set(attempts.map((a) => a.id)).size).toBe(250);
      expect(new Set(attempts.map((a) => a.eventId)).size).toBe(250);
      expect(attempts.every((a) => a.statusCode === 200 && a.endpointId === bulk.id)).toBe(true);
    }, 10_000);

    const listed: string[] = [];
    for await (const endpoint of hy.endpoints.list({ limit: 1 })) listed.push(endpoint.id);
    expect(listed).toContain(bulk.id);
    expect(listed).toEqual([...listed].sort());
  });

  it('sends a test message, retries a delivery, and recovers failed deliveries', async () => {
    const ep = await hy.endpoints.create({
      url: receiver.url('/status/500?sdk-recover'),
      topics: ['comment.created'],
    });
    const test = await hy.endpoints.sendTest(ep.id);
    expect(test).toMatchObject({ success: false, status: 500 });
    await hy.endpoints.update(ep.id, { url: receiver.url('/ok?sdk-test') });
    expect(await hy.endpoints.sendTest(ep.id)).toMatchObject({ success: true, status: 200 });

    await hy.endpoints.update(ep.id, { url: receiver.url('/status/500?sdk-recover') });
    const since = new Date(Date.now() - 60_000).toISOString();
    const failing = await hy.events.publish({ topic: 'comment.created', data: { n: 1 } });
    const retrying = await hy.events.publish({ topic: 'comment.created', data: { n: 2 } });
    await eventually(async () => {
      const deliveries = await hy.endpoints.listDeliveries(ep.id, { status: 'failed' }).toArray();
      expect(deliveries.map((d) => d.eventId).sort()).toEqual([failing.id, retrying.id].sort());
    }, 15_000);
    await hy.endpoints.update(ep.id, { url: receiver.url('/ok?sdk-recovered') });

    const [delivery] = await hy.events.listDeliveries(retrying.id).toArray();
    expect(delivery.topic).toBe('comment.created');
    expect(await hy.deliveries.retry(delivery.id)).toEqual({
      id: delivery.id,
      status: 'pending',
    });
    await receiver.waitFor((ledger) =>
      ledger.some((r) => r.path === '/ok?sdk-recovered' && r.webhookId === retrying.id),
    );
    await eventually(async () => {
      const attempts = await hy.deliveries.listAttempts(delivery.id, { limit: 1 }).toArray();
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(attempts[0]).toMatchObject({ trigger: 'manual', statusCode: 200 });
      expect(attempts.filter((a) => a.deliveryId !== delivery.id)).toEqual([]);
    });

    expect(await hy.endpoints.recover(ep.id, { since })).toEqual({ recovered: 1 });
    await receiver.waitFor((ledger) =>
      ledger.some((r) => r.path === '/ok?sdk-recovered' && r.webhookId === failing.id),
    );
  });

  it('lists topics and manages API keys', async () => {
    expect(await hy.topics.list().toArray()).toContain('post.created');
    const created = await hy.apiKeys.create({ name: 'sdk', permissions: ['WEBHOOK.READ'] });
    expect((await hy.apiKeys.list().toArray()).map((k) => k.id)).toContain(created.id);
    const reader = new Hookyard({ apiKey: created.key, baseUrl: t.baseUrl });
    expect(
      await firstError(reader.events.publish({ topic: 'post.created', data: {} })),
    ).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    await hy.apiKeys.revoke(created.id);
    expect(await firstError(reader.topics.list().page())).toMatchObject({ status: 401 });
  });

  it('throws HookyardError 401 UNAUTHENTICATED for a wrong key', async () => {
    const wrong = new Hookyard({ apiKey: 'hy_wrong_key_0123456789', baseUrl: t.baseUrl });
    const error = await firstError(wrong.endpoints.list().page());
    expect(error).toBeInstanceOf(HookyardError);
    expect(error).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
      requestId: expect.any(String),
    });
  });

  it('throws HookyardError 400 naming the url for a bad URL', async () => {
    const error = await firstError(
      hy.endpoints.create({ url: 'not a url', topics: ['post.created'] }),
    );
    expect(error).toBeInstanceOf(HookyardError);
    const problem = error as HookyardError;
    expect(problem.status).toBe(400);
    expect(problem.errors[0]?.path).toBe('url');
    expect(problem.problem).toMatchObject({ status: 400, code: problem.code });
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { endpointBody, eventually, type TestApp, useDeliveryApp } from './harness';
import { type Receiver } from './receiver';

describe('delivery log, test sends, retry and recover', () => {
  const fixture = useDeliveryApp({
    HOOKYARD_RETRY_SCHEDULE: '1s',
    HOOKYARD_PENALTY_AFTER: '1000',
    HOOKYARD_PAUSE_AFTER: '1000',
  });
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  beforeAll(() => ({ t, receiver, key } = fixture));

  const endpoint = fixture.endpoint;

  const testSend = (id: string, body: Record<string, unknown> = {}) =>
    t.request('POST', `/v1/endpoints/${id}/test`, { key, body });
  const publish = (topic: string) =>
    t.request('POST', '/v1/events', { key, body: { topic, data: { at: Date.now() } } });

  async function deliveriesOf(endpointId: string): Promise<any[]> {
    return (await t.request('GET', `/v1/endpoints/${endpointId}/deliveries?limit=200`, { key }))
      .body.data;
  }

  describe('attempts', () => {
    let target: { id: string };
    const sent: string[] = [];

    beforeAll(async () => {
      target = await endpoint('/ok?log');
      for (let i = 0; i < 60; i++) {
        const response = await testSend(target.id, { data: { i } });
        expect(response.body).toMatchObject({ success: true });
      }
      const all = await t.dataSource.query<{ id: string }[]>(
        `SELECT id FROM attempts WHERE endpoint_id = $1`,
        [target.id],
      );
      sent.push(...all.map((a) => a.id));
    });

    it('lists newest first, 50 by default', async () => {
      const page = await t.request('GET', `/v1/endpoints/${target.id}/attempts`, { key });
      expect(page.status).toBe(200);
      expect(page.body.data).toHaveLength(50);
      const times = page.body.data.map((a: { createdAt: string }) => Date.parse(a.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(page.body.data[0]).toMatchObject({
        trigger: 'test',
        statusCode: 200,
        errorClass: null,
        // The receiver is on 127.0.0.1, reached through the allow-list: a test send keeps no excerpt.
        responseExcerpt: null,
        eventId: null,
      });
      expect(page.body.nextCursor).toEqual(expect.any(String));
    });

    it('allows 200 and refuses 201', async () => {
      expect(
        (await t.request('GET', `/v1/endpoints/${target.id}/attempts?limit=200`, { key })).body
          .data,
      ).toHaveLength(60);
      const over = await t.request('GET', `/v1/endpoints/${target.id}/attempts?limit=201`, { key });
      expect(over.status).toBe(400);
      expect(over.body).toMatchObject({
        code: 'PAGINATION_INVALID',
        errors: [expect.objectContaining({ path: 'limit' })],
      });
      expect(
        (await t.request('GET', `/v1/endpoints/${target.id}/attempts?cursor=nope!`, { key }))
          .status,
      ).toBe(400);
    });

    it('continues across pages while new attempts arrive, each attempt exactly once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { data: { id: string }[]; nextCursor: string | null } } =
          await t.request(
            'GET',
            `/v1/endpoints/${target.id}/attempts?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
            { key },
          );
        seen.push(...page.body.data.map((a) => a.id));
        cursor = page.body.nextCursor;
        await testSend(target.id); // a newer attempt arrives between pages
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.sort()).toEqual([...sent].sort());
    });
  });

  describe('test sends', () => {
    it('answer with the receiver’s outcome, success or not; status and timing only from an allow-listed address', async () => {
      const ok = await endpoint('/ok?test-ok');
      const failing = await endpoint('/status/503?test-fail');
      expect((await testSend(ok.id)).body).toEqual({
        success: true,
        status: 200,
        durationMs: expect.any(Number),
      });
      const failed = await testSend(failing.id);
      expect(failed.status).toBe(200);
      expect(failed.body).toEqual({ success: false, status: 503, durationMs: expect.any(Number) });
      const received = receiver.receipts('/ok?test-ok')[0];
      expect(JSON.parse(received.body)).toMatchObject({ type: 'webhook.test' });
    });

    it('report a connection failure as an error', async () => {
      const hanging = await endpoint('/hang', { requestConfig: { timeoutMs: 1000 } });
      const response = await testSend(hanging.id);
      expect(response.body).toMatchObject({ success: false, error: { class: 'timeout' } });
    });

    it('never count toward health: ten failing test sends leave the endpoint active with clean health', async () => {
      const failing = await endpoint('/status/500?ten');
      for (let i = 0; i < 10; i++) expect((await testSend(failing.id)).body.success).toBe(false);
      const shown = (await t.request('GET', `/v1/endpoints/${failing.id}`, { key })).body;
      expect(shown).toMatchObject({
        status: 'active',
        lastStatus: null,
        health: { consecutiveFailures: 0, errorsSinceLastSuccess: 0 },
      });
      const attempts = (await t.request('GET', `/v1/endpoints/${failing.id}/attempts`, { key }))
        .body.data;
      expect(attempts).toHaveLength(10);
      expect(
        attempts.every(
          (a: { trigger: string; statusCode: number }) =>
            a.trigger === 'test' && a.statusCode === 500,
        ),
      ).toBe(true);
    });

    it('refuses an unknown topic', async () => {
      const ok = await endpoint('/ok?test-topic');
      expect((await testSend(ok.id, { topic: 'invoice.paid' })).status).toBe(422);
    });
  });

  describe('retry and recover', () => {
    it('D13 retries a failed delivery now, with the original webhook-id, recorded as manual', async () => {
      const target = await endpoint('/status/500?retry', { topics: ['ticket.created'] });
      const published = await publish('ticket.created');
      await eventually(
        async () =>
          expect((await deliveriesOf(target.id))[0]).toMatchObject({
            status: 'failed',
            attemptCount: 2,
          }),
        10_000,
      );
      await t.request('PATCH', `/v1/endpoints/${target.id}`, {
        key,
        body: { url: receiver.url('/ok?retried') },
      });
      const [delivery] = await deliveriesOf(target.id);
      const retried = await t.request('POST', `/v1/deliveries/${delivery.id}/retry`, { key });
      expect(retried.status).toBe(202);
      await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/ok?retried'));
      expect(receiver.receipts('/ok?retried')[0].webhookId).toBe(published.body.id);
      await eventually(async () => {
        const [newest] = (await t.request('GET', `/v1/endpoints/${target.id}/attempts`, { key }))
          .body.data;
        expect(newest).toMatchObject({
          trigger: 'manual',
          statusCode: 200,
          eventId: published.body.id,
        });
        expect((await deliveriesOf(target.id))[0]).toMatchObject({
          status: 'succeeded',
          attemptCount: 3,
        });
      });
    });

    it('D13 refuses to retry a delivery of a paused endpoint', async () => {
      const target = await endpoint('/status/500?paused-retry', { topics: ['ticket.updated'] });
      await publish('ticket.updated');
      await eventually(
        async () => expect((await deliveriesOf(target.id))[0]).toMatchObject({ status: 'failed' }),
        10_000,
      );
      await t.request('PATCH', `/v1/endpoints/${target.id}`, { key, body: { status: 'paused' } });
      const [delivery] = await deliveriesOf(target.id);
      const response = await t.request('POST', `/v1/deliveries/${delivery.id}/retry`, { key });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('CONFLICT');
    });

    it('recovers only that endpoint’s failed deliveries inside the window', async () => {
      const target = await endpoint('/status/500?recover', { topics: ['comment.updated'] });
      const other = await endpoint('/status/500?recover-other', { topics: ['comment.updated'] });
      const events: string[] = [];
      for (let i = 0; i < 3; i++) events.push((await publish('comment.updated')).body.id as string);
      await eventually(async () => {
        for (const id of [target.id, other.id]) {
          expect((await deliveriesOf(id)).map((d) => d.status)).toEqual([
            'failed',
            'failed',
            'failed',
          ]);
        }
      }, 15_000);
      const oldest = (await deliveriesOf(target.id)).find((d) => d.eventId === events[0]);
      await t.dataSource.query(
        `UPDATE deliveries SET created_at = now() - interval '2 days' WHERE id = $1`,
        [oldest.id],
      );
      await t.request('PATCH', `/v1/endpoints/${target.id}`, {
        key,
        body: { url: receiver.url('/ok?recovered') },
      });
      await t.request('PATCH', `/v1/endpoints/${other.id}`, {
        key,
        body: { url: receiver.url('/ok?not-recovered') },
      });
      const since = new Date(Date.now() - 86_400_000).toISOString();
      const recovered = await t.request('POST', `/v1/endpoints/${target.id}/recover`, {
        key,
        body: { since },
      });
      expect(recovered.status).toBe(202);
      expect(recovered.body).toEqual({ recovered: 2 });
      await receiver.waitFor(
        (ledger) => ledger.filter((r) => r.path === '/ok?recovered').length === 2,
      );
      expect(
        receiver
          .receipts('/ok?recovered')
          .map((r) => r.webhookId)
          .sort(),
      ).toEqual([events[1], events[2]].sort());
      // Recover answers after its update: anything it requeued by mistake is not failed below.
      expect(receiver.receipts('/ok?not-recovered')).toEqual([]);
      expect((await deliveriesOf(other.id)).map((d) => d.status)).toEqual([
        'failed',
        'failed',
        'failed',
      ]);
      expect((await deliveriesOf(target.id)).find((d) => d.id === oldest.id).status).toBe('failed');
    });

    it('recovers only failed deliveries: a succeeded one is not sent again, a pending one keeps its schedule, an older failed one stays', async () => {
      const topic = 'conversation.admin.closed';
      const target = await endpoint('/status/500?only-failed', { topics: [topic] });
      const statusOf = async (eventId: string) =>
        (await deliveriesOf(target.id)).find((d) => d.eventId === eventId);

      // Two failed deliveries; one of them is then moved before the window.
      const old = (await publish(topic)).body.id as string;
      const failed = (await publish(topic)).body.id as string;
      await eventually(async () => {
        for (const id of [old, failed])
          expect(await statusOf(id)).toMatchObject({ status: 'failed', attemptCount: 2 });
      }, 15_000);
      await t.dataSource.query(
        `UPDATE deliveries SET created_at = now() - interval '2 days' WHERE endpoint_id = $1 AND event_id = $2`,
        [target.id, old],
      );

      // One succeeded delivery.
      await t.request('PATCH', `/v1/endpoints/${target.id}`, {
        key,
        body: { url: receiver.url('/ok?only-failed-first') },
      });
      const succeeded = (await publish(topic)).body.id as string;
      await eventually(
        async () =>
          expect(await statusOf(succeeded)).toMatchObject({ status: 'succeeded', attemptCount: 1 }),
        10_000,
      );

      // One pending delivery whose next attempt is a day away (made while paused, so no worker takes it first).
      await t.request('PATCH', `/v1/endpoints/${target.id}`, { key, body: { status: 'paused' } });
      const pending = (await publish(topic)).body.id as string;
      await t.dataSource.query(
        `UPDATE deliveries SET next_attempt_at = now() + interval '1 day' WHERE endpoint_id = $1 AND event_id = $2`,
        [target.id, pending],
      );
      const activated = await t.request('PATCH', `/v1/endpoints/${target.id}`, {
        key,
        body: { status: 'active', url: receiver.url('/ok?only-failed-after') },
      });
      expect(activated.body.status).toBe('active');
      const pendingBefore = await statusOf(pending);
      expect(pendingBefore).toMatchObject({ status: 'pending', attemptCount: 0 });

      const recovered = await t.request('POST', `/v1/endpoints/${target.id}/recover`, {
        key,
        body: { since: new Date(Date.now() - 3_600_000).toISOString() },
      });
      expect(recovered.status).toBe(202);
      expect(recovered.body).toEqual({ recovered: 1 });

      await receiver.waitFor((ledger) =>
        ledger.some((r) => r.path === '/ok?only-failed-after' && r.webhookId === failed),
      );
      await eventually(async () =>
        expect(await statusOf(failed)).toMatchObject({ status: 'succeeded', attemptCount: 1 }),
      );
      // A window, not a condition: a delivery requeued by mistake would be due with the recovered
      // one, which has landed; its try count restarts at 0, so its state alone may not show it.
      await sleep(200);
      expect(receiver.receipts('/ok?only-failed-after').map((r) => r.webhookId)).toEqual([failed]);
      expect(receiver.ledger.filter((r) => r.webhookId === succeeded)).toHaveLength(1);
      expect(receiver.ledger.filter((r) => r.webhookId === pending)).toEqual([]);
      expect(await statusOf(succeeded)).toMatchObject({ status: 'succeeded', attemptCount: 1 });
      expect(await statusOf(old)).toMatchObject({ status: 'failed', attemptCount: 2 });
      expect(await statusOf(pending)).toEqual(pendingBefore);
      const [pendingRow] = await t.dataSource.query<{ next_trigger: string; due_later: boolean }[]>(
        `SELECT next_trigger, next_attempt_at > now() + interval '1 hour' AS due_later
         FROM deliveries WHERE endpoint_id = $1 AND event_id = $2`,
        [target.id, pending],
      );
      expect(pendingRow).toEqual({ next_trigger: 'scheduled', due_later: true });
    });

    it('refuses a recover without a valid since', async () => {
      const target = await endpoint('/ok?recover-bad');
      const response = await t.request('POST', `/v1/endpoints/${target.id}/recover`, {
        key,
        body: { since: 'yesterday' },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].path).toBe('since');
    });
  });

  describe('events and deliveries', () => {
    it('shows an event and its deliveries, filtered by status', async () => {
      const a = await endpoint('/ok?event-a', { topics: ['post.voted'] });
      await endpoint('/status/500?event-b', { topics: ['post.voted'] });
      const published = await t.request('POST', '/v1/events', {
        key,
        body: { topic: 'post.voted', data: { id: 7 }, previousData: { id: 6 } },
      });
      const event = await t.request('GET', `/v1/events/${published.body.id}`, { key });
      expect(event.body).toMatchObject({
        id: published.body.id,
        topic: 'post.voted',
        data: { id: 7 },
        previousData: { id: 6 },
      });
      await eventually(async () => {
        const deliveries = (
          await t.request('GET', `/v1/events/${published.body.id}/deliveries`, { key })
        ).body.data;
        expect(deliveries.map((d: { status: string }) => d.status).sort()).toEqual([
          'failed',
          'succeeded',
        ]);
      }, 10_000);
      const succeeded = await t.request(
        'GET',
        `/v1/endpoints/${a.id}/deliveries?status=succeeded`,
        { key },
      );
      expect(succeeded.body.data.map((d: { eventId: string }) => d.eventId)).toEqual([
        published.body.id,
      ]);
      expect(
        (await t.request('GET', `/v1/endpoints/${a.id}/deliveries?status=failed`, { key })).body
          .data,
      ).toEqual([]);
    });

    it('keeps another tenant’s events, deliveries and attempts out of reach (404)', async () => {
      const other = await t.createOrganization();
      const mine = await endpoint('/ok?isolation', { topics: ['post.deleted'] });
      const published = await publish('post.deleted');
      await eventually(async () =>
        expect((await deliveriesOf(mine.id))[0]).toMatchObject({ status: 'succeeded' }),
      );
      const [delivery] = await deliveriesOf(mine.id);
      for (const [method, path] of [
        ['GET', `/v1/events/${published.body.id}`],
        ['GET', `/v1/events/${published.body.id}/deliveries`],
        ['GET', `/v1/endpoints/${mine.id}/attempts`],
        ['GET', `/v1/endpoints/${mine.id}/deliveries`],
        ['POST', `/v1/endpoints/${mine.id}/test`],
        ['POST', `/v1/endpoints/${mine.id}/recover`],
        ['POST', `/v1/deliveries/${delivery.id}/retry`],
      ] as const) {
        const body = path.endsWith('recover')
          ? { since: new Date().toISOString() }
          : method === 'POST'
            ? {}
            : undefined;
        const response = await t.request(method, path, { key: other.apiKey, body });
        expect([path, response.status]).toEqual([path, 404]);
      }
    });
  });

  it('K2 never returns a password, an API key or a signing secret in an attempt', async () => {
    const basic = await endpoint('/ok?redact-basic', {
      topics: ['changelog.published'],
      authentication: { type: 'basic', username: 'u', password: 'CanaryPassword9' },
    });
    const apiKey = await endpoint('/ok?redact-key', {
      topics: ['changelog.published'],
      authentication: { type: 'api_key', headerName: 'X-Api-Key', apiKey: 'CanaryApiKey9' },
    });
    await publish('changelog.published');
    await testSend(basic.id);
    await testSend(apiKey.id);
    await eventually(async () => {
      for (const id of [basic.id, apiKey.id])
        expect(
          (await t.request('GET', `/v1/endpoints/${id}/attempts`, { key })).body.data,
        ).toHaveLength(2);
    });
    const text = JSON.stringify([
      (await t.request('GET', `/v1/endpoints/${basic.id}/attempts`, { key })).body,
      (await t.request('GET', `/v1/endpoints/${apiKey.id}/attempts`, { key })).body,
    ]);
    for (const secret of [
      'CanaryPassword9',
      'CanaryApiKey9',
      Buffer.from('u:CanaryPassword9').toString('base64'),
      basic.secret,
      apiKey.secret,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });
});

describe('S7 test sends to a blocked target', () => {
  const fixture = useDeliveryApp({ HOOKYARD_OUTBOUND_ALLOW: '' });
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  beforeAll(() => ({ t, receiver, key } = fixture));

  it('answers 200 with an ssrf_blocked error, logs a test attempt, and sends nothing', async () => {
    const created = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: 'https://example.com/x' }),
    });
    expect(created.status).toBe(201);
    // The write-time check refuses 127.0.0.1, so the row is pointed there behind the API's back.
    await t.dataSource.query(`UPDATE endpoints SET url = $1 WHERE id = $2`, [
      receiver.url('/ok?test-blocked'),
      created.body.id,
    ]);
    const response = await t.request('POST', `/v1/endpoints/${created.body.id}/test`, {
      key,
      body: {},
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      success: false,
      durationMs: expect.any(Number),
      error: { class: 'ssrf_blocked', message: expect.any(String) },
    });
    const attempts = (await t.request('GET', `/v1/endpoints/${created.body.id}/attempts`, { key }))
      .body.data;
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      trigger: 'test',
      errorClass: 'ssrf_blocked',
      statusCode: null,
      deliveryId: null,
      eventId: null,
    });
    expect(receiver.ledger).toEqual([]);
    expect(
      (await t.request('GET', `/v1/endpoints/${created.body.id}`, { key })).body,
    ).toMatchObject({ status: 'active', lastStatus: null, health: { consecutiveFailures: 0 } });
  });
});

/** A receiver that never answers and counts the requests hanging on it at once. */
class HangingReceiver {
  inFlight = 0;
  maxInFlight = 0;
  total = 0;
  private readonly server: Server = createServer((request, response) => {
    this.total++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    response.once('close', () => this.inFlight--);
    request.resume();
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('S7 test send concurrency cap per organization', () => {
  const fixture = useDeliveryApp({ HOOKYARD_TEST_SEND_CONCURRENCY: '2' });
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  const hanging = new HangingReceiver();
  beforeAll(async () => {
    ({ t, receiver, key } = fixture);
    await hanging.start();
  });
  afterAll(() => hanging.stop());

  const rawTestSend = async (id: string) => {
    const response = await fetch(`${t.baseUrl}/v1/endpoints/${id}/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type') ?? '',
      body: (await response.json()) as Record<string, any>,
    };
  };

  it('answers 429 with Retry-After above the cap, and never has more than 2 in flight', async () => {
    const created = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: hanging.url('/hang'), requestConfig: { timeoutMs: 3000 } }),
    });
    expect(created.status).toBe(201);
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => rawTestSend(created.body.id)),
    );
    expect(Date.now() - started).toBeLessThan(3000 + 7000);

    const limited = responses.filter((r) => r.status === 429);
    const admitted = responses.filter((r) => r.status === 200);
    expect(limited.length + admitted.length).toBe(5);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(admitted.length).toBeLessThanOrEqual(2);
    for (const response of limited) {
      expect(response.retryAfter).toMatch(/^\d+$/);
      expect(response.contentType).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    }
    for (const response of admitted)
      expect(response.body).toMatchObject({ success: false, error: { class: 'timeout' } });
    expect(hanging.total).toBe(admitted.length);
    expect(hanging.maxInFlight).toBeGreaterThanOrEqual(1);
    expect(hanging.maxInFlight).toBeLessThanOrEqual(2);

    // The slots are given back: the next test send goes through.
    const ok = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: receiver.url('/ok?after-cap') }),
    });
    expect((await rawTestSend(ok.body.id)).body).toMatchObject({ success: true, status: 200 });
  });
});

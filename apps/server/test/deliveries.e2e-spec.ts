import { Webhook } from 'standardwebhooks';
import { endpointBody, eventually, type TestApp, useDeliveryApp } from './harness';
import { type Receiver } from './receiver';

describe('event ingest and delivery', () => {
  const fixture = useDeliveryApp();
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  beforeAll(() => ({ t, receiver, key } = fixture));

  async function endpoint(
    path: string,
    overrides: Record<string, unknown> = {},
  ): Promise<{ id: string; secret: string }> {
    const response = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: receiver.url(path), ...overrides }),
    });
    expect(response.status).toBe(201);
    return response.body;
  }

  async function publish(
    topic: string,
    data: unknown,
    headers: Record<string, string> = {},
    previousData?: unknown,
  ) {
    return t.request('POST', '/v1/events', {
      key,
      body: { topic, data, ...(previousData ? { previousData } : {}) },
      headers,
    });
  }

  async function attempts(deliveryEndpointId: string): Promise<
    {
      status_code: number | null;
      error_class: string | null;
      request_headers: Record<string, string>;
    }[]
  > {
    return t.dataSource.query(
      `SELECT * FROM attempts WHERE endpoint_id = $1 ORDER BY created_at, id`,
      [deliveryEndpointId],
    );
  }

  it('delivers a signed event that verifies with the standardwebhooks package', async () => {
    const target = await endpoint('/ok?verify', {
      topics: ['post.created'],
      includePreviousData: true,
    });
    const published = await publish(
      'post.created',
      { id: 'p1', title: 'Ünïcode ✓', n: 12345678901234567890 },
      {},
      { title: 'old' },
    );
    expect(published.status).toBe(202);
    expect(published.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), deliveries: 1 });
    await receiver.waitFor((ledger) => ledger.some((r) => r.webhookId === published.body.id));
    const receipt = receiver.receipts('/ok?verify')[0];
    const verified = new Webhook(target.secret).verify(
      receipt.body,
      receipt.headers as Record<string, string>,
    ) as Record<string, unknown>;
    expect(verified).toMatchObject({
      type: 'post.created',
      data: { id: 'p1', title: 'Ünïcode ✓' },
      previous: { title: 'old' },
    });
    expect(receipt.headers['content-type']).toBe('application/json');
    expect(receipt.headers['webhook-id']).toBe(published.body.id);
  });

  it('leaves previous data out for endpoints that do not ask for it', async () => {
    await endpoint('/ok?no-previous', { topics: ['post.updated'] });
    const published = await publish('post.updated', { id: 'p2' }, {}, { id: 'p2-old' });
    await receiver.waitFor((ledger) => ledger.some((r) => r.webhookId === published.body.id));
    const body = JSON.parse(receiver.receipts('/ok?no-previous')[0].body) as Record<
      string,
      unknown
    >;
    expect(body).toEqual({
      type: 'post.updated',
      timestamp: expect.any(String),
      data: { id: 'p2' },
    });
  });

  it('routes by topic: only subscribed endpoints get an event', async () => {
    await endpoint('/ok?route-a', { topics: ['ticket.created'] });
    await endpoint('/ok?route-b', { topics: ['comment.*'] });
    const events = [
      ['ticket.created', 'a'],
      ['comment.created', 'b'],
      ['comment.deleted', 'b'],
      ['changelog.published', 'none'],
    ] as const;
    const ids = [];
    for (const [topic] of events) ids.push((await publish(topic, { topic })).body);
    expect(ids.map((p) => p.deliveries)).toEqual([1, 1, 1, 0]);
    await receiver.waitFor(
      (ledger) => ledger.filter((r) => r.path.startsWith('/ok?route-')).length >= 3,
    );
    const routed = receiver.receipts().filter((r) => r.path.startsWith('/ok?route-'));
    expect(
      routed.filter((r) => r.path === '/ok?route-a').map((r) => JSON.parse(r.body).type),
    ).toEqual(['ticket.created']);
    expect(
      routed
        .filter((r) => r.path === '/ok?route-b')
        .map((r) => JSON.parse(r.body).type)
        .sort(),
    ).toEqual(['comment.created', 'comment.deleted']);
  });

  it('never delivers one tenant’s event to another tenant’s endpoint', async () => {
    const other = await t.createOrganization();
    await t.request('POST', '/v1/endpoints', {
      key: other.apiKey,
      body: endpointBody({ url: receiver.url('/ok?tenant-b'), topics: ['post.voted'] }),
    });
    await endpoint('/ok?tenant-a', { topics: ['post.voted'] });
    const published = await publish('post.voted', { id: 1 });
    expect(published.body.deliveries).toBe(1);
    await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/ok?tenant-a'));
    expect(receiver.receipts('/ok?tenant-b')).toEqual([]);
  });

  describe('idempotent ingest', () => {
    it('returns the first result for a repeated key and creates nothing more', async () => {
      await endpoint('/ok?idem', { topics: ['ticket.updated'] });
      const first = await publish('ticket.updated', { id: 't1' }, { 'idempotency-key': 'key-1' });
      const again = await Promise.all(
        Array.from({ length: 10 }, () =>
          publish('ticket.updated', { id: 't1' }, { 'idempotency-key': 'key-1' }),
        ),
      );
      for (const response of again) expect(response.body).toEqual(first.body);
      const [row] = await t.dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM events WHERE idempotency_key = 'key-1'`,
      );
      expect(Number(row.n)).toBe(1);
      const [deliveries] = await t.dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM deliveries WHERE event_id = $1`,
        [first.body.id],
      );
      expect(Number(deliveries.n)).toBe(1);
    });

    it('answers 422 for the same key with another body', async () => {
      await publish('ticket.updated', { id: 't2' }, { 'idempotency-key': 'key-2' });
      const reused = await publish(
        'ticket.updated',
        { id: 'different' },
        { 'idempotency-key': 'key-2' },
      );
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it.each([
      ['an unknown topic', { topic: 'invoice.paid', data: {} }, 422, 'TOPIC_UNKNOWN'],
      ['no data', { topic: 'post.created' }, 400, 'VALIDATION_FAILED'],
      [
        'an extra property',
        { topic: 'post.created', data: {}, orgId: 'x' },
        400,
        'PROPERTY_NOT_ALLOWED',
      ],
    ])('refuses %s and stores nothing', async (_, body, status, code) => {
      const [before] = await t.dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM events`,
      );
      const response = await t.request('POST', '/v1/events', { key, body });
      expect(response.status).toBe(status);
      expect(response.body.code).toBe(code);
      const [after] = await t.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM events`);
      expect(after.n).toBe(before.n);
    });
  });

  describe('retries', () => {
    it('retries on the configured schedule with the same webhook-id and a fresh signature each time', async () => {
      const target = await endpoint('/flaky/2', { topics: ['comment.updated'] });
      const published = await publish('comment.updated', { id: 'c1' });
      await receiver.waitFor(
        (ledger) => ledger.filter((r) => r.path === '/flaky/2' && r.status === 200).length === 1,
        20_000,
      );
      const tries = receiver.receipts('/flaky/2');
      expect(tries.map((r) => r.status)).toEqual([500, 500, 200]);
      expect(new Set(tries.map((r) => r.webhookId))).toEqual(new Set([published.body.id]));
      const gaps = tries.slice(1).map((r, i) => r.receivedAt - tries[i].receivedAt);
      for (const gap of gaps) {
        expect(gap).toBeGreaterThanOrEqual(750);
        expect(gap).toBeLessThan(3000);
      }
      for (const receipt of tries) {
        expect(() =>
          new Webhook(target.secret).verify(
            receipt.body,
            receipt.headers as Record<string, string>,
          ),
        ).not.toThrow();
      }
      expect(new Set(tries.map((r) => r.headers['webhook-timestamp'])).size).toBeGreaterThan(1);
    });

    it('gives up after the last retry and marks the delivery failed', async () => {
      const target = await endpoint('/status/500?exhaust', { topics: ['comment.deleted'] });
      await publish('comment.deleted', { id: 'c2' });
      await receiver.waitFor(
        (ledger) => ledger.filter((r) => r.path === '/status/500?exhaust').length === 4,
        20_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(receiver.receipts('/status/500?exhaust')).toHaveLength(4);
      const [delivery] = await t.dataSource.query<{ status: string; attempt_count: number }[]>(
        `SELECT status, attempt_count FROM deliveries WHERE endpoint_id = $1`,
        [target.id],
      );
      expect(delivery).toEqual({ status: 'failed', attempt_count: 4 });
      expect((await attempts(target.id)).map((a) => a.error_class)).toEqual([
        'http_status',
        'http_status',
        'http_status',
        'http_status',
      ]);
    });

    it.each([
      ['a 429', '/retry-after/3', 'post.deleted'],
      ['a 503', '/unavailable/3', 'ticket.deleted'],
    ])('honours Retry-After on %s', async (_, path, topic) => {
      await endpoint(path, { topics: [topic] });
      await publish(topic, { id: path });
      await receiver.waitFor(
        (ledger) => ledger.filter((r) => r.path === path).length === 2,
        20_000,
      );
      const [first, second] = receiver.receipts(path);
      expect([first.status, second.status]).toEqual([path.startsWith('/retry') ? 429 : 503, 200]);
      expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(2900);
    });

    it('records a redirect as a failure and does not follow it', async () => {
      const target = await endpoint('/redirect', { topics: ['changelog.published'] });
      const okBefore = receiver.receipts('/ok').length;
      await publish('changelog.published', { id: 'cl' });
      await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/redirect'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.receipts('/ok')).toHaveLength(okBefore);
      const [attempt] = await attempts(target.id);
      expect(attempt).toMatchObject({ status_code: 302, error_class: 'http_status' });
    });
  });

  describe('outbound authentication and redaction', () => {
    it('sends basic auth and custom headers, and stores them redacted', async () => {
      const target = await endpoint('/ok?auth', {
        topics: ['conversation.read'],
        requestConfig: { headers: { 'X-Team': 'blue', 'X-Auth-Token': 'CanaryToken1' } },
        authentication: { type: 'basic', username: 'hook', password: 'CanaryPw123' },
      });
      await publish('conversation.read', {});
      await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/ok?auth'));
      const receipt = receiver.receipts('/ok?auth')[0];
      expect(receipt.headers['authorization']).toBe(
        `Basic ${Buffer.from('hook:CanaryPw123').toString('base64')}`,
      );
      expect(receipt.headers['x-team']).toBe('blue');
      expect(receipt.headers['x-auth-token']).toBe('CanaryToken1');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const [attempt] = await attempts(target.id);
      expect(attempt.request_headers['authorization']).toBe('[redacted]');
      expect(JSON.stringify(attempt)).not.toContain('CanaryPw123');
      expect(JSON.stringify(attempt)).not.toContain('CanaryToken1');
    });

    it('sends an API key header', async () => {
      await endpoint('/ok?apikey', {
        topics: ['conversation.deleted'],
        authentication: { type: 'api_key', headerName: 'X-Receiver-Key', apiKey: 'abc123' },
      });
      await publish('conversation.deleted', {});
      await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/ok?apikey'));
      expect(receiver.receipts('/ok?apikey')[0].headers['x-receiver-key']).toBe('abc123');
    });
  });

  describe('SSRF guard', () => {
    it.each([
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.2]/',
      'http://2130706434/',
    ])('refuses %s when it is written', async (url) => {
      const response = await t.request('POST', '/v1/endpoints', {
        key,
        body: endpointBody({ url }),
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('TARGET_NOT_ALLOWED');
    });

    it('refuses at connect time an address the allow-list does not name, and sends nothing', async () => {
      const target = await endpoint('/ok?ssrf', { topics: ['conversation.admin.noted'] });
      const blockedUrl = receiver.url('/ok?ssrf').replace('127.0.0.1', '127.0.0.2');
      await t.dataSource.query(`UPDATE endpoints SET url = $1 WHERE id = $2`, [
        blockedUrl,
        target.id,
      ]);
      await publish('conversation.admin.noted', {});
      const deadline = Date.now() + 10_000;
      while ((await attempts(target.id)).length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const [attempt] = await attempts(target.id);
      expect(attempt).toMatchObject({ status_code: null, error_class: 'ssrf_blocked' });
      expect(receiver.receipts('/ok?ssrf')).toEqual([]);
    });
  });

  it('exposes Prometheus metrics of endpoints, the queue and recent attempts', async () => {
    await endpoint('/ok?metrics', { topics: ['post.created'] });
    const published = await publish('post.created', { id: 'metrics' });
    await receiver.waitFor((ledger) => ledger.some((r) => r.webhookId === published.body.id));
    await eventually(async () => {
      const response = await fetch(`${t.baseUrl}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toMatch(/^hookyard_endpoints\{status="active"\} [1-9]\d*$/m);
      expect(text).toMatch(/^hookyard_deliveries_pending \d+$/m);
      expect(text).toMatch(/^hookyard_attempts_recent\{outcome="success"\} [1-9]\d*$/m);
      expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    });
  });

  describe('secret rotation during deliveries', () => {
    it('signs with both secrets during the grace window, and with the new one only after a rotation without grace', async () => {
      const target = await endpoint('/ok?rotation', { topics: ['conversation.admin.opened'] });
      const rotated = await t.request('POST', `/v1/endpoints/${target.id}/secret/rotate`, {
        key,
        body: { gracePeriodSeconds: 3600 },
      });
      let published = await publish('conversation.admin.opened', { n: 1 });
      await receiver.waitFor((ledger) => ledger.some((r) => r.webhookId === published.body.id));
      let receipt = receiver
        .receipts('/ok?rotation')
        .find((r) => r.webhookId === published.body.id)!;
      expect(String(receipt.headers['webhook-signature']).split(' ')).toHaveLength(2);
      for (const secret of [target.secret, rotated.body.secret]) {
        expect(() =>
          new Webhook(secret).verify(receipt.body, receipt.headers as Record<string, string>),
        ).not.toThrow();
      }
      const refreshed = await t.request('POST', `/v1/endpoints/${target.id}/secret/rotate`, {
        key,
        body: { gracePeriodSeconds: 0 },
      });
      published = await publish('conversation.admin.opened', { n: 2 });
      await receiver.waitFor((ledger) => ledger.some((r) => r.webhookId === published.body.id));
      receipt = receiver.receipts('/ok?rotation').find((r) => r.webhookId === published.body.id)!;
      expect(String(receipt.headers['webhook-signature']).split(' ')).toHaveLength(2); // the 1 h grace secret is still valid
      expect(() =>
        new Webhook(refreshed.body.secret).verify(
          receipt.body,
          receipt.headers as Record<string, string>,
        ),
      ).not.toThrow();
      expect(() =>
        new Webhook(rotated.body.secret).verify(
          receipt.body,
          receipt.headers as Record<string, string>,
        ),
      ).toThrow();
    });
  });

  describe('slow receivers', () => {
    it('ends a hanging attempt at the endpoint timeout and keeps delivering to others', async () => {
      const hanging = await endpoint('/hang', {
        topics: ['conversation.priority.updated'],
        requestConfig: { timeoutMs: 1000 },
      });
      await endpoint('/ok?beside-hang', { topics: ['conversation.priority.updated'] });
      await publish('conversation.priority.updated', {});
      await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/ok?beside-hang'));
      const deadline = Date.now() + 10_000;
      while ((await attempts(hanging.id)).length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const [attempt] = await t.dataSource.query<{ error_class: string; duration_ms: number }[]>(
        `SELECT error_class, duration_ms FROM attempts WHERE endpoint_id = $1`,
        [hanging.id],
      );
      expect(attempt.error_class).toBe('timeout');
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(900);
      expect(attempt.duration_ms).toBeLessThan(2500);
    });

    it('records resets, dripping and huge bodies as attempts and stays healthy', async () => {
      const topic = 'conversation.handover_requested';
      const reset = await endpoint('/reset', { topics: [topic] });
      const drip = await endpoint('/drip', { topics: [topic], requestConfig: { timeoutMs: 1000 } });
      const huge = await endpoint('/huge/20', { topics: [topic] });
      await endpoint('/ok?beside-misbehaving', { topics: [topic] });
      await publish(topic, {});
      await receiver.waitFor((ledger) => ledger.some((r) => r.path === '/ok?beside-misbehaving'));
      await eventually(async () => {
        const rows = await t.dataSource.query<
          {
            endpoint_id: string;
            error_class: string | null;
            status_code: number | null;
            response_excerpt: string | null;
          }[]
        >(
          `SELECT endpoint_id, error_class, status_code, response_excerpt FROM attempts WHERE endpoint_id = ANY($1::char(24)[])`,
          [[reset.id, drip.id, huge.id]],
        );
        const byEndpoint = new Map(rows.map((row) => [row.endpoint_id, row]));
        expect(byEndpoint.get(reset.id)).toMatchObject({
          error_class: 'connect',
          status_code: null,
        });
        expect(byEndpoint.get(drip.id)).toMatchObject({ error_class: 'timeout' });
        expect(byEndpoint.get(huge.id)).toMatchObject({ error_class: null, status_code: 200 });
        expect(byEndpoint.get(huge.id)?.response_excerpt?.length).toBeLessThanOrEqual(4096);
      }, 10_000);
      const memory = process.memoryUsage().rss;
      expect(memory).toBeLessThan(1024 * 1024 * 1024); // the 20 MB body was not buffered
    });

    it('does not let a hanging endpoint with a backlog starve a healthy one (R8)', async () => {
      await endpoint('/hang?backlog', {
        topics: ['conversation.contact.attached'],
        requestConfig: { timeoutMs: 3000 },
      });
      for (let i = 0; i < 40; i++) await publish('conversation.contact.attached', { i });
      await endpoint('/ok?healthy', { topics: ['conversation.contact.detached'] });
      const published: { id: string; at: number }[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await publish('conversation.contact.detached', { i });
        published.push({ id: response.body.id, at: Date.now() });
      }
      await receiver.waitFor(
        (ledger) => ledger.filter((r) => r.path === '/ok?healthy').length === 5,
        10_000,
      );
      const receipts = receiver.receipts('/ok?healthy');
      const latencies = published.map(
        (p) => (receipts.find((r) => r.webhookId === p.id)?.receivedAt ?? Infinity) - p.at,
      );
      process.stdout.write(
        `R8 healthy endpoint beside a hanging backlog: max latency ${Math.max(...latencies)} ms\n`,
      );
      expect(Math.max(...latencies)).toBeLessThan(2000);
    });
  });
});

describe('SSRF guard with an empty allow-list', () => {
  const fixture = useDeliveryApp({ HOOKYARD_OUTBOUND_ALLOW: '' });
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  beforeAll(() => ({ t, receiver, key } = fixture));

  it.each([
    'http://169.254.169.254/',
    'http://10.1.2.3/',
    'http://127.0.0.1/',
    'http://localhost/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://2130706433/',
    'http://0x7f.0.0.1/',
    'http://0177.0.0.1/',
  ])('refuses %s at create and at update', async (url) => {
    const created = await t.request('POST', '/v1/endpoints', { key, body: endpointBody({ url }) });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject({
      code: 'TARGET_NOT_ALLOWED',
      errors: [expect.objectContaining({ path: 'url' })],
    });
    const ok = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: 'https://example.com/hook' }),
    });
    const updated = await t.request('PATCH', `/v1/endpoints/${ok.body.id}`, { key, body: { url } });
    expect(updated.status).toBe(400);
    expect(updated.body.code).toBe('TARGET_NOT_ALLOWED');
  });

  it('refuses loopback at connect time too: an ssrf_blocked attempt, and no request leaves', async () => {
    const created = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: 'https://example.com/x', topics: ['post.created'] }),
    });
    await t.dataSource.query(`UPDATE endpoints SET url = $1 WHERE id = $2`, [
      receiver.url('/ok?blocked'),
      created.body.id,
    ]);
    await t.request('POST', '/v1/events', { key, body: { topic: 'post.created', data: {} } });
    await eventually(async () => {
      const rows = await t.dataSource.query<{ error_class: string }[]>(
        `SELECT error_class FROM attempts WHERE endpoint_id = $1`,
        [created.body.id],
      );
      expect(rows[0]).toEqual({ error_class: 'ssrf_blocked' });
    }, 10_000);
    expect(receiver.ledger).toEqual([]);
  });
});

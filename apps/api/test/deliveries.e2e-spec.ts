import { Webhook } from 'standardwebhooks';
import { endpointBody, eventually, sleepUntil, type TestApp, useDeliveryApp } from './harness';
import { parsePrometheusText } from './prometheus-text';
import { type Receipt, type Receiver } from './receiver';

describe('event ingest and delivery', () => {
  const fixture = useDeliveryApp();
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  beforeAll(() => ({ t, receiver, key } = fixture));

  const endpoint = fixture.endpoint;

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

  interface AttemptRow {
    status_code: number | null;
    error_class: string | null;
    request_headers: Record<string, string>;
  }

  async function attempts(deliveryEndpointId: string): Promise<AttemptRow[]> {
    return t.dataSource.query(
      `SELECT * FROM attempts WHERE endpoint_id = $1 ORDER BY created_at, id`,
      [deliveryEndpointId],
    );
  }

  /** Waits until the worker has recorded at least `count` attempts to the endpoint; returns them. */
  async function recordedAttempts(deliveryEndpointId: string, count = 1): Promise<AttemptRow[]> {
    let recorded: AttemptRow[] = [];
    await eventually(async () => {
      recorded = await attempts(deliveryEndpointId);
      expect(recorded.length).toBeGreaterThanOrEqual(count);
    }, 10_000);
    return recorded;
  }

  it('G1 delivers a signed event that verifies with the standardwebhooks package', async () => {
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

  it('D2 routes by topic: only subscribed endpoints get an event', async () => {
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

  it('T5 never delivers one tenant’s event to another tenant’s endpoint', async () => {
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

  describe('P3 idempotent ingest', () => {
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
    it('D9 retries on the configured schedule with the same webhook-id and a fresh signature each time', async () => {
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

    it('D10 gives up after the last retry and marks the delivery failed', async () => {
      const target = await endpoint('/status/500?exhaust', { topics: ['comment.deleted'] });
      await publish('comment.deleted', { id: 'c2' });
      await receiver.waitFor(
        (ledger) => ledger.filter((r) => r.path === '/status/500?exhaust').length === 4,
        20_000,
      );
      // Failed is final: had a fifth try been scheduled, the delivery would have stayed pending.
      await eventually(async () => {
        const [delivery] = await t.dataSource.query<{ status: string; attempt_count: number }[]>(
          `SELECT status, attempt_count FROM deliveries WHERE endpoint_id = $1`,
          [target.id],
        );
        expect(delivery).toEqual({ status: 'failed', attempt_count: 4 });
      });
      expect(receiver.receipts('/status/500?exhaust')).toHaveLength(4);
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
    ])('R6 honours Retry-After on %s', async (_, path, topic) => {
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
      // A followed redirect would reach /ok before the try is recorded, so wait for the record.
      const [attempt] = await recordedAttempts(target.id);
      expect(receiver.receipts('/ok')).toHaveLength(okBefore);
      expect(attempt).toMatchObject({ status_code: 302, error_class: 'http_status' });
    });

    it('D6 sends again with the same webhook-id and body when the acknowledgement was lost', async () => {
      const path = '/reset-after-body';
      const target = await endpoint(path, { topics: ['conversation.admin.assigned'] });
      const published = await publish('conversation.admin.assigned', { id: 'ack-lost' });
      await receiver.waitFor((ledger) => ledger.filter((r) => r.path === path).length >= 2, 15_000);
      const tries = receiver.receipts(path);
      expect(tries.map((r) => r.status)).toEqual([0, 200]); // 0: read and recorded, never answered
      expect(tries.map((r) => r.webhookId)).toEqual([published.body.id, published.body.id]);
      expect(tries[1].body).toBe(tries[0].body); // byte for byte: the receiver can deduplicate
      expect(new Set(tries.map((r) => r.webhookId)).size).toBe(1);
      await eventually(async () => {
        const [delivery] = await t.dataSource.query<{ status: string; attempt_count: number }[]>(
          `SELECT status, attempt_count FROM deliveries WHERE endpoint_id = $1`,
          [target.id],
        );
        expect(delivery).toEqual({ status: 'succeeded', attempt_count: 2 });
      });
      const recorded = await attempts(target.id);
      expect(recorded).toHaveLength(2);
      expect(recorded[0]).toMatchObject({ status_code: null, error_class: 'connect' });
      expect(recorded[1]).toMatchObject({ status_code: 200, error_class: null });
      // A window, not a condition: a retry wrongly kept would come 1 s ± 20% after the success.
      await sleepUntil(tries[1].receivedAt + 1500);
      expect(receiver.receipts(path)).toHaveLength(2);
    });

    it('D12 does not hold later events to an endpoint behind one that keeps failing', async () => {
      const path = '/poison?head-of-line';
      const topic = 'conversation.user.created';
      await endpoint(path, { topics: [topic] });
      const poisoned = (await publish(topic, { poison: true })).body.id as string;
      const poisonTries = () => receiver.receipts(path).filter((r) => r.webhookId === poisoned);
      await receiver.waitFor(() => poisonTries().length >= 1);
      const started = Date.now();
      const later = (
        await Promise.all(Array.from({ length: 10 }, (_, i) => publish(topic, { i })))
      ).map((response) => response.body.id as string);
      const laterReceipts = () =>
        receiver.receipts(path).filter((r) => later.includes(r.webhookId));
      await receiver.waitFor(() => laterReceipts().length === later.length, 10_000);
      const latest = Math.max(...laterReceipts().map((r) => r.receivedAt));
      process.stdout.write(
        `D12 10 events behind a failing one: all delivered ${latest - started} ms after publishing began\n`,
      );
      expect(latest - started).toBeLessThan(5000);
      expect(laterReceipts().map((r) => r.status)).toEqual(later.map(() => 200));
      // The failing event kept retrying on its own schedule meanwhile, and only then gave up.
      await receiver.waitFor(() => poisonTries().length === 4, 20_000);
      await eventually(async () => {
        const [delivery] = await t.dataSource.query<{ status: string }[]>(
          `SELECT status FROM deliveries WHERE event_id = $1`,
          [poisoned],
        );
        expect(delivery.status).toBe('failed');
      });
      const tries = poisonTries();
      expect(tries.map((r) => r.status)).toEqual([500, 500, 500, 500]);
      expect(Math.min(...laterReceipts().map((r) => r.receivedAt))).toBeLessThan(
        tries[1].receivedAt,
      );
      expect(latest).toBeLessThan(tries[3].receivedAt);
      expect(new Set(laterReceipts().map((r) => r.webhookId)).size).toBe(later.length);
    });

    it('D13 sends nothing more once an endpoint in retry is deleted, and keeps delivering to others', async () => {
      const path = '/status/500?deleted-in-retry';
      const topic = 'conversation.admin.closed';
      const doomed = await endpoint(path, { topics: [topic] });
      await publish(topic, { id: 'doomed' });
      await receiver.waitFor((ledger) => ledger.some((r) => r.path === path));
      const deleted = await t.request('DELETE', `/v1/endpoints/${doomed.id}`, { key });
      expect(deleted.status).toBe(204);
      const sentBeforeDelete = receiver.receipts(path).length;
      expect(sentBeforeDelete).toBe(1);
      // A window, not a condition: had the delete not stopped it, a retry would come 1 s ± 20% on.
      await sleepUntil(receiver.receipts(path)[0].receivedAt + 1500);
      expect(receiver.receipts(path).length).toBe(sentBeforeDelete);
      const [left] = await t.dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM deliveries WHERE endpoint_id = $1`,
        [doomed.id],
      );
      expect(Number(left.n)).toBe(0);
      await endpoint('/ok?after-delete', { topics: [topic] });
      const next = await publish(topic, { id: 'after' });
      expect(next.body.deliveries).toBe(1);
      await receiver.waitFor((ledger) =>
        ledger.some((r) => r.path === '/ok?after-delete' && r.webhookId === next.body.id),
      );
      expect(receiver.receipts(path).length).toBe(sentBeforeDelete);
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
      const [attempt] = await recordedAttempts(target.id);
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
      const [attempt] = await recordedAttempts(target.id);
      expect(attempt).toMatchObject({ status_code: null, error_class: 'ssrf_blocked' });
      expect(receiver.receipts('/ok?ssrf')).toEqual([]);
    });
  });

  it('records a try it cannot prepare as internal, sends nothing, retries, and leaves health alone', async () => {
    const target = await endpoint('/ok?internal', { topics: ['conversation.admin.unsnoozed'] });
    await t.dataSource.query(
      `UPDATE endpoint_secrets SET secret_enc = 'v9:not-a-ciphertext' WHERE endpoint_id = $1`,
      [target.id],
    );
    const published = await publish('conversation.admin.unsnoozed', {});
    const [first] = await recordedAttempts(target.id, 2);
    expect(first).toMatchObject({ status_code: null, error_class: 'internal' });
    expect(receiver.receipts('/ok?internal')).toEqual([]);
    const shown = await t.request('GET', `/v1/endpoints/${target.id}`, { key });
    expect(shown.body).toMatchObject({
      status: 'active',
      health: { consecutiveFailures: 0, errorsSinceLastSuccess: 0 },
    });
    const [delivery] = await t.dataSource.query<{ attempt_count: number }[]>(
      `SELECT attempt_count FROM deliveries WHERE event_id = $1 AND endpoint_id = $2`,
      [published.body.id, target.id],
    );
    expect(delivery.attempt_count).toBeGreaterThan(1);
  });

  it('exposes Prometheus metrics of endpoints, the queue, ingest and recorded deliveries', async () => {
    await endpoint('/ok?metrics', { topics: ['post.created'] });
    const published = await publish('post.created', { id: 'metrics' });
    await receiver.waitFor((ledger) => ledger.some((r) => r.webhookId === published.body.id));
    await eventually(async () => {
      const response = await fetch(`${t.baseUrl}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const samples = parsePrometheusText(await response.text());
      expect(samples.get('hookyard_endpoints{status="active"}')).toBeGreaterThan(0);
      expect(samples.get('hookyard_deliveries_pending')).toBeGreaterThanOrEqual(0);
      expect(samples.get('hookyard_events_accepted_total{dialect="native"}')).toBeGreaterThan(0);
      expect(samples.get('hookyard_deliveries_total{outcome="success"}')).toBeGreaterThan(0);
      expect(
        samples.get(
          'hookyard_http_request_duration_seconds_count{method="POST",route="/v1/events",status="202"}',
        ),
      ).toBeGreaterThan(0);
      // An app built without main.ts's registry starts no process collectors (their timers outlive it).
      expect(samples.get('process_resident_memory_bytes')).toBeUndefined();
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
      await recordedAttempts(hanging.id);
      const [attempt] = await t.dataSource.query<{ error_class: string; duration_ms: number }[]>(
        `SELECT error_class, duration_ms FROM attempts WHERE endpoint_id = $1`,
        [hanging.id],
      );
      expect(attempt.error_class).toBe('timeout');
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(900);
      expect(attempt.duration_ms).toBeLessThan(2500);
    });

    it('R1 R2 R3 records resets, dripping and huge bodies as attempts and stays healthy', async () => {
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
      // The worker stopped reading at its cap and closed the connection: the receiver could not write
      // the whole 20 MB (socket buffers take a few MB at most).
      expect(receiver.hugeBytesWritten.get('/huge/20')).toBeLessThan(20 * 1024 * 1024);
    });

    it('R8 does not let a hanging endpoint with a backlog starve a healthy one', async () => {
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

describe('D14 secret rotation while an event is retrying', () => {
  // Six tries a second apart, and no penalty box after the fifth failure, so tries fall on both
  // sides of a 2 s grace window.
  const fixture = useDeliveryApp({
    HOOKYARD_RETRY_SCHEDULE: '1s,1s,1s,1s,1s',
    HOOKYARD_PENALTY_AFTER: '50',
  });
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  beforeAll(() => ({ t, receiver, key } = fixture));

  const signatures = (receipt: Receipt) => String(receipt.headers['webhook-signature']).split(' ');
  const verifies = (secret: string, receipt: Receipt) => {
    try {
      new Webhook(secret).verify(receipt.body, receipt.headers as Record<string, string>);
      return true;
    } catch {
      return false;
    }
  };

  it('signs retries with both secrets until the grace ends, then with the new one only', async () => {
    const path = '/flaky/5?rotation-grace';
    const created = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ url: receiver.url(path), topics: ['audit_log.created'] }),
    });
    expect(created.status).toBe(201);
    const oldSecret = created.body.secret as string;
    const published = await t.request('POST', '/v1/events', {
      key,
      body: { topic: 'audit_log.created', data: { id: 'rotating' } },
    });
    expect(published.status).toBe(202);
    await receiver.waitFor((ledger) => ledger.some((r) => r.path === path));
    const rotated = await t.request('POST', `/v1/endpoints/${created.body.id}/secret/rotate`, {
      key,
      body: { gracePeriodSeconds: 2 },
    });
    expect(rotated.status).toBe(200);
    expect(receiver.receipts(path)).toHaveLength(1); // rotated between the first and second try
    const newSecret = rotated.body.secret as string;
    expect(rotated.body.previousSecrets).toEqual([
      { secret: oldSecret, expiresAt: expect.any(String) },
    ]);
    const graceEnds = Date.parse(rotated.body.previousSecrets[0].expiresAt);

    await receiver.waitFor(
      (ledger) => ledger.some((r) => r.path === path && r.status === 200),
      30_000,
    );
    const tries = receiver.receipts(path);
    expect(tries.map((r) => r.status)).toEqual([500, 500, 500, 500, 500, 200]);
    expect(new Set(tries.map((r) => r.webhookId))).toEqual(new Set([published.body.id]));
    const [beforeRotation, ...afterRotation] = tries;
    expect(signatures(beforeRotation)).toHaveLength(1);
    expect(verifies(oldSecret, beforeRotation)).toBe(true);

    // A try received before the grace ended was signed before it too. One received a second after
    // it was signed after it (generous: sending takes milliseconds); those in between may go either way.
    const inGrace = afterRotation.filter((r) => r.receivedAt < graceEnds);
    const pastGrace = afterRotation.filter((r) => r.receivedAt >= graceEnds + 1000);
    process.stdout.write(
      `D14 tries after rotation, ms from grace end: ${afterRotation.map((r) => r.receivedAt - graceEnds).join(', ')}\n`,
    );
    expect(inGrace.length).toBeGreaterThanOrEqual(1);
    expect(pastGrace.length).toBeGreaterThanOrEqual(1);
    for (const receipt of inGrace) {
      expect(signatures(receipt)).toEqual([
        expect.stringMatching(/^v1,/),
        expect.stringMatching(/^v1,/),
      ]);
      expect(verifies(oldSecret, receipt)).toBe(true);
    }
    for (const receipt of pastGrace) {
      expect(signatures(receipt)).toEqual([expect.stringMatching(/^v1,/)]);
      expect(verifies(oldSecret, receipt)).toBe(false);
    }
    for (const receipt of afterRotation) expect(verifies(newSecret, receipt)).toBe(true);
    // Once the old signature is gone it stays gone.
    const counts = afterRotation.map((r) => signatures(r).length);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const final = tries[tries.length - 1];
    expect(final.status).toBe(200);
    expect(signatures(final)).toHaveLength(1);
    expect(verifies(newSecret, final)).toBe(true);
  });
});

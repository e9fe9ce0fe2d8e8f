import { Client } from 'pg';
import { endpointBody, startTestApp, type TestApp, useDeliveryApp } from './harness';
import { type Receiver } from './receiver';

interface ItemResult {
  index: number;
  id?: string;
  deliveries?: number;
  error?: { status: number; code: string; detail: string; errors: { path: string }[] };
}

const OBJECT_ID = /^[0-9a-f]{24}$/;

describe('POST /v1/events/batch', () => {
  const fixture = useDeliveryApp();
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  beforeAll(() => ({ t, receiver, key } = fixture));

  const batch = (events: unknown[], apiKey = key) =>
    t.request('POST', '/v1/events/batch', { key: apiKey, body: { events } });

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await t.dataSource.query<{ n: number }[]>(sql, params);
    return row.n;
  }

  const deliveriesOf = (eventId: string) =>
    count(`SELECT count(*)::int AS n FROM deliveries WHERE event_id = $1`, [eventId]);

  it('delivers each of 100 events published in one request', async () => {
    await fixture.endpoint('/ok?batch-100', { topics: ['post.created'] });
    const response = await batch(
      Array.from({ length: 100 }, (_, n) => ({ topic: 'post.created', data: { n } })),
    );

    expect(response.status).toBe(200);
    const results = response.body.data as ItemResult[];
    expect(results).toEqual(
      Array.from({ length: 100 }, (_, index) => ({
        index,
        id: expect.stringMatching(OBJECT_ID),
        deliveries: 1,
      })),
    );
    const ids = results.map((r) => r.id as string);
    // Ids in publish order: a FIFO endpoint is sent in id order.
    expect([...ids].sort()).toEqual(ids);
    await receiver.waitFor(
      (ledger) =>
        new Set(ledger.filter((r) => r.path === '/ok?batch-100').map((r) => r.webhookId)).size ===
        100,
      30_000,
    );
    const bodies = new Map(
      receiver.receipts('/ok?batch-100').map((r) => [r.webhookId, JSON.parse(r.body)]),
    );
    ids.forEach((id, n) =>
      expect(bodies.get(id)).toMatchObject({ type: 'post.created', data: { n } }),
    );
  });

  it('routes each event of a batch by its own topic', async () => {
    const conversations = await fixture.endpoint('/ok?batch-conversations', {
      topics: ['conversation.*'],
    });
    // Exclusions come from the Featurebase dialect; set one directly.
    await t.dataSource.query(
      `UPDATE endpoints SET excluded_topics = '{conversation.deleted}' WHERE id = $1`,
      [conversations.id],
    );
    await fixture.endpoint('/ok?batch-audit', { topics: ['audit_log.created'] });
    const response = await batch([
      { topic: 'conversation.read', data: {} },
      { topic: 'conversation.deleted', data: {} },
      { topic: 'audit_log.created', data: {} },
      { topic: 'conversation.user.created', data: {} },
    ]);
    expect((response.body.data as ItemResult[]).map((r) => r.deliveries)).toEqual([1, 0, 1, 1]);
    await receiver.waitFor(
      (ledger) =>
        ledger.filter((r) => r.path.startsWith('/ok?batch-conv')).length >= 2 &&
        ledger.some((r) => r.path === '/ok?batch-audit'),
    );
    expect(
      receiver
        .receipts('/ok?batch-conversations')
        .map((r) => JSON.parse(r.body).type)
        .sort(),
    ).toEqual(['conversation.read', 'conversation.user.created']);
  });

  describe('a malformed request', () => {
    it.each([
      [
        '101 events',
        Array.from({ length: 101 }, () => ({ topic: 'post.created', data: {} })),
        'events',
      ],
      ['no events', [], 'events'],
      [
        'an event without data',
        [{ topic: 'post.created', data: {} }, { topic: 'post.created' }],
        'events.1.data',
      ],
      [
        'an event with an extra property',
        [{ topic: 'post.created', data: {}, orgId: 'x' }],
        'events.0.orgId',
      ],
      [
        'a key that is not a string',
        [{ topic: 'post.created', data: {}, idempotencyKey: 7 }],
        'events.0.idempotencyKey',
      ],
      ['an event that is not an object', [{ topic: 'post.created', data: {} }, 1], 'events.1'],
    ])('refuses %s with a 400 naming the field, and stores nothing', async (_, events, path) => {
      const before = await count(`SELECT count(*)::int AS n FROM events`);
      const response = await batch(events);
      expect(response.status).toBe(400);
      expect(response.contentType).toContain('application/problem+json');
      expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      expect(await count(`SELECT count(*)::int AS n FROM events`)).toBe(before);
    });

    it('refuses a body without an events array', async () => {
      const response = await t.request('POST', '/v1/events/batch', {
        key,
        body: { topic: 'post.created', data: {} },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { path: string }) => e.path)).toContain('events');
    });
  });

  it('answers each event on its own: the valid ones are committed and delivered, the others name their error', async () => {
    await fixture.endpoint('/ok?batch-items', { topics: ['comment.created'] });
    const response = await batch([
      { topic: 'comment.created', data: { n: 0 } },
      { topic: 'invoice.paid', data: { n: 1 } },
      { topic: 'comment.created', data: { n: 2 }, idempotencyKey: '' },
      { topic: 'comment.created', data: { n: 3 }, idempotencyKey: 'x'.repeat(256) },
      { topic: 'comment.created', data: { n: 4 }, idempotencyKey: 'tab\there' },
      { topic: 'comment.created', data: { n: 5 }, idempotencyKey: 'new\nline' },
      { topic: 'comment.created', data: { n: 6 } },
    ]);

    expect(response.status).toBe(200);
    const results = response.body.data as ItemResult[];
    expect(results[0]).toEqual({ index: 0, id: expect.stringMatching(OBJECT_ID), deliveries: 1 });
    expect(results[6]).toEqual({ index: 6, id: expect.stringMatching(OBJECT_ID), deliveries: 1 });
    expect(results[1]).toEqual({
      index: 1,
      error: {
        status: 422,
        code: 'TOPIC_UNKNOWN',
        detail: expect.any(String),
        errors: [{ path: 'events.1.topic', message: expect.any(String), code: 'TOPIC_UNKNOWN' }],
      },
    });
    for (const index of [2, 3, 4]) {
      expect(results[index]).toEqual({
        index,
        error: {
          status: 400,
          code: 'VALIDATION_FAILED',
          detail: expect.any(String),
          errors: [{ path: `events.${index}.idempotencyKey`, message: expect.any(String) }],
        },
      });
    }
    expect(results[5]).toMatchObject({
      index: 5,
      error: {
        status: 400,
        code: 'VALIDATION_FAILED',
        errors: [{ path: 'events.5.idempotencyKey' }],
      },
    });

    const stored = await t.dataSource.query<{ data: { n: number } }[]>(
      `SELECT data FROM events WHERE topic = 'comment.created' ORDER BY id`,
    );
    expect(stored.map((e) => e.data.n)).toEqual([0, 6]);
    await receiver.waitFor(
      (ledger) => ledger.filter((r) => r.path === '/ok?batch-items').length >= 2,
    );
    expect(
      receiver
        .receipts('/ok?batch-items')
        .map((r) => JSON.parse(r.body).data.n)
        .sort(),
    ).toEqual([0, 6]);
  });

  it('refuses a whole batch holding text PostgreSQL cannot store (NUL), naming the event field, and stores nothing', async () => {
    const before = await count(`SELECT count(*)::int AS n FROM events`);
    const response = await batch([
      { topic: 'comment.created', data: { n: 0 } },
      { topic: 'comment.created', data: { text: 'nul \u0000 inside' } },
    ]);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      code: 'UNSUPPORTED_TEXT',
      errors: [{ path: 'events.1.data.text' }],
    });
    expect(await count(`SELECT count(*)::int AS n FROM events`)).toBe(before);
  });

  it('answers an all-invalid batch 200 with every error and stores nothing', async () => {
    const before = await count(`SELECT count(*)::int AS n FROM events`);
    const response = await batch([{ topic: 'invoice.paid', data: {} }]);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([
      { index: 0, error: expect.objectContaining({ code: 'TOPIC_UNKNOWN' }) },
    ]);
    expect(await count(`SELECT count(*)::int AS n FROM events`)).toBe(before);
  });

  describe('idempotency, per event', () => {
    it('answers a repeated batch with the same ids and makes no new deliveries', async () => {
      await fixture.endpoint('/ok?batch-idem', { topics: ['ticket.updated'] });
      const events = [
        { topic: 'ticket.updated', data: { n: 1 }, idempotencyKey: 'batch-k1' },
        { topic: 'ticket.updated', data: { n: 2 }, idempotencyKey: 'batch-k2' },
      ];
      const first = await batch(events);
      expect(first.status).toBe(200);
      const again = await batch(events);
      expect(again.body).toEqual(first.body);
      // Also when the keys come back in another batch, in another order.
      const reordered = await batch([events[1], events[0]]);
      expect((reordered.body.data as ItemResult[]).map((r) => r.id)).toEqual([
        first.body.data[1].id,
        first.body.data[0].id,
      ]);

      for (const { id } of first.body.data as ItemResult[]) {
        expect(await deliveriesOf(id as string)).toBe(1);
      }
      expect(
        await count(
          `SELECT count(*)::int AS n FROM events WHERE idempotency_key IN ('batch-k1', 'batch-k2')`,
        ),
      ).toBe(2);
      await receiver.waitFor(
        (ledger) => ledger.filter((r) => r.path === '/ok?batch-idem').length >= 2,
      );
    });

    it('answers one event IDEMPOTENCY_KEY_REUSED for its key with another body and commits the rest', async () => {
      await batch([{ topic: 'ticket.updated', data: { n: 1 }, idempotencyKey: 'batch-k3' }]);
      const response = await batch([
        { topic: 'ticket.updated', data: { n: 'other' }, idempotencyKey: 'batch-k3' },
        { topic: 'ticket.updated', data: { n: 4 }, idempotencyKey: 'batch-k4' },
      ]);
      const [reused, fresh] = response.body.data as ItemResult[];
      expect(reused).toEqual({
        index: 0,
        error: {
          status: 422,
          code: 'IDEMPOTENCY_KEY_REUSED',
          detail: expect.any(String),
          errors: [{ path: 'events.0.idempotencyKey', message: expect.any(String) }],
        },
      });
      expect(fresh).toEqual({ index: 1, id: expect.stringMatching(OBJECT_ID), deliveries: 1 });
      expect(
        await count(`SELECT count(*)::int AS n FROM events WHERE idempotency_key = 'batch-k3'`),
      ).toBe(1);
    });

    it('shares its keys with the Idempotency-Key header of POST /v1/events', async () => {
      const single = await t.request('POST', '/v1/events', {
        key,
        body: { topic: 'ticket.updated', data: { n: 5 } },
        headers: { 'idempotency-key': 'batch-k5' },
      });
      expect(single.status).toBe(202);
      const response = await batch([
        { topic: 'ticket.updated', data: { n: 5 }, idempotencyKey: 'batch-k5' },
      ]);
      expect(response.body.data).toEqual([{ index: 0, ...single.body }]);
    });

    it('lets the first event with a key take it; later ones in the batch replay it', async () => {
      await fixture.endpoint('/ok?batch-dup', { topics: ['ticket.created'] });
      const response = await batch([
        { topic: 'ticket.created', data: { n: 1 }, idempotencyKey: 'batch-dup' },
        { topic: 'ticket.created', data: { n: 1 }, idempotencyKey: 'batch-dup' },
        { topic: 'ticket.created', data: { n: 2 }, idempotencyKey: 'batch-dup' },
        { topic: 'invoice.paid', data: { n: 3 }, idempotencyKey: 'batch-dup-invalid-first' },
        { topic: 'ticket.created', data: { n: 4 }, idempotencyKey: 'batch-dup-invalid-first' },
      ]);
      const results = response.body.data as ItemResult[];
      expect(results[0]).toEqual({ index: 0, id: expect.stringMatching(OBJECT_ID), deliveries: 1 });
      expect(results[1]).toEqual({ index: 1, id: results[0].id, deliveries: 1 });
      expect(results[2]).toMatchObject({ index: 2, error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
      // An event refused for its own reasons takes no key: the next one with it is written.
      expect(results[3]).toMatchObject({ index: 3, error: { code: 'TOPIC_UNKNOWN' } });
      expect(results[4]).toEqual({ index: 4, id: expect.stringMatching(OBJECT_ID), deliveries: 1 });
      expect(
        await count(`SELECT count(*)::int AS n FROM events WHERE idempotency_key = 'batch-dup'`),
      ).toBe(1);
      expect(await deliveriesOf(results[0].id as string)).toBe(1);
    });
  });

  it("T5 delivers only to the caller's organization's endpoints", async () => {
    const other = await t.createOrganization();
    const foreign = await t.request('POST', '/v1/endpoints', {
      key: other.apiKey,
      body: endpointBody({ url: receiver.url('/ok?batch-tenant-b'), topics: ['post.voted'] }),
    });
    expect(foreign.status).toBe(201);
    const own = await fixture.endpoint('/ok?batch-tenant-a', { topics: ['post.voted'] });
    await batch([{ topic: 'post.voted', data: {}, idempotencyKey: 'batch-tenant' }], other.apiKey);

    const response = await batch(
      Array.from({ length: 5 }, (_, n) => ({
        topic: 'post.voted',
        data: { n },
        ...(n === 0 ? { idempotencyKey: 'batch-tenant' } : {}),
      })),
    );

    const results = response.body.data as ItemResult[];
    expect(results.map((r) => r.deliveries)).toEqual([1, 1, 1, 1, 1]);
    const ownIds = results.map((r) => r.id as string);
    // The other organization's use of the key did not make this one's event a replay of it.
    const [foreignEvent] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM events WHERE organization_id = $1`,
      [other.organizationId],
    );
    expect(ownIds).not.toContain(foreignEvent.id);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM deliveries WHERE endpoint_id = $1 AND event_id = ANY($2)`,
        [foreign.body.id, ownIds],
      ),
    ).toBe(0);
    expect(
      await count(`SELECT count(*)::int AS n FROM deliveries WHERE endpoint_id = $1`, [own.id]),
    ).toBe(5);
    await receiver.waitFor(
      (ledger) => ledger.filter((r) => r.path === '/ok?batch-tenant-a').length >= 5,
    );
    expect(
      receiver.receipts('/ok?batch-tenant-b').filter((r) => ownIds.includes(r.webhookId)),
    ).toEqual([]);
  });

  it('needs EVENT.PUBLISH', async () => {
    const readOnly = await t.request('POST', '/v1/api-keys', {
      key,
      body: { name: 'reader', permissions: ['WEBHOOK.READ'] },
    });
    expect(readOnly.status).toBe(201);
    const response = await batch([{ topic: 'post.created', data: {} }], readOnly.body.key);
    expect(response.status).toBe(403);
    expect((await batch([{ topic: 'post.created', data: {} }], 'hy_nope')).status).toBe(401);
  });
});

describe('ingest round trips', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp();
    key = (await t.createOrganization()).apiKey;
    for (const topics of [['post.created'], ['post.*']]) {
      const created = await t.request('POST', '/v1/endpoints', {
        key,
        body: endpointBody({ topics }),
      });
      expect(created.status).toBe(201);
    }
  });
  afterAll(() => t?.close());

  /** The statements the app sends to PostgreSQL while `work` runs (no worker runs in this app). */
  /** The statements `work` ran, but the DueSignal's notification, which goes beside the request. */
  async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      await work();
      return spy.mock.calls
        .map(([query]) =>
          typeof query === 'string' ? query : String((query as { text?: unknown }).text),
        )
        .filter((query) => !/^BEGIN; .*pg_notify/.test(query));
    } finally {
      spy.mockRestore();
    }
  }

  const publish = (body: unknown, headers: Record<string, string> = {}) =>
    t.request('POST', '/v1/events', { key, body, headers });

  it('publishes one event in two round trips: the endpoints, then one statement', async () => {
    await publish({ topic: 'post.updated', data: {} }); // the key is authenticated and cached
    let response: Awaited<ReturnType<typeof publish>> | undefined;
    const statements = await statementsOf(async () => {
      response = await publish({ topic: 'post.created', data: { n: 1 } });
    });
    expect(response?.status).toBe(202);
    expect(response?.body).toEqual({ id: expect.stringMatching(OBJECT_ID), deliveries: 2 });
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/^SELECT id, topics, excluded_topics .* FROM endpoints/);
    expect(statements[1]).toMatch(/^WITH input AS/);
  });

  it('publishes 100 events in the same two round trips', async () => {
    await publish({ topic: 'post.updated', data: {} });
    const statements = await statementsOf(() =>
      t.request('POST', '/v1/events/batch', {
        key,
        body: {
          events: Array.from({ length: 100 }, (_, n) => ({
            topic: 'post.created',
            data: { n },
            idempotencyKey: `trips-${n}`,
          })),
        },
      }),
    );
    expect(statements).toHaveLength(2);
  });

  it('answers a replay with one query more, for the events that hold the keys', async () => {
    const body = { topic: 'post.created', data: { n: 'replayed' } };
    const first = await publish(body, { 'idempotency-key': 'trips-replay' });
    let again: Awaited<ReturnType<typeof publish>> | undefined;
    const statements = await statementsOf(async () => {
      again = await publish(body, { 'idempotency-key': 'trips-replay' });
    });
    expect(again?.status).toBe(202);
    expect(again?.body).toEqual(first.body);
    expect(statements).toHaveLength(3);
  });

  it('wakes a listening worker at commit when it made due deliveries', async () => {
    const listener = new Client({ connectionString: t.database.url });
    await listener.connect();
    try {
      const heard = new Promise<string>((resolve) =>
        listener.once('notification', (n) => resolve(n.channel)),
      );
      await listener.query('LISTEN hookyard_deliveries_due');
      const response = await publish({ topic: 'post.created', data: {} });
      expect(response.status).toBe(202);
      expect(await heard).toBe('hookyard_deliveries_due');
    } finally {
      await listener.end();
    }
  });
});

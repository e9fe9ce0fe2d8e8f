import { Client, type Notification } from 'pg';
import { type DataSource } from 'typeorm';
import { openDatabase } from '../data-source';
import { DueSignal } from '../due-signal';
import { createTestDatabase, type TestDatabase } from '../test-database';
import { insertEndpoint, insertOrganization, testIds } from '../testing/tenant-rows';
import {
  DELIVERIES_DUE_CHANNEL,
  EventRepository,
  type NewEvent,
  type NewEventDelivery,
} from './event.repository';

interface DeliveryRow {
  id: string;
  organization_id: string;
  event_id: string;
  endpoint_id: string;
  status: string;
  attempt_count: number;
  next_attempt_at: Date | null;
  claim_id: string | null;
  claim_expires_at: Date | null;
  last_attempt_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
  next_trigger: string;
}

describe('EventRepository.insertWithDeliveries (ingest in one statement)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let events: EventRepository;
  let listener: Client;
  const heard: Notification[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openDatabase({ url: database.url, poolSize: 3 });
    events = new EventRepository(dataSource.manager);
    listener = new Client({ connectionString: database.url });
    await listener.connect();
    listener.on('notification', (notification) => heard.push(notification));
    await listener.query(`LISTEN ${DELIVERIES_DUE_CHANNEL}`);
  });
  afterAll(async () => {
    await listener?.end();
    await dataSource?.destroy();
    await database?.drop();
  });

  function newEvent(idempotencyKey: string | null = null, now = new Date()): NewEvent {
    return {
      id: testIds.next(now),
      topic: 'post.created',
      dataJson: JSON.stringify({ title: 'hello' }),
      previousDataJson: null,
      idempotencyKey,
      payloadHash: 'h1',
      createdAt: now,
    };
  }

  function deliveryTo(event: NewEvent, endpointId: string): NewEventDelivery {
    return { id: testIds.next(event.createdAt), eventId: event.id, endpointId };
  }

  async function deliveriesOf(eventId: string): Promise<DeliveryRow[]> {
    return dataSource.query(`SELECT * FROM deliveries WHERE event_id = $1 ORDER BY id`, [eventId]);
  }

  async function eventCount(org: string): Promise<number> {
    const [row] = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM events WHERE organization_id = $1`,
      [org],
    );
    return row?.n ?? 0;
  }

  /**
   * The notifications heard until now: sends a marker on the channel from another session and waits
   * for it. Notifications arrive in commit order, so any sent by an insert before it have arrived.
   */
  async function notificationsSoFar(): Promise<string[]> {
    const marker = `marker-${testIds.next(new Date())}`;
    await dataSource.query(`SELECT pg_notify($1, $2)`, [DELIVERIES_DUE_CHANNEL, marker]);
    const deadline = Date.now() + 5000;
    while (!heard.some((n) => n.payload === marker)) {
      if (Date.now() > deadline) throw new Error('the marker notification never arrived');
      await new Promise((resolve) => setImmediate(resolve));
    }
    const payloads = heard.splice(0).map((n) => n.payload ?? '');
    return payloads.filter((payload) => !payload.startsWith('marker-'));
  }

  it('is one statement: one round trip, no BEGIN or COMMIT', async () => {
    const org = await insertOrganization(dataSource);
    const endpoint = await insertEndpoint(dataSource, org);
    const event = newEvent();
    const sent: string[] = [];
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      await events.insertWithDeliveries(org, [event], [deliveryTo(event, endpoint)], new Date());
      for (const [index, args] of spy.mock.calls.entries()) {
        if (spy.mock.contexts[index] === listener) continue;
        const [query] = args as unknown[];
        sent.push(typeof query === 'string' ? query : String((query as { text?: string }).text));
      }
    } finally {
      spy.mockRestore();
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^WITH input AS/);
    expect(await deliveriesOf(event.id)).toHaveLength(1);
  });

  it('commits the event with a pending, due delivery per endpoint that fills every column', async () => {
    const org = await insertOrganization(dataSource);
    const [a, b] = [await insertEndpoint(dataSource, org), await insertEndpoint(dataSource, org)];
    const now = new Date(Date.now() - 1000);
    const event = newEvent('key-columns', now);
    const result = await events.insertWithDeliveries(
      org,
      [event],
      [deliveryTo(event, a), deliveryTo(event, b)],
      now,
    );

    expect(result).toEqual([{ id: event.id, deliveries: 2 }]);
    const [stored] = await dataSource.query<Record<string, unknown>[]>(
      `SELECT * FROM events WHERE id = $1`,
      [event.id],
    );
    expect(stored).toMatchObject({
      organization_id: org,
      topic: 'post.created',
      data: { title: 'hello' },
      previous_data: null,
      idempotency_key: 'key-columns',
      payload_hash: 'h1',
      created_at: now,
    });
    const rows = await deliveriesOf(event.id);
    expect(rows.map((r) => r.endpoint_id).sort()).toEqual([a, b].sort());
    for (const row of rows) {
      expect(row).toEqual({
        id: expect.any(String),
        organization_id: org,
        event_id: event.id,
        endpoint_id: row.endpoint_id,
        status: 'pending',
        attempt_count: 0,
        next_attempt_at: now,
        claim_id: null,
        claim_expires_at: null,
        last_attempt_at: null,
        completed_at: null,
        created_at: now,
        next_trigger: 'scheduled',
      });
    }
  });

  it('writes many events and their deliveries at once, each counted', async () => {
    const org = await insertOrganization(dataSource);
    const endpoint = await insertEndpoint(dataSource, org);
    const batch = Array.from({ length: 100 }, (_, i) => newEvent(i % 2 ? `many-${i}` : null));
    const result = await events.insertWithDeliveries(
      org,
      batch,
      batch.filter((_, i) => i % 3 !== 0).map((e) => deliveryTo(e, endpoint)),
      new Date(),
    );
    expect(new Map(result.map((r) => [r.id, r.deliveries]))).toEqual(
      new Map(batch.map((e, i) => [e.id, i % 3 !== 0 ? 1 : 0])),
    );
    expect(await eventCount(org)).toBe(100);
  });

  it('inserts nothing for an event whose key is taken, and leaves the holder as it was', async () => {
    const org = await insertOrganization(dataSource);
    const endpoint = await insertEndpoint(dataSource, org);
    const first = newEvent('key-taken');
    await events.insertWithDeliveries(org, [first], [deliveryTo(first, endpoint)], new Date());
    const before = await deliveriesOf(first.id);

    const again = newEvent('key-taken');
    const free = newEvent('key-free');
    const result = await events.insertWithDeliveries(
      org,
      [again, free],
      [deliveryTo(again, endpoint), deliveryTo(free, endpoint)],
      new Date(),
    );

    expect(result).toEqual([{ id: free.id, deliveries: 1 }]);
    expect(await dataSource.query(`SELECT id FROM events WHERE id = $1`, [again.id])).toEqual([]);
    expect(await deliveriesOf(again.id)).toEqual([]);
    expect(await deliveriesOf(first.id)).toEqual(before);
    expect(await eventCount(org)).toBe(2);
    expect(await events.findKeyHolders(org, ['key-taken', 'key-free', 'key-none'])).toEqual(
      expect.arrayContaining([
        { id: first.id, idempotencyKey: 'key-taken', payloadHash: 'h1', deliveries: 1 },
        { id: free.id, idempotencyKey: 'key-free', payloadHash: 'h1', deliveries: 1 },
      ]),
    );
  });

  it("fails a suspended endpoint's delivery at once and keeps a paused endpoint's pending", async () => {
    const org = await insertOrganization(dataSource);
    const [suspended, paused] = [
      await insertEndpoint(dataSource, org),
      await insertEndpoint(dataSource, org),
    ];
    await dataSource.query(`UPDATE endpoints SET status = 'suspended' WHERE id = $1`, [suspended]);
    await dataSource.query(`UPDATE endpoints SET status = 'paused' WHERE id = $1`, [paused]);
    const now = new Date();
    const event = newEvent();
    await events.insertWithDeliveries(
      org,
      [event],
      [deliveryTo(event, suspended), deliveryTo(event, paused)],
      now,
    );

    const rows = await deliveriesOf(event.id);
    expect(rows.find((r) => r.endpoint_id === suspended)).toMatchObject({
      status: 'failed',
      next_attempt_at: null,
      completed_at: now,
      attempt_count: 0,
    });
    expect(rows.find((r) => r.endpoint_id === paused)).toMatchObject({
      status: 'pending',
      next_attempt_at: now,
      completed_at: null,
    });
  });

  it("makes no delivery to a deleted endpoint or another organization's, and still commits the rest", async () => {
    const org = await insertOrganization(dataSource);
    const kept = await insertEndpoint(dataSource, org);
    const deleted = await insertEndpoint(dataSource, org);
    await dataSource.query(`DELETE FROM endpoints WHERE id = $1`, [deleted]);
    const foreign = await insertEndpoint(dataSource, await insertOrganization(dataSource));
    const event = newEvent();

    const result = await events.insertWithDeliveries(
      org,
      [event],
      [deliveryTo(event, kept), deliveryTo(event, deleted), deliveryTo(event, foreign)],
      new Date(),
    );

    expect(result).toEqual([{ id: event.id, deliveries: 1 }]);
    expect((await deliveriesOf(event.id)).map((r) => r.endpoint_id)).toEqual([kept]);
    const [foreignRows] = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM deliveries WHERE endpoint_id = $1`,
      [foreign],
    );
    expect(foreignRows?.n).toBe(0);
  });

  it('waits for an endpoint being deleted and then leaves it out instead of failing', async () => {
    const org = await insertOrganization(dataSource);
    const doomed = await insertEndpoint(dataSource, org);
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`DELETE FROM endpoints WHERE id = $1`, [doomed]);
      const event = newEvent();
      const insert = events.insertWithDeliveries(
        org,
        [event],
        [deliveryTo(event, doomed)],
        new Date(),
      );
      // The insert waits on the deleted row's lock; commit the delete once it does.
      for (;;) {
        const waiting = await dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH input AS%'`,
        );
        if ((waiting[0]?.n ?? 0) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await runner.commitTransaction();
      expect(await insert).toEqual([{ id: event.id, deliveries: 0 }]);
    } finally {
      await runner.release();
    }
  });

  it('notifies no worker itself: the caller wakes them after the commit (DueSignal)', async () => {
    const org = await insertOrganization(dataSource);
    const active = await insertEndpoint(dataSource, org);
    await notificationsSoFar();

    const batch = [newEvent(), newEvent(), newEvent()];
    const result = await events.insertWithDeliveries(
      org,
      batch,
      batch.map((e) => deliveryTo(e, active)),
      new Date(),
    );
    expect(result.map((e) => e.deliveries)).toEqual([1, 1, 1]);
    expect(await notificationsSoFar()).toEqual([]);
  });

  it('is followed by a DueSignal that notifies the channel workers listen on, once per window', async () => {
    await notificationsSoFar();
    const failures: unknown[] = [];
    const signal = DueSignal.over(dataSource, (error) => failures.push(error));
    signal.raise();
    signal.raise();
    const deadline = Date.now() + 5000;
    while (heard.length === 0) {
      if (Date.now() > deadline) throw new Error('the due signal was never heard');
      await new Promise((resolve) => setImmediate(resolve));
    }
    signal.close();
    expect(heard.splice(0).map((n) => [n.channel, n.payload])).toEqual([
      [DELIVERIES_DUE_CHANNEL, ''],
    ]);
    expect(failures).toEqual([]);
  });

  it('lets two batches that share keys in opposite orders both finish (keys are taken in order)', async () => {
    const org = await insertOrganization(dataSource);
    for (let round = 0; round < 10; round++) {
      const keys = Array.from({ length: 200 }, (_, i) => `race-${round}-${i}`);
      const results = await Promise.allSettled([
        events.insertWithDeliveries(
          org,
          keys.map((k) => newEvent(k)),
          [],
          new Date(),
        ),
        events.insertWithDeliveries(
          org,
          [...keys].reverse().map((k) => newEvent(k)),
          [],
          new Date(),
        ),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      const inserted = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
      expect(inserted).toHaveLength(keys.length);
    }
  });
});

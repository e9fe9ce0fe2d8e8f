import { type DataSource } from 'typeorm';
import {
  insertTenant,
  openTestDatabase,
  rowsOf,
  type TenantRows,
  testIds,
} from '../testing/tenant-rows';
import { EventRepository, type NewEvent } from './event.repository';

describe('EventRepository', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let events: EventRepository;

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDatabase());
    events = new EventRepository(dataSource.manager);
  });
  afterAll(() => close?.());

  function newEvent(
    idempotencyKey: string | null,
    previousDataJson: string | null = null,
  ): NewEvent {
    const now = new Date();
    return {
      id: testIds.next(now),
      topic: 'post.created',
      dataJson: JSON.stringify({ title: 'hello' }),
      previousDataJson,
      idempotencyKey,
      payloadHash: 'h1',
      createdAt: now,
    };
  }

  /** Whether the event was inserted: the insert answers the events it wrote. */
  async function inserted(org: string, event: NewEvent): Promise<boolean> {
    const written = await events.insertWithDeliveries(org, [event], [], event.createdAt);
    return written.some((e) => e.id === event.id);
  }

  it('finds an event by id within its organization', async () => {
    const { org, event } = await insertTenant(dataSource);
    expect(await events.findById(org, event)).toMatchObject({ id: event, organizationId: org });
    expect(await events.findById(org, testIds.next(new Date()))).toBeNull();
  });

  it("reads the topics of the organization's events by id, in one map", async () => {
    const { org, event } = await insertTenant(dataSource);
    const published = newEvent(null);
    await inserted(org, { ...published, topic: 'post.updated' });
    const unknown = testIds.next(new Date());
    const topics = await events.topicsOf(org, [event, published.id, unknown, event]);
    expect(topics).toEqual(
      new Map([
        [event, 'post.created'],
        [published.id, 'post.updated'],
      ]),
    );
    expect(await events.topicsOf(org, [])).toEqual(new Map());
  });

  it('finds the event that holds an idempotency key', async () => {
    const { org, event } = await insertTenant(dataSource, { idempotencyKey: 'key-1' });
    expect(await events.findKeyHolders(org, ['key-1'])).toEqual([
      expect.objectContaining({ id: event, idempotencyKey: 'key-1' }),
    ]);
    expect(await events.findKeyHolders(org, ['key-2'])).toEqual([]);
  });

  it('inserts an event once per idempotency key, and always without one', async () => {
    const { org } = await insertTenant(dataSource);
    const first = newEvent('key-1', 'null');
    expect(await inserted(org, first)).toBe(true);
    expect(await inserted(org, newEvent('key-1'))).toBe(false);
    expect(await inserted(org, newEvent(null))).toBe(true);
    expect(await inserted(org, newEvent(null))).toBe(true);

    expect(await events.findById(org, first.id)).toMatchObject({
      organizationId: org,
      topic: 'post.created',
      data: { title: 'hello' },
      previousData: null,
      idempotencyKey: 'key-1',
      payloadHash: 'h1',
    });
    // No previous data is SQL NULL; a JSON null is stored as JSON.
    const [stored] = await dataSource.query<{ absent: boolean }[]>(
      `SELECT previous_data IS NULL AS absent FROM events WHERE id = $1`,
      [first.id],
    );
    expect(stored?.absent).toBe(false);
    const without = newEvent(null);
    await inserted(org, without);
    const [none] = await dataSource.query<{ absent: boolean }[]>(
      `SELECT previous_data IS NULL AS absent FROM events WHERE id = $1`,
      [without.id],
    );
    expect(none?.absent).toBe(true);
  });

  it("reads only what topic matching needs of the organization's endpoints", async () => {
    const { org, endpoint } = await insertTenant(dataSource);
    await dataSource.query(
      `UPDATE endpoints SET excluded_topics = '{post.deleted}' WHERE id = $1`,
      [endpoint],
    );
    expect(await events.ingestTargets(org)).toEqual([
      { id: endpoint, topics: ['post.created'], excludedTopics: ['post.deleted'] },
    ]);
  });

  describe('tenancy', () => {
    let a: TenantRows;
    let b: TenantRows;

    beforeAll(async () => {
      a = await insertTenant(dataSource, { name: 'a' });
      b = await insertTenant(dataSource, { name: 'b', idempotencyKey: 'shared-key' });
    });

    it("does not return another tenant's events", async () => {
      const before = await rowsOf(dataSource, 'events', b.org);

      expect(await events.findById(a.org, b.event)).toBeNull();
      expect(await events.topicsOf(a.org, [b.event])).toEqual(new Map());
      expect(await events.findKeyHolders(a.org, ['shared-key'])).toEqual([]);
      expect(await events.ingestTargets(a.org)).toEqual([
        expect.objectContaining({ id: a.endpoint }),
      ]);
      // B's key does not block A, and A's insert lands under A.
      const ofA = newEvent('shared-key');
      expect(await inserted(a.org, ofA)).toBe(true);
      expect(await events.findKeyHolders(a.org, ['shared-key'])).toEqual([
        expect.objectContaining({ id: ofA.id }),
      ]);
      expect(await events.findById(a.org, ofA.id)).toMatchObject({ organizationId: a.org });

      expect(await rowsOf(dataSource, 'events', b.org)).toEqual(before);
      expect(await events.findKeyHolders(b.org, ['shared-key'])).toEqual([
        expect.objectContaining({ id: b.event }),
      ]);
    });
  });
});

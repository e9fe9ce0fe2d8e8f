import { type DataSource } from 'typeorm';
import { type DeliveryEntity } from '../entities/delivery.entity';
import {
  insertDelivery,
  insertEndpoint,
  insertEvent,
  insertTenant,
  openTestDatabase,
  rowsOf,
  type TenantRows,
  testIds,
} from '../testing/tenant-rows';
import { DeliveryRepository, type NewDelivery } from './delivery.repository';

describe('DeliveryRepository', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let deliveries: DeliveryRepository;

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDatabase());
    deliveries = new DeliveryRepository(dataSource.manager);
  });
  afterAll(() => close?.());

  function newDelivery(event: string, endpoint: string): NewDelivery {
    const now = new Date();
    return {
      id: testIds.next(now),
      eventId: event,
      endpointId: endpoint,
      status: 'pending',
      attemptCount: 0,
      nextAttemptAt: now,
      claimId: null,
      claimExpiresAt: null,
      lastAttemptAt: null,
      completedAt: null,
      createdAt: now,
    };
  }

  it('finds a delivery by id within its organization', async () => {
    const { org, delivery } = await insertTenant(dataSource);
    expect(await deliveries.findById(org, delivery)).toMatchObject({
      id: delivery,
      organizationId: org,
      status: 'pending',
    });
    expect(await deliveries.findById(org, testIds.next(new Date()))).toBeNull();
  });

  it("pages an endpoint's deliveries newest first, one row past the page, after a position and by status", async () => {
    const { org, endpoint, event, delivery: newest } = await insertTenant(dataSource);
    const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000);
    const middle = await insertDelivery(dataSource, {
      org,
      event,
      endpoint,
      status: 'failed',
      createdAt: at(10),
    });
    const oldest = await insertDelivery(dataSource, { org, event, endpoint, createdAt: at(20) });
    const ids = (rows: DeliveryEntity[]) => rows.map((row) => row.id);

    const first = await deliveries.pageByEndpoint(org, endpoint, { limit: 2 });
    expect(ids(first)).toEqual([newest, middle, oldest]);
    const after = first[1];
    expect(ids(await deliveries.pageByEndpoint(org, endpoint, { limit: 2, after }))).toEqual([
      oldest,
    ]);
    expect(
      ids(await deliveries.pageByEndpoint(org, endpoint, { limit: 2, status: 'failed' })),
    ).toEqual([middle]);
  });

  it("narrows an endpoint's deliveries by creation time (both ends inclusive) and exact topic, and pages within the filter", async () => {
    const { org } = await insertTenant(dataSource);
    const endpoint = await insertEndpoint(dataSource, org);
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
    const topicOf = async (topic: string) => {
      const event = await insertEvent(dataSource, org);
      await dataSource.query(`UPDATE events SET topic = $1 WHERE id = $2`, [topic, event]);
      return event;
    };
    const created = await topicOf('post.created');
    const updated = await topicOf('post.updated');
    const rows: Record<string, string> = {};
    for (const [name, event, minutesAgo] of [
      ['c30', created, 30],
      ['u20', updated, 20],
      ['c20', created, 20],
      ['c10', created, 10],
      ['u5', updated, 5],
    ] as const) {
      rows[name] = await insertDelivery(dataSource, {
        org,
        event,
        endpoint,
        createdAt: at(minutesAgo),
      });
    }
    const ids = (list: DeliveryEntity[]) => list.map((row) => row.id);
    const page = (query: Omit<Parameters<DeliveryRepository['pageByEndpoint']>[2], 'limit'>) =>
      deliveries.pageByEndpoint(org, endpoint, { limit: 10, ...query });

    const twenty = at(20);
    expect(ids(await page({ since: twenty, until: at(10) }))).toEqual([
      rows['c10'],
      ...[rows['c20'], rows['u20']].sort().reverse(),
    ]);
    expect(ids(await page({ until: twenty }))).toEqual([
      ...[rows['c20'], rows['u20']].sort().reverse(),
      rows['c30'],
    ]);
    expect(ids(await page({ topic: 'post.updated' }))).toEqual([rows['u5'], rows['u20']]);
    expect(ids(await page({ topic: 'post' }))).toEqual([]);
    expect(ids(await page({ topic: 'post.created', since: at(25) }))).toEqual([
      rows['c10'],
      rows['c20'],
    ]);

    const first = await deliveries.pageByEndpoint(org, endpoint, {
      limit: 1,
      topic: 'post.created',
    });
    expect(ids(first)).toEqual([rows['c10'], rows['c20']]);
    const second = await deliveries.pageByEndpoint(org, endpoint, {
      limit: 1,
      topic: 'post.created',
      after: first[0],
    });
    expect(ids(second)).toEqual([rows['c20'], rows['c30']]);
  });

  it("lists an event's deliveries to some endpoints only, and tells whether it went to any of them", async () => {
    const { org, event, endpoint, delivery } = await insertTenant(dataSource);
    const other = await insertEndpoint(dataSource, org);
    const second = await insertDelivery(dataSource, { org, event, endpoint: other });
    const unrelated = await insertEndpoint(dataSource, org);

    expect(ids(await deliveries.listByEvent(org, event, [other]))).toEqual([second]);
    expect(ids(await deliveries.listByEvent(org, event, [endpoint, other]))).toEqual(
      [delivery, second].sort(),
    );
    expect(await deliveries.listByEvent(org, event, [])).toEqual([]);
    expect(await deliveries.hasDeliveryTo(org, event, [unrelated, other])).toBe(true);
    expect(await deliveries.hasDeliveryTo(org, event, [unrelated])).toBe(false);
    expect(await deliveries.hasDeliveryTo(org, event, [])).toBe(false);

    function ids(list: DeliveryEntity[]) {
      return list.map((row) => row.id);
    }
  });

  it("lists an event's deliveries in id order, and none of an event without any", async () => {
    const { org, event, delivery } = await insertTenant(dataSource);
    const second = await insertDelivery(dataSource, {
      org,
      event,
      endpoint: await insertEndpoint(dataSource, org),
    });
    const listed = await deliveries.listByEvent(org, event);
    expect(listed.map((row) => row.id)).toEqual([delivery, second].sort());
    expect(await deliveries.listByEvent(org, await insertEvent(dataSource, org))).toEqual([]);
  });

  it('inserts rows under the organization, with the scheduled trigger, and nothing for none', async () => {
    const { org, endpoint } = await insertTenant(dataSource);
    const event = await insertEvent(dataSource, org);
    const rows = [newDelivery(event, endpoint), newDelivery(event, endpoint)];
    await deliveries.insertMany(org, rows);
    await deliveries.insertMany(org, []);
    const stored = await deliveries.listByEvent(org, event);
    expect(stored.map((row) => row.id)).toEqual(rows.map((row) => row.id).sort());
    for (const row of stored) {
      expect(row).toMatchObject({
        organizationId: org,
        nextTrigger: 'scheduled',
        status: 'pending',
      });
    }
  });

  it('requeues a delivery as manual, unless a live claim holds it', async () => {
    const { org, delivery } = await insertTenant(dataSource, { deliveryStatus: 'failed' });
    expect(await deliveries.retryNow(org, delivery)).toBe(true);
    expect(await deliveries.findById(org, delivery)).toMatchObject({
      status: 'pending',
      nextTrigger: 'manual',
      completedAt: null,
    });
    await dataSource.query(
      `UPDATE deliveries SET claim_id = gen_random_uuid(), claim_expires_at = now() + interval '1 minute' WHERE id = $1`,
      [delivery],
    );
    expect(await deliveries.retryNow(org, delivery)).toBe(false);
  });

  it("requeues an endpoint's failed deliveries made since a time, and fails its pending ones", async () => {
    const {
      org,
      endpoint,
      event,
      delivery: recent,
    } = await insertTenant(dataSource, {
      deliveryStatus: 'failed',
    });
    const old = await insertDelivery(dataSource, {
      org,
      event,
      endpoint,
      status: 'failed',
      createdAt: new Date(Date.now() - 3_600_000),
    });
    expect(await deliveries.recoverFailed(org, endpoint, new Date(Date.now() - 60_000))).toBe(1);
    expect(await deliveries.findById(org, recent)).toMatchObject({
      status: 'pending',
      attemptCount: 0,
    });
    expect(await deliveries.findById(org, old)).toMatchObject({ status: 'failed' });

    expect(await deliveries.failPendingOfEndpoint(org, endpoint, new Date())).toBe(1);
    expect(await deliveries.findById(org, recent)).toMatchObject({ status: 'failed' });
  });

  describe('tenancy', () => {
    let a: TenantRows;
    let b: TenantRows;

    beforeAll(async () => {
      a = await insertTenant(dataSource, { name: 'a', deliveryStatus: 'failed' });
      b = await insertTenant(dataSource, { name: 'b', deliveryStatus: 'failed' });
      // B also has a pending delivery, for the methods that touch pending rows.
      await insertDelivery(dataSource, { org: b.org, event: b.event, endpoint: b.endpoint });
    });

    it("does not return another tenant's deliveries", async () => {
      const before = await rowsOf(dataSource, 'deliveries', b.org);
      const longAgo = new Date(0);

      expect(await deliveries.findById(a.org, b.delivery)).toBeNull();
      expect(await deliveries.pageByEndpoint(a.org, b.endpoint, { limit: 10 })).toEqual([]);
      expect(await deliveries.listByEvent(a.org, b.event)).toEqual([]);
      expect(await deliveries.listByEvent(a.org, b.event, [b.endpoint])).toEqual([]);
      expect(await deliveries.hasDeliveryTo(a.org, b.event, [b.endpoint])).toBe(false);
      expect(
        await deliveries.pageByEndpoint(a.org, b.endpoint, { limit: 10, topic: 'post.created' }),
      ).toEqual([]);
      expect(await deliveries.retryNow(a.org, b.delivery)).toBe(false);
      expect(await deliveries.recoverFailed(a.org, b.endpoint, longAgo)).toBe(0);
      expect(await deliveries.failPendingOfEndpoint(a.org, b.endpoint, new Date())).toBe(0);
      // A row that names B (past the type) is still written under A.
      const smuggled = { ...newDelivery(a.event, a.endpoint), organizationId: b.org };
      await deliveries.insertMany(a.org, [smuggled]);
      expect(await deliveries.findById(a.org, smuggled.id)).toMatchObject({
        organizationId: a.org,
      });
      expect(await deliveries.findById(b.org, smuggled.id)).toBeNull();

      expect(await rowsOf(dataSource, 'deliveries', b.org)).toEqual(before);
      // The same calls with B's organization do reach B's rows.
      expect(await deliveries.findById(b.org, b.delivery)).toMatchObject({ id: b.delivery });
      expect(await deliveries.recoverFailed(b.org, b.endpoint, longAgo)).toBe(1);
    });
  });
});

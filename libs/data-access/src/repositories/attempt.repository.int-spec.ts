import { type DataSource } from 'typeorm';
import { type AttemptEntity } from '../entities/attempt.entity';
import {
  insertAttempt,
  insertTenant,
  openTestDatabase,
  rowsOf,
  type TenantRows,
  testIds,
} from '../testing/tenant-rows';
import { AttemptRepository, type NewAttempt } from './attempt.repository';

describe('AttemptRepository', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let attempts: AttemptRepository;

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDatabase());
    attempts = new AttemptRepository(dataSource.manager);
  });
  afterAll(() => close?.());

  function newAttempt(tenant: TenantRows): NewAttempt {
    const now = new Date();
    return {
      id: testIds.next(now),
      endpointId: tenant.endpoint,
      deliveryId: tenant.delivery,
      eventId: tenant.event,
      trigger: 'scheduled',
      statusCode: 500,
      durationMs: 12,
      errorClass: 'http_status',
      errorMessage: null,
      responseExcerpt: 'oops',
      requestHeaders: { 'webhook-id': 'msg_1' },
      createdAt: now,
    };
  }

  it("pages an endpoint's attempts newest first, one row past the page, after a position", async () => {
    const { org, endpoint, attempt: newest } = await insertTenant(dataSource);
    const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000);
    const middle = await insertAttempt(dataSource, { org, endpoint, createdAt: at(10) });
    const oldest = await insertAttempt(dataSource, { org, endpoint, createdAt: at(20) });
    const ids = (rows: AttemptEntity[]) => rows.map((row) => row.id);

    const first = await attempts.pageByEndpoint(org, endpoint, { limit: 2 });
    expect(ids(first)).toEqual([newest, middle, oldest]);
    const after = first[1];
    expect(ids(await attempts.pageByEndpoint(org, endpoint, { limit: 2, after }))).toEqual([
      oldest,
    ]);
  });

  it("pages a delivery's attempts newest first, one row past the page, after a position, no other's", async () => {
    const tenant = await insertTenant(dataSource); // its fixture attempt is a test send, of no delivery
    const other = await insertTenant(dataSource);
    const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000);
    const ofDelivery = async (of: TenantRows, secondsAgo: number) => {
      const row = {
        ...newAttempt(of),
        id: testIds.next(at(secondsAgo)),
        createdAt: at(secondsAgo),
      };
      await attempts.insert(of.org, row);
      return row.id;
    };
    const oldest = await ofDelivery(tenant, 30);
    const newest = await ofDelivery(tenant, 5);
    const middle = await ofDelivery(tenant, 20);
    await ofDelivery(other, 10);
    const ids = (rows: AttemptEntity[]) => rows.map((row) => row.id);

    const first = await attempts.pageByDelivery(tenant.org, tenant.delivery, { limit: 2 });
    expect(ids(first)).toEqual([newest, middle, oldest]);
    const after = first[1];
    expect(
      ids(await attempts.pageByDelivery(tenant.org, tenant.delivery, { limit: 2, after })),
    ).toEqual([oldest]);
    // Another tenant's delivery, which has an attempt, is not found under this one.
    expect(await attempts.pageByDelivery(tenant.org, other.delivery, { limit: 10 })).toEqual([]);
    expect(await attempts.pageByDelivery(other.org, other.delivery, { limit: 10 })).toHaveLength(1);
  });

  it('inserts an attempt under the organization', async () => {
    const tenant = await insertTenant(dataSource);
    const row = newAttempt(tenant);
    await attempts.insert(tenant.org, row);
    const [stored] = await attempts.pageByEndpoint(tenant.org, tenant.endpoint, { limit: 1 });
    expect(stored).toEqual({ ...row, organizationId: tenant.org });
  });

  describe('statistics', () => {
    const hour = 3_600_000;
    const from = new Date(Math.floor(Date.now() / hour) * hour - 3 * hour);
    const to = new Date(from.getTime() + 3 * hour);
    const query = { from, to, bucketSeconds: 3600 };

    async function attempt(
      tenant: TenantRows,
      minutesAfterFrom: number,
      durationMs: number,
      outcome: 'success' | 'failure' | 'test',
    ): Promise<void> {
      const createdAt = new Date(from.getTime() + minutesAfterFrom * 60_000);
      await attempts.insert(tenant.org, {
        ...newAttempt(tenant),
        id: testIds.next(createdAt),
        trigger: outcome === 'test' ? 'test' : 'scheduled',
        statusCode: outcome === 'failure' ? 500 : 200,
        errorClass: outcome === 'failure' ? 'http_status' : null,
        durationMs,
        createdAt,
      });
    }

    it('counts successes, failures and durations per bucket, every bucket present, test sends left out', async () => {
      const tenant = await insertTenant(dataSource); // its fixture attempt is a test send, now
      await attempt(tenant, -1, 999, 'success'); // before the first bucket
      for (const ms of [10, 20, 30, 40]) await attempt(tenant, 5, ms, 'success');
      await attempt(tenant, 59, 100, 'failure');
      await attempt(tenant, 30, 5000, 'test');
      await attempt(tenant, 2 * 60 + 1, 7, 'failure');
      await attempt(tenant, 4 * 60, 999, 'success'); // after the last bucket

      const buckets = await attempts.statsByEndpoint(tenant.org, tenant.endpoint, query);
      expect(buckets).toEqual([
        {
          start: from,
          attempts: 5,
          successes: 4,
          failures: 1,
          p50Ms: 30,
          p95Ms: 88,
          avgMs: 40,
        },
        {
          start: new Date(from.getTime() + hour),
          attempts: 0,
          successes: 0,
          failures: 0,
          p50Ms: null,
          p95Ms: null,
          avgMs: null,
        },
        {
          start: new Date(from.getTime() + 2 * hour),
          attempts: 1,
          successes: 0,
          failures: 1,
          p50Ms: 7,
          p95Ms: 7,
          avgMs: 7,
        },
        {
          start: to,
          attempts: 0,
          successes: 0,
          failures: 0,
          p50Ms: null,
          p95Ms: null,
          avgMs: null,
        },
      ]);
    });

    it("does not count another tenant's attempts or another endpoint's", async () => {
      const a = await insertTenant(dataSource, { name: 'stats-a' });
      const b = await insertTenant(dataSource, { name: 'stats-b' });
      await attempt(b, 5, 10, 'success');
      const counted = async (org: string, endpoint: string) =>
        (await attempts.statsByEndpoint(org, endpoint, query)).map((bucket) => bucket.attempts);
      expect(await counted(a.org, b.endpoint)).toEqual([0, 0, 0, 0]);
      expect(await counted(a.org, a.endpoint)).toEqual([0, 0, 0, 0]);
      expect(await counted(b.org, b.endpoint)).toEqual([1, 0, 0, 0]);
    });
  });

  describe('tenancy', () => {
    let a: TenantRows;
    let b: TenantRows;

    beforeAll(async () => {
      a = await insertTenant(dataSource, { name: 'a' });
      b = await insertTenant(dataSource, { name: 'b' });
    });

    it("does not return another tenant's attempts", async () => {
      const before = await rowsOf(dataSource, 'attempts', b.org);

      expect(await attempts.pageByEndpoint(a.org, b.endpoint, { limit: 10 })).toEqual([]);
      expect(await attempts.pageByDelivery(a.org, b.delivery, { limit: 10 })).toEqual([]);
      // A row that names B (past the type) is still written under A.
      const smuggled = { ...newAttempt(a), organizationId: b.org };
      await attempts.insert(a.org, smuggled);
      const ofA = await attempts.pageByEndpoint(a.org, a.endpoint, { limit: 10 });
      expect(ofA.find((row) => row.id === smuggled.id)).toMatchObject({ organizationId: a.org });

      expect(await rowsOf(dataSource, 'attempts', b.org)).toEqual(before);
      const ofB = await attempts.pageByEndpoint(b.org, b.endpoint, { limit: 10 });
      expect(ofB.map((row) => row.id)).toEqual([b.attempt]);
    });
  });
});

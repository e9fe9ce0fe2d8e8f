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

  it('inserts an attempt under the organization', async () => {
    const tenant = await insertTenant(dataSource);
    const row = newAttempt(tenant);
    await attempts.insert(tenant.org, row);
    const [stored] = await attempts.pageByEndpoint(tenant.org, tenant.endpoint, { limit: 1 });
    expect(stored).toEqual({ ...row, organizationId: tenant.org });
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

import { randomUUID } from 'node:crypto';
import { AddTenantForeignKeys1765000000000 } from './migrations/1765000000000-AddTenantForeignKeys';
import { DeliveryQueueRepository } from './repositories/delivery-queue.repository';
import { insertTenant, openTestDatabase, testIds, type TenantRows } from './testing/tenant-rows';

/** PostgreSQL's SQLSTATE for a foreign-key violation. */
const FOREIGN_KEY_VIOLATION = { code: '23503' };

describe('tenant integrity in the schema', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let a: TenantRows;
  let b: TenantRows;

  beforeAll(async () => {
    database = await openTestDatabase();
    a = await insertTenant(database.dataSource, { name: 'a' });
    b = await insertTenant(database.dataSource, { name: 'b' });
  });

  afterAll(() => database?.close());

  const query = (sql: string, parameters: unknown[]) => database.dataSource.query(sql, parameters);

  const insertDelivery = (org: string, event: string, endpoint: string) =>
    query(
      `INSERT INTO deliveries (id, organization_id, event_id, endpoint_id, status, next_attempt_at)
       VALUES ($1, $2, $3, $4, 'pending', now())`,
      [testIds.next(new Date()), org, event, endpoint],
    );

  const insertAttempt = (org: string, endpoint: string, delivery: string | null) =>
    query(
      `INSERT INTO attempts (id, organization_id, endpoint_id, delivery_id, trigger, duration_ms)
       VALUES ($1, $2, $3, $4, 'scheduled', 1)`,
      [testIds.next(new Date()), org, endpoint, delivery],
    );

  const insertSecret = (org: string, endpoint: string) =>
    query(
      `INSERT INTO endpoint_secrets (id, organization_id, endpoint_id, secret_enc, key_version)
       VALUES ($1, $2, $3, 'v1.x.y.z', 1)`,
      [testIds.next(new Date()), org, endpoint],
    );

  it("X10 refuses a delivery naming another organization's endpoint or event", async () => {
    await expect(insertDelivery(b.org, b.event, a.endpoint)).rejects.toMatchObject(
      FOREIGN_KEY_VIOLATION,
    );
    await expect(insertDelivery(b.org, a.event, b.endpoint)).rejects.toMatchObject(
      FOREIGN_KEY_VIOLATION,
    );
    await expect(insertDelivery(b.org, b.event, b.endpoint)).resolves.toBeDefined();
  });

  it("X10 refuses an attempt naming another organization's endpoint or delivery", async () => {
    await expect(insertAttempt(b.org, a.endpoint, null)).rejects.toMatchObject(
      FOREIGN_KEY_VIOLATION,
    );
    await expect(insertAttempt(b.org, b.endpoint, a.delivery)).rejects.toMatchObject(
      FOREIGN_KEY_VIOLATION,
    );
    await expect(insertAttempt(b.org, b.endpoint, b.delivery)).resolves.toBeDefined();
  });

  it("X10 refuses a signing secret of another organization's endpoint", async () => {
    await expect(insertSecret(b.org, a.endpoint)).rejects.toMatchObject(FOREIGN_KEY_VIOLATION);
    await expect(insertSecret(b.org, b.endpoint)).resolves.toBeDefined();
  });

  it('X10 refuses moving a delivery to another organization without its endpoint', async () => {
    await expect(
      query(`UPDATE deliveries SET organization_id = $1 WHERE id = $2`, [b.org, a.delivery]),
    ).rejects.toMatchObject(FOREIGN_KEY_VIOLATION);
  });

  it('X10 the migration goes down and up again over existing rows; the claim still claims and deletes still cascade', async () => {
    const migration = new AddTenantForeignKeys1765000000000();
    const runner = database.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    await expect(insertSecret(b.org, a.endpoint)).rejects.toMatchObject(FOREIGN_KEY_VIOLATION);
    await insertSecret(a.org, a.endpoint);
    const claimed = await new DeliveryQueueRepository(database.dataSource.manager).claimDue(
      randomUUID(),
      100,
      30_000,
    );
    expect(claimed.map((row) => [row.organizationId, row.endpointId, row.eventId])).toEqual(
      expect.arrayContaining([
        [a.org, a.endpoint, a.event],
        [b.org, b.endpoint, b.event],
      ]),
    );
    // ON DELETE CASCADE is kept: deleting an endpoint deletes its deliveries, attempts and secrets.
    await query(`DELETE FROM endpoints WHERE id = $1`, [a.endpoint]);
    for (const table of ['deliveries', 'attempts', 'endpoint_secrets']) {
      const rows = await query(`SELECT 1 FROM ${table} WHERE endpoint_id = $1`, [a.endpoint]);
      expect({ table, rows }).toEqual({ table, rows: [] });
    }
  });
});

import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import {
  insertAttempt,
  insertDelivery,
  insertEndpoint,
  insertEvent,
  insertOrganization,
  openTestDatabase,
  testIds,
} from '../testing/tenant-rows';
import {
  nextOrganizationToPurge,
  purgeOrganizationBatch,
  type PurgeStep,
  type PurgeTable,
} from './organization-purge';

const TABLES: readonly PurgeTable[] = [
  'attempts',
  'deliveries',
  'events',
  'endpoint_secrets',
  'endpoints',
  'portal_sessions',
  'api_keys',
  'organizations',
];

describe('purging a deleted organization', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  beforeAll(async () => ({ dataSource, close } = await openTestDatabase()));
  afterAll(() => close?.());

  /** An organization with rows in every table: 2 endpoints, each with a secret, and `events` events. */
  async function organizationWithRows(events = 6): Promise<string> {
    const org = await insertOrganization(dataSource);
    const endpoints = [
      await insertEndpoint(dataSource, org),
      await insertEndpoint(dataSource, org),
    ];
    for (const endpoint of endpoints) {
      await dataSource.query(
        `INSERT INTO endpoint_secrets (id, organization_id, endpoint_id, secret_enc, key_version)
         VALUES ($1, $2, $3, 'v1.x.y.z', 1)`,
        [testIds.next(new Date()), org, endpoint],
      );
    }
    for (let i = 0; i < events; i++) {
      const event = await insertEvent(dataSource, org);
      for (const endpoint of endpoints) {
        const delivery = await insertDelivery(dataSource, { org, event, endpoint });
        await dataSource.query(
          `INSERT INTO attempts (id, organization_id, endpoint_id, delivery_id, event_id, trigger, duration_ms)
           VALUES ($1, $2, $3, $4, $5, 'scheduled', 1)`,
          [testIds.next(new Date()), org, endpoint, delivery, event],
        );
      }
    }
    await insertAttempt(dataSource, { org, endpoint: endpoints[0] }); // a test send
    for (let i = 0; i < 2; i++) {
      await dataSource.query(
        `INSERT INTO api_keys (id, organization_id, name, prefix, key_hash, permissions)
         VALUES ($1, $2, 'k', 'hk_', $3, '{}')`,
        [testIds.next(new Date()), org, randomUUID()],
      );
      await dataSource.query(
        `INSERT INTO portal_sessions (id, organization_id, token_hash, permissions, expires_at)
         VALUES ($1, $2, $3, '{}', now() + interval '1 hour')`,
        [testIds.next(new Date()), org, randomUUID()],
      );
    }
    return org;
  }

  async function counts(org: string): Promise<Record<PurgeTable, number>> {
    const entries = await Promise.all(
      TABLES.map(async (table) => {
        const column = table === 'organizations' ? 'id' : 'organization_id';
        const [row] = await dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`,
          [org],
        );
        return [table, row?.n ?? -1] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<PurgeTable, number>;
  }

  const markDeleted = (org: string, at = new Date()) =>
    dataSource.query(`UPDATE organizations SET deleted_at = $2 WHERE id = $1`, [org, at]);

  /** Calls the purge until it answers null or `waiting`; every step it took. */
  async function purgeAll(org: string, batchSize: number): Promise<PurgeStep[]> {
    const steps: PurgeStep[] = [];
    for (let i = 0; i < 1_000; i++) {
      const step = await purgeOrganizationBatch(dataSource, org, batchSize);
      if (step === null) return steps;
      steps.push(step);
      if (step.waiting) return steps;
    }
    throw new Error('the purge did not end');
  }

  it("deletes all of a deleted organization's rows in bounded batches, children first, and no one else's", async () => {
    const deleted = await organizationWithRows();
    const other = await organizationWithRows();
    const otherBefore = await counts(other);
    await markDeleted(deleted);
    const steps = await purgeAll(deleted, 5);
    expect(await counts(deleted)).toEqual(Object.fromEntries(TABLES.map((t) => [t, 0])));
    expect(await counts(other)).toEqual(otherBefore);
    expect(steps.every((s) => s.deleted >= 1 && s.deleted <= 5 && !s.waiting)).toBe(true);
    // 13 attempts and 12 deliveries take several batches each; tables come in foreign-key order.
    const order = steps.map((s) => TABLES.indexOf(s.table));
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect([...new Set(steps.map((s) => s.table))]).toEqual(TABLES);
    expect(steps.filter((s) => s.table === 'attempts').map((s) => s.deleted)).toEqual([5, 5, 3]);
  });

  it('deletes no more rows in one call than its batch size', async () => {
    const org = await organizationWithRows(10);
    await markDeleted(org);
    const before = await counts(org);
    expect(before.attempts).toBe(21);
    await expect(purgeOrganizationBatch(dataSource, org, 4)).resolves.toEqual({
      table: 'attempts',
      deleted: 4,
      waiting: false,
    });
    expect(await counts(org)).toEqual({ ...before, attempts: 17 });
    await purgeAll(org, 500);
  });

  it('never deletes a row of a live organization', async () => {
    const live = await organizationWithRows(1);
    const before = await counts(live);
    await expect(purgeOrganizationBatch(dataSource, live, 500)).resolves.toBeNull();
    expect(await counts(live)).toEqual(before);
  });

  it('leaves a delivery in flight, its event and endpoint, until its claim has ended', async () => {
    const org = await insertOrganization(dataSource);
    const endpoint = await insertEndpoint(dataSource, org);
    const event = await insertEvent(dataSource, org);
    const delivery = await insertDelivery(dataSource, { org, event, endpoint });
    await insertDelivery(dataSource, { org, event, endpoint, status: 'failed' });
    await dataSource.query(
      `UPDATE deliveries SET claim_id = $2, claim_expires_at = now() + interval '1 minute' WHERE id = $1`,
      [delivery, randomUUID()],
    );
    await markDeleted(org);
    const steps = await purgeAll(org, 500);
    expect(steps.at(-1)).toEqual({ table: 'deliveries', deleted: 0, waiting: true });
    expect(await counts(org)).toMatchObject({
      deliveries: 1,
      events: 1,
      endpoints: 1,
      organizations: 1,
    });
    await dataSource.query(`UPDATE deliveries SET claim_expires_at = now() WHERE id = $1`, [
      delivery,
    ]);
    await purgeAll(org, 500);
    expect(await counts(org)).toMatchObject({ deliveries: 0, events: 0, organizations: 0 });
  });

  it('names the longest deleted organization next, leaving out those it is told to', async () => {
    const first = await insertOrganization(dataSource);
    const second = await insertOrganization(dataSource);
    await markDeleted(second, new Date(Date.now() - 3_600_000));
    await markDeleted(first, new Date(Date.now() - 7_200_000));
    await expect(nextOrganizationToPurge(dataSource)).resolves.toBe(first);
    await expect(nextOrganizationToPurge(dataSource, [first])).resolves.toBe(second);
    await purgeAll(first, 500);
    await purgeAll(second, 500);
    await expect(nextOrganizationToPurge(dataSource)).resolves.toBeNull();
  });
});

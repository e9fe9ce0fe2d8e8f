import { randomBytes, randomUUID } from 'node:crypto';
import { type OpenTestDatabase, openTestDatabase } from '@hookyard/data-access';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { purgeDeletedOrganizations } from './organization-purge.job';

const ids = new ObjectIdGenerator(randomBytes);

describe('purgeDeletedOrganizations', () => {
  let database: OpenTestDatabase;
  beforeAll(async () => (database = await openTestDatabase()));
  afterAll(() => database?.close());

  /** An organization with an endpoint, `n` events and a pending delivery of each; its delivery ids. */
  async function organization(n: number, deleted: boolean): Promise<[string, string[]]> {
    const org = ids.next(new Date());
    await database.dataSource.query(
      `INSERT INTO organizations (id, name, deleted_at) VALUES ($1, 'o', CASE WHEN $2 THEN now() END)`,
      [org, deleted],
    );
    const endpoint = ids.next(new Date());
    await database.dataSource.query(
      `INSERT INTO endpoints (id, organization_id, dialect, url, name, topics, status, timeout_ms, auth_type, signing_protocol, payload_version)
       VALUES ($1, $2, 'native', 'https://example.com', 'e', '{post.created}', 'active', 5000, 'none', 'v1', '1')`,
      [endpoint, org],
    );
    const deliveries: string[] = [];
    for (let i = 0; i < n; i++) {
      const event = ids.next(new Date());
      await database.dataSource.query(
        `INSERT INTO events (id, organization_id, topic, data, payload_hash) VALUES ($1, $2, 'post.created', '{}', 'h')`,
        [event, org],
      );
      const delivery = ids.next(new Date());
      await database.dataSource.query(
        `INSERT INTO deliveries (id, organization_id, event_id, endpoint_id, status, next_attempt_at)
         VALUES ($1, $2, $3, $4, 'pending', now())`,
        [delivery, org, event, endpoint],
      );
      deliveries.push(delivery);
    }
    return [org, deliveries];
  }

  const exists = async (org: string) =>
    (await database.dataSource.query(`SELECT 1 FROM organizations WHERE id = $1`, [org])).length ===
    1;

  it('purges every deleted organization, passes over one with a delivery in flight, keeps live ones', async () => {
    const [first] = await organization(7, true);
    const [second] = await organization(3, true);
    const [held, [inFlight]] = await organization(2, true);
    const [live] = await organization(2, false);
    await database.dataSource.query(
      `UPDATE deliveries SET claim_id = $2, claim_expires_at = now() + interval '1 minute' WHERE id = $1`,
      [inFlight, randomUUID()],
    );
    const purged = await purgeDeletedOrganizations(
      database.dataSource,
      new AbortController().signal,
      2,
    );
    expect(purged).toBe(2);
    expect(await Promise.all([first, second, held, live].map(exists))).toEqual([
      false,
      false,
      true,
      true,
    ]);
    const [left] = await database.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM deliveries WHERE organization_id = $1`,
      [held],
    );
    expect(left).toEqual({ n: 1 });
  });

  it('stops between steps once its signal is aborted', async () => {
    const [org] = await organization(2, true);
    const stopping = new AbortController();
    stopping.abort();
    await expect(purgeDeletedOrganizations(database.dataSource, stopping.signal)).resolves.toBe(0);
    expect(await exists(org)).toBe(true);
  });
});

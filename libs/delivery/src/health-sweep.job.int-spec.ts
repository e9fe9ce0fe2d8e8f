import { randomBytes } from 'node:crypto';
import { type OpenTestDatabase, openTestDatabase } from '@hookyard/data-access';
import { DEFAULT_THRESHOLDS, ObjectIdGenerator } from '@hookyard/webhook-core';
import { sweepEndpointHealth } from './health-sweep.job';

const ids = new ObjectIdGenerator(randomBytes);

describe("the health sweep with each organization's windows", () => {
  let database: OpenTestDatabase;
  beforeAll(async () => (database = await openTestDatabase()));
  afterAll(() => database?.close());

  async function organization(thresholds: object | null, deleted = false): Promise<string> {
    const id = ids.next(new Date());
    await database.dataSource.query(
      `INSERT INTO organizations (id, name, thresholds, deleted_at) VALUES ($1, 'o', $2, CASE WHEN $3 THEN now() END)`,
      [id, thresholds === null ? null : JSON.stringify(thresholds), deleted],
    );
    return id;
  }

  /** An endpoint of `org` failing for two minutes, `active` or paused for failures. */
  async function failingEndpoint(org: string, status: 'active' | 'paused'): Promise<string> {
    const id = ids.next(new Date());
    await database.dataSource.query(
      `INSERT INTO endpoints (id, organization_id, dialect, url, name, topics, status, status_reason, timeout_ms, auth_type, signing_protocol, payload_version,
         consecutive_failures, errors_since_last_success, failing_since, paused_at)
       VALUES ($1, $2, 'native', 'https://example.com', 'e', '{post.created}', $3,
         CASE WHEN $3 = 'paused' THEN 'consecutive_failures' END, 5000, 'none', 'v1', '1',
         3, 3, now() - interval '2 minutes', CASE WHEN $3 = 'paused' THEN now() END)`,
      [id, org, status],
    );
    return id;
  }

  const statusOf = async (id: string) =>
    (
      await database.dataSource.query<{ status: string; status_reason: string | null }[]>(
        `SELECT status, status_reason FROM endpoints WHERE id = $1`,
        [id],
      )
    )[0];

  it("pauses and suspends by the organization's windows, and leaves others to the installation's", async () => {
    const pausing = await failingEndpoint(await organization({ pauseAfterSeconds: 60 }), 'active');
    const suspending = await failingEndpoint(
      await organization({ suspendAfterSeconds: 60 }),
      'paused',
    );
    const plain = await failingEndpoint(await organization(null), 'active');
    const plainPaused = await failingEndpoint(await organization({ penaltyAfter: 1 }), 'paused');
    const deleted = await failingEndpoint(
      await organization({ pauseAfterSeconds: 60 }, true),
      'active',
    );
    await sweepEndpointHealth(database.dataSource, DEFAULT_THRESHOLDS);
    expect(await statusOf(pausing)).toEqual({
      status: 'paused',
      status_reason: 'failure_duration',
    });
    expect(await statusOf(suspending)).toEqual({
      status: 'suspended',
      status_reason: 'failure_duration',
    });
    expect(await statusOf(plain)).toEqual({ status: 'active', status_reason: null });
    expect(await statusOf(plainPaused)).toEqual({
      status: 'paused',
      status_reason: 'consecutive_failures',
    });
    expect(await statusOf(deleted)).toEqual({ status: 'active', status_reason: null });
  });
});

import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { initialEndpointState } from '@hookyard/webhook-core';
import {
  insertDelivery,
  insertEndpoint,
  insertEvent,
  insertOrganization,
  openTestDatabase,
  testIds,
} from '../testing/tenant-rows';
import { DeliveryQueueRepository } from './delivery-queue.repository';

/** The worker's batch statements: claim with the event, renew, release, finish, lock and write states. */
describe('batched delivery recording', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let deliveries: DeliveryQueueRepository;
  let org: string;

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDatabase());
    deliveries = new DeliveryQueueRepository(dataSource.manager);
    org = await insertOrganization(dataSource);
  });
  afterAll(() => close());

  const claimAll = async (endpoint: string) => {
    const claimId = randomUUID();
    const claimed = (await deliveries.claimDue(claimId, 50, 60_000)).filter(
      (d) => d.endpointId === endpoint,
    );
    return { claimId, claimed };
  };
  const rowOf = async (id: string) =>
    (
      await dataSource.query<{ status: string; claim_id: string | null; attempt_count: number }[]>(
        `SELECT status, claim_id, attempt_count FROM deliveries WHERE id = $1`,
        [id],
      )
    )[0];

  it('claims deliveries with their event and the endpoint version', async () => {
    const endpoint = await insertEndpoint(dataSource, org);
    const event = await insertEvent(dataSource, org);
    const delivery = await insertDelivery(dataSource, { org, event, endpoint });
    const { claimed } = await claimAll(endpoint);
    expect(claimed).toEqual([
      expect.objectContaining({
        id: delivery,
        eventId: event,
        event: {
          topic: 'post.created',
          data: {},
          previousData: null,
          createdAt: expect.any(Date),
        },
        endpointVersion: expect.any(String),
      }),
    ]);
    const [{ version }] = await dataSource.query<{ version: string }[]>(
      `SELECT updated_at::text AS version FROM endpoints WHERE id = $1`,
      [endpoint],
    );
    expect(claimed[0]?.endpointVersion).toBe(version);
  });

  it('finishes only the rows each claim still holds, in one statement', async () => {
    const endpoint = await insertEndpoint(dataSource, org);
    const mine = await insertDelivery(dataSource, {
      org,
      event: await insertEvent(dataSource, org),
      endpoint,
    });
    const lost = await insertDelivery(dataSource, {
      org,
      event: await insertEvent(dataSource, org),
      endpoint,
    });
    const { claimId } = await claimAll(endpoint);
    // Another worker took `lost` over after the lease ended.
    await dataSource.query(`UPDATE deliveries SET claim_id = $2 WHERE id = $1`, [
      lost,
      randomUUID(),
    ]);
    const at = new Date();
    const finished = await deliveries.finishMany([
      { claimId, id: mine, status: 'succeeded', attemptCount: 1, nextAttemptAt: null, at },
      { claimId, id: lost, status: 'succeeded', attemptCount: 1, nextAttemptAt: null, at },
    ]);
    expect([...finished]).toEqual([mine]);
    expect(await rowOf(mine)).toMatchObject({
      status: 'succeeded',
      claim_id: null,
      attempt_count: 1,
    });
    expect(await rowOf(lost)).toMatchObject({ status: 'pending', attempt_count: 0 });
  });

  it('renews and releases every held row of several claims in one statement each', async () => {
    const endpoint = await insertEndpoint(dataSource, org);
    const a = await insertDelivery(dataSource, {
      org,
      event: await insertEvent(dataSource, org),
      endpoint,
    });
    const first = await claimAll(endpoint);
    const b = await insertDelivery(dataSource, {
      org,
      event: await insertEvent(dataSource, org),
      endpoint,
    });
    const second = await claimAll(endpoint);
    const held = [
      { claimId: first.claimId, id: a },
      { claimId: second.claimId, id: b },
      { claimId: randomUUID(), id: a }, // a claim that no longer holds it
    ];
    expect(await deliveries.renewMany(held, 120_000)).toBe(2);
    await deliveries.releaseMany(held.slice(0, 1));
    expect((await rowOf(a))?.claim_id).toBeNull();
    expect((await rowOf(b))?.claim_id).toBe(second.claimId);
  });

  it('inserts many attempts of several organizations in one statement', async () => {
    const other = await insertOrganization(dataSource, 'other');
    const mine = await insertEndpoint(dataSource, org);
    const theirs = await insertEndpoint(dataSource, other);
    const attempt = (organizationId: string, endpointId: string) => ({
      organizationId,
      id: testIds.next(new Date()),
      endpointId,
      deliveryId: null,
      eventId: null,
      trigger: 'test' as const,
      statusCode: 200,
      durationMs: 3,
      errorClass: null,
      errorMessage: null,
      responseExcerpt: 'ok',
      requestHeaders: {},
      createdAt: new Date(),
    });
    await deliveries.insertAttempts([attempt(org, mine), attempt(other, theirs)]);
    const rows = await dataSource.query<{ organization_id: string }[]>(
      `SELECT organization_id FROM attempts WHERE endpoint_id = ANY($1) ORDER BY organization_id`,
      [[mine, theirs]],
    );
    expect(rows.map((r) => r.organization_id).sort()).toEqual([org, other].sort());
  });

  it('loads delivery targets with their secrets, and writes the states of several endpoints at once', async () => {
    const one = await insertEndpoint(dataSource, org);
    const two = await insertEndpoint(dataSource, org);
    const secretId = testIds.next(new Date());
    await dataSource.query(
      `INSERT INTO endpoint_secrets (id, organization_id, endpoint_id, secret_enc, key_version) VALUES ($1, $2, $3, 'enc', 1)`,
      [secretId, org, one],
    );
    const targets = await deliveries.deliveryTargets([one, two, 'f'.repeat(24)]);
    expect(targets.map((t) => [t.endpoint.id, t.secrets.length]).sort()).toEqual(
      [
        [one, 1],
        [two, 0],
      ].sort(),
    );
    expect(targets.find((t) => t.endpoint.id === one)?.secrets[0]).toEqual({
      id: secretId,
      organizationId: org,
      secretEnc: 'enc',
      createdAt: expect.any(Date),
      expiresAt: null,
    });

    const paused = { ...initialEndpointState(), status: 'paused' as const, pausedAt: new Date() };
    await dataSource.transaction(async (tx) => {
      const locked = await new DeliveryQueueRepository(tx).lockEndpointsForRecording([two, one]);
      expect(locked.map((e) => e.id)).toEqual([one, two].sort());
      await new DeliveryQueueRepository(tx).writeEndpointStates([
        { id: one, state: paused },
        {
          id: two,
          state: { ...initialEndpointState(), penaltyBox: { until: new Date(), level: 2 } },
        },
      ]);
    });
    const rows = await dataSource.query<{ id: string; status: string; penalty_level: number }[]>(
      `SELECT id, status, penalty_level FROM endpoints WHERE id = ANY($1)`,
      [[one, two]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.status, r.penalty_level]]))).toEqual({
      [one]: ['paused', 0],
      [two]: ['active', 2],
    });
  });
});

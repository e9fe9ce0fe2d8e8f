import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import {
  insertDelivery,
  insertEndpoint,
  insertEvent,
  insertOrganization,
  openTestDatabase,
  rowsOf,
  testIds,
} from '../testing/tenant-rows';
import { DeliveryQueueRepository } from './delivery-queue.repository';
import { stopOrganization } from './organization-stop';

describe('stopping an organization', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  beforeAll(async () => ({ dataSource, close } = await openTestDatabase()));
  afterAll(() => close?.());

  /** An organization with an active endpoint (in the penalty box), a suspended one, and deliveries. */
  async function tenant() {
    const org = await insertOrganization(dataSource);
    const active = await insertEndpoint(dataSource, org);
    const suspended = await insertEndpoint(dataSource, org);
    await dataSource.query(
      `UPDATE endpoints SET penalty_until = now() + interval '1 minute', penalty_level = 2 WHERE id = $1`,
      [active],
    );
    await dataSource.query(
      `UPDATE endpoints SET status = 'suspended', status_reason = 'gone', suspended_at = now() WHERE id = $1`,
      [suspended],
    );
    const event = await insertEvent(dataSource, org);
    const waiting = await insertDelivery(dataSource, { org, event, endpoint: active });
    const inFlight = await insertDelivery(dataSource, { org, event, endpoint: active });
    const lapsed = await insertDelivery(dataSource, { org, event, endpoint: active });
    const done = await insertDelivery(dataSource, {
      org,
      event,
      endpoint: active,
      status: 'succeeded',
    });
    const claim = randomUUID();
    await dataSource.query(
      `UPDATE deliveries SET claim_id = $2, claim_expires_at = now() + interval '1 minute' WHERE id = $1`,
      [inFlight, claim],
    );
    await dataSource.query(
      `UPDATE deliveries SET claim_id = $2, claim_expires_at = now() - interval '1 second' WHERE id = $1`,
      [lapsed, randomUUID()],
    );
    return { org, active, suspended, waiting, inFlight, lapsed, done, claim };
  }

  const row = async (
    table: 'endpoints' | 'deliveries' | 'organizations' | 'portal_sessions',
    id: string,
  ) =>
    (
      await dataSource.query<Record<string, unknown>[]>(`SELECT * FROM ${table} WHERE id = $1`, [
        id,
      ])
    )[0];

  it('marks it deleted, revokes its sessions, pauses its active endpoints and fails its waiting deliveries', async () => {
    const t = await tenant();
    const session = testIds.next(new Date());
    await dataSource.query(
      `INSERT INTO portal_sessions (id, organization_id, token_hash, permissions, expires_at)
       VALUES ($1, $2, $3, '{}', now() + interval '1 hour')`,
      [session, t.org, randomUUID()],
    );
    const now = new Date();
    const stopped = await dataSource.transaction((tx) => stopOrganization(tx, t.org, now));
    expect(stopped).toBe(true);
    expect(await row('organizations', t.org)).toMatchObject({ deleted_at: now });
    expect(await row('portal_sessions', session)).toMatchObject({ revoked_at: now });
    expect(await row('endpoints', t.active)).toMatchObject({
      status: 'paused',
      status_reason: 'manual',
      paused_at: now,
      penalty_until: null,
      penalty_level: 0,
    });
    expect(await row('endpoints', t.suspended)).toMatchObject({
      status: 'suspended',
      status_reason: 'gone',
      paused_at: null,
    });
    for (const id of [t.waiting, t.lapsed])
      expect(await row('deliveries', id)).toMatchObject({
        status: 'failed',
        completed_at: now,
        next_attempt_at: null,
        claim_id: null,
      });
    expect(await row('deliveries', t.inFlight)).toMatchObject({
      status: 'pending',
      claim_id: t.claim,
      completed_at: null,
    });
    expect(await row('deliveries', t.done)).toMatchObject({ status: 'succeeded' });
  });

  it('leaves another organization as it was', async () => {
    const stopped = await tenant();
    const other = await tenant();
    const before = await Promise.all([
      rowsOf(dataSource, 'organizations', other.org),
      rowsOf(dataSource, 'deliveries', other.org),
      dataSource.query(`SELECT * FROM endpoints WHERE organization_id = $1 ORDER BY id`, [
        other.org,
      ]),
    ]);
    await dataSource.transaction((tx) => stopOrganization(tx, stopped.org, new Date()));
    const after = await Promise.all([
      rowsOf(dataSource, 'organizations', other.org),
      rowsOf(dataSource, 'deliveries', other.org),
      dataSource.query(`SELECT * FROM endpoints WHERE organization_id = $1 ORDER BY id`, [
        other.org,
      ]),
    ]);
    expect(after).toEqual(before);
  });

  it('answers false and changes nothing for a deleted or unknown organization', async () => {
    const t = await tenant();
    const first = new Date(Date.now() - 60_000);
    await dataSource.transaction((tx) => stopOrganization(tx, t.org, first));
    await dataSource.query(`UPDATE endpoints SET status = 'active' WHERE id = $1`, [t.active]);
    await expect(
      dataSource.transaction((tx) => stopOrganization(tx, t.org, new Date())),
    ).resolves.toBe(false);
    expect(await row('organizations', t.org)).toMatchObject({ deleted_at: first });
    expect(await row('endpoints', t.active)).toMatchObject({ status: 'active' });
    await expect(
      dataSource.transaction((tx) => stopOrganization(tx, testIds.next(new Date()), new Date())),
    ).resolves.toBe(false);
  });

  it('gives workers nothing of it to claim, not even a delivery whose claim then runs out', async () => {
    await dataSource.query(
      `UPDATE deliveries SET status = 'failed', claim_id = NULL, claim_expires_at = NULL WHERE status = 'pending'`,
    );
    const stopped = await tenant();
    const live = await tenant();
    await dataSource.query(
      `UPDATE endpoints SET penalty_until = NULL, penalty_level = 0 WHERE id = $1`,
      [live.active],
    );
    await dataSource.transaction((tx) => stopOrganization(tx, stopped.org, new Date()));
    await dataSource.query(`UPDATE deliveries SET claim_expires_at = now() WHERE id = $1`, [
      stopped.inFlight,
    ]);
    const claimed = await new DeliveryQueueRepository(dataSource.manager).claimDue(
      randomUUID(),
      50,
      60_000,
    );
    expect(claimed.map((d) => d.organizationId)).not.toContain(stopped.org);
    expect(claimed.map((d) => d.id).sort()).toEqual([live.waiting, live.lapsed].sort());
  });
});

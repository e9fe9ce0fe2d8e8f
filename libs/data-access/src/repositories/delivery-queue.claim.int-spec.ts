import { randomBytes, randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { openDatabase } from '../data-source';
import { createTestDatabase, type TestDatabase } from '../test-database';
import { DeliveryRepository } from './delivery.repository';
import { type DeliveryOutcome, DeliveryQueueRepository } from './delivery-queue.repository';

interface DeliveryRow {
  status: string;
  attempt_count: number;
  claim_id: string | null;
  claim_expires_at: Date | null;
  next_attempt_at: Date | null;
  completed_at: Date | null;
}

const ids = new ObjectIdGenerator(randomBytes);

/** A fresh database holding one organization, for one describe block. */
function useDatabase(): {
  dataSource: DataSource;
  deliveries: DeliveryQueueRepository;
  /** The API's tenant-first repository, for what a tenant does to the queue (recover). */
  tenantDeliveries: DeliveryRepository;
  org: string;
} {
  let database: TestDatabase | undefined;
  const context = { org: ids.next(new Date()) } as {
    dataSource: DataSource;
    deliveries: DeliveryQueueRepository;
    tenantDeliveries: DeliveryRepository;
    org: string;
  };
  beforeAll(async () => {
    database = await createTestDatabase();
    context.dataSource = await openDatabase({ url: database.url, poolSize: 2 });
    context.deliveries = new DeliveryQueueRepository(context.dataSource.manager);
    context.tenantDeliveries = new DeliveryRepository(context.dataSource.manager);
    await context.dataSource.query(`INSERT INTO organizations (id, name) VALUES ($1, 'o')`, [
      context.org,
    ]);
  });
  afterAll(async () => {
    await context.dataSource?.destroy();
    await database?.drop();
  });
  return context;
}

/**
 * An active endpoint; `probe` puts it in a penalty box whose cool-down has ended, `ordering` is its
 * delivery order.
 */
async function insertEndpoint(
  dataSource: DataSource,
  org: string,
  probe = false,
  ordering: 'none' | 'fifo' = 'none',
): Promise<string> {
  const endpoint = ids.next(new Date());
  await dataSource.query(
    `INSERT INTO endpoints (id, organization_id, dialect, url, name, topics, status, timeout_ms, auth_type, signing_protocol, payload_version, penalty_level, penalty_until, ordering)
     VALUES ($1, $2, 'native', 'https://example.com', 'e', '{post.created}', 'active', 5000, 'none', 'v1', '1', $3, $4, $5)`,
    [endpoint, org, probe ? 1 : 0, probe ? new Date(Date.now() - 1000) : null, ordering],
  );
  return endpoint;
}

/** An event and its pending delivery to `endpoint`, due `dueSecondsAgo` seconds ago. */
async function insertDueDelivery(
  dataSource: DataSource,
  org: string,
  endpoint: string,
  dueSecondsAgo = 1,
): Promise<string> {
  const event = ids.next(new Date());
  await dataSource.query(
    `INSERT INTO events (id, organization_id, topic, data, payload_hash) VALUES ($1, $2, 'post.created', '{}', 'h')`,
    [event, org],
  );
  const id = ids.next(new Date());
  await dataSource.query(
    `INSERT INTO deliveries (id, organization_id, event_id, endpoint_id, status, next_attempt_at)
     VALUES ($1, $2, $3, $4, 'pending', now() - make_interval(secs => $5))`,
    [id, org, event, endpoint, dueSecondsAgo],
  );
  return id;
}

describe('delivery claims after the lease ran out', () => {
  const db = useDatabase();
  let dataSource: DataSource;
  let deliveries: DeliveryQueueRepository;
  let endpoint: string;

  beforeAll(async () => {
    ({ dataSource, deliveries } = db);
    endpoint = await insertEndpoint(dataSource, db.org);
  });

  /** One due pending delivery (the only one: earlier tests finish theirs). */
  const dueDelivery = () => insertDueDelivery(dataSource, db.org, endpoint);

  async function row(id: string): Promise<DeliveryRow> {
    const [found] = await dataSource.query<DeliveryRow[]>(
      `SELECT status, attempt_count, claim_id, claim_expires_at, next_attempt_at, completed_at FROM deliveries WHERE id = $1`,
      [id],
    );
    return found;
  }

  /** One row's lease renewal and outcome, through the worker's batch statements. */
  const renew = (claimId: string, ids: readonly string[], leaseMs: number) =>
    deliveries.renewMany(
      ids.map((id) => ({ claimId, id })),
      leaseMs,
    );
  const finish = async (
    claimId: string,
    id: string,
    outcome: Omit<DeliveryOutcome, 'claimId' | 'id'>,
  ) => (await deliveries.finishMany([{ claimId, id, ...outcome }])).has(id);

  const succeeded = () => ({
    status: 'succeeded' as const,
    attemptCount: 1,
    nextAttemptAt: null,
    at: new Date(),
  });

  it('lets the new holder finish, while the stale claim can neither renew nor finish nor release', async () => {
    const id = await dueDelivery();
    const claimA = randomUUID();
    const claimB = randomUUID();
    expect((await deliveries.claimDue(claimA, 10, 60_000)).map((d) => d.id)).toEqual([id]);
    // A holds a live lease: nobody else can take the row.
    expect(await deliveries.claimDue(claimB, 10, 60_000)).toEqual([]);

    await dataSource.query(
      `UPDATE deliveries SET claim_expires_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );
    const reclaimed = await deliveries.claimDue(claimB, 10, 60_000);
    expect(reclaimed).toEqual([
      expect.objectContaining({
        id,
        endpointId: endpoint,
        organizationId: db.org,
        attemptCount: 0,
      }),
    ]);
    const heldByB = await row(id);
    expect(heldByB).toMatchObject({ status: 'pending', attempt_count: 0, claim_id: claimB });

    expect(await renew(claimA, [id], 600_000)).toBe(0);
    expect(
      await finish(claimA, id, {
        status: 'failed',
        attemptCount: 1,
        nextAttemptAt: null,
        at: new Date(),
      }),
    ).toBe(false);
    await deliveries.release(claimA, [id]);
    expect(await row(id)).toEqual(heldByB); // A changed nothing, not even B's lease

    expect(await renew(claimB, [id], 60_000)).toBe(1);
    expect(await finish(claimB, id, succeeded())).toBe(true);
    expect(await row(id)).toMatchObject({
      status: 'succeeded',
      attempt_count: 1,
      claim_id: null,
      claim_expires_at: null,
      completed_at: expect.any(Date),
    });
    // Once B is done, the stale claim still cannot touch the row.
    expect(await finish(claimA, id, succeeded())).toBe(false);
    expect(await renew(claimA, [id], 60_000)).toBe(0);
    expect((await row(id)).status).toBe('succeeded');
  });

  it('hands a row whose short lease ran out to the next claim, and shuts the first one out', async () => {
    const id = await dueDelivery();
    const claimA = randomUUID();
    const claimB = randomUUID();
    expect((await deliveries.claimDue(claimA, 10, 300)).map((d) => d.id)).toEqual([id]);
    // Wait for the real lease to run out: B gets the row once it has (generous bound).
    let reclaimed: string[] = [];
    const deadline = Date.now() + 10_000;
    while (reclaimed.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reclaimed = (await deliveries.claimDue(claimB, 10, 60_000)).map((d) => d.id);
    }
    expect(reclaimed).toEqual([id]);

    expect(await renew(claimA, [id], 60_000)).toBe(0);
    expect(
      await finish(claimA, id, {
        status: 'pending',
        attemptCount: 1,
        nextAttemptAt: new Date(Date.now() + 60_000),
        at: new Date(),
      }),
    ).toBe(false);
    expect(await row(id)).toMatchObject({ status: 'pending', attempt_count: 0, claim_id: claimB });

    expect(await finish(claimB, id, succeeded())).toBe(true);
    expect(await row(id)).toMatchObject({ status: 'succeeded', attempt_count: 1, claim_id: null });
  });
});

describe('delivery claims and each endpoint’s room', () => {
  const db = useDatabase();

  /** An active endpoint with `due` due deliveries; `probe` as in `insertEndpoint`. */
  async function endpointWith(due: number, probe = false): Promise<string> {
    const endpoint = await insertEndpoint(db.dataSource, db.org, probe);
    for (let i = 0; i < due; i++) await insertDueDelivery(db.dataSource, db.org, endpoint);
    return endpoint;
  }

  const count = (claimed: { endpointId: string }[], endpoint: string) =>
    claimed.filter((d) => d.endpointId === endpoint).length;

  it('takes no more of an endpoint than its room, one probe at most, and none from a full one', async () => {
    const busyOne = await endpointWith(5);
    const idle = await endpointWith(5);
    const full = await endpointWith(5);
    const boxed = await endpointWith(3, true);
    const boxedBusy = await endpointWith(3, true);
    const claimed = await db.deliveries.claimDue(randomUUID(), 20, 60_000, {
      perEndpoint: 2,
      busy: new Map([
        [busyOne, 1],
        [full, 2],
        [boxedBusy, 1],
      ]),
    });
    expect(count(claimed, busyOne)).toBe(1);
    expect(count(claimed, idle)).toBe(2);
    expect(count(claimed, full)).toBe(0);
    expect(claimed.filter((d) => d.endpointId === boxed)).toEqual([
      expect.objectContaining({ probe: true }),
    ]);
    expect(count(claimed, boxedBusy)).toBe(0);
    expect(claimed).toHaveLength(4);
  });
});

describe('delivery claims of a FIFO endpoint', () => {
  const db = useDatabase();

  /**
   * A FIFO endpoint with `due` due deliveries, oldest (smallest id) first. Later ones fell due
   * earlier, so a claim that went by due time alone would take the newest first.
   */
  async function fifoEndpointWith(due: number): Promise<{ endpoint: string; queue: string[] }> {
    const endpoint = await insertEndpoint(db.dataSource, db.org, false, 'fifo');
    const queue: string[] = [];
    for (let i = 0; i < due; i++) {
      queue.push(await insertDueDelivery(db.dataSource, db.org, endpoint, 1 + i));
    }
    return { endpoint, queue };
  }

  /** Claims (as a worker sending nothing unless `busy` says so); returns the ids taken of `endpoint`. */
  async function claimOf(
    endpoint: string,
    claimId: string = randomUUID(),
    busy = new Map<string, number>(),
  ): Promise<string[]> {
    const claimed = await db.deliveries.claimDue(claimId, 100, 60_000, { perEndpoint: 4, busy });
    return claimed.filter((d) => d.endpointId === endpoint).map((d) => d.id);
  }

  const finish = async (
    claimId: string,
    id: string,
    status: 'pending' | 'succeeded' | 'failed',
    nextAttemptAt: Date | null = null,
  ) =>
    (
      await db.deliveries.finishMany([
        { claimId, id, status, attemptCount: 1, nextAttemptAt, at: new Date() },
      ])
    ).has(id);

  it('claims only the head of the queue, the oldest pending delivery, marked fifo', async () => {
    const { endpoint, queue } = await fifoEndpointWith(3);
    const claimed = await db.deliveries.claimDue(randomUUID(), 100, 60_000, { perEndpoint: 4 });
    expect(claimed.filter((d) => d.endpointId === endpoint)).toEqual([
      expect.objectContaining({ id: queue[0], fifo: true, probe: false }),
    ]);
  });

  it('claims one head per FIFO endpoint in the same batch', async () => {
    const a = await fifoEndpointWith(2);
    const b = await fifoEndpointWith(2);
    const claimed = await db.deliveries.claimDue(randomUUID(), 100, 60_000, { perEndpoint: 4 });
    const of = (endpoint: string) =>
      claimed.filter((d) => d.endpointId === endpoint).map((d) => d.id);
    expect(of(a.endpoint)).toEqual([a.queue[0]]);
    expect(of(b.endpoint)).toEqual([b.queue[0]]);
  });

  it('claims nothing more while the head is claimed, and the next one once the head has succeeded', async () => {
    const { endpoint, queue } = await fifoEndpointWith(3);
    const first = randomUUID();
    expect(await claimOf(endpoint, first)).toEqual([queue[0]]);
    // Another worker, sending nothing to the endpoint itself, still gets nothing of it.
    expect(await claimOf(endpoint)).toEqual([]);

    expect(await finish(first, queue[0], 'succeeded')).toBe(true);
    // This worker still sends to the endpoint (its count has not come down yet): nothing.
    expect(await claimOf(endpoint, randomUUID(), new Map([[endpoint, 1]]))).toEqual([]);
    expect(await claimOf(endpoint)).toEqual([queue[1]]);
  });

  it('holds the rest back while the head waits for its retry, and claims the head again when due', async () => {
    const { endpoint, queue } = await fifoEndpointWith(3);
    const first = randomUUID();
    expect(await claimOf(endpoint, first)).toEqual([queue[0]]);
    expect(await finish(first, queue[0], 'pending', new Date(Date.now() + 60_000))).toBe(true);
    // The head is pending but not due; the two behind it are due, and wait.
    expect(await claimOf(endpoint)).toEqual([]);

    await db.dataSource.query(
      `UPDATE deliveries SET next_attempt_at = now() - interval '1 second' WHERE id = $1`,
      [queue[0]],
    );
    expect(await claimOf(endpoint)).toEqual([queue[0]]);
  });

  it('lets the next one go once the head is given up', async () => {
    const { endpoint, queue } = await fifoEndpointWith(3);
    const first = randomUUID();
    expect(await claimOf(endpoint, first)).toEqual([queue[0]]);
    expect(await finish(first, queue[0], 'failed')).toBe(true);
    expect(await claimOf(endpoint)).toEqual([queue[1]]);
  });

  it('gives a released (held) head back in its place, and a paused endpoint nothing', async () => {
    const { endpoint, queue } = await fifoEndpointWith(3);
    const first = randomUUID();
    expect(await claimOf(endpoint, first)).toEqual([queue[0]]);
    await db.deliveries.release(first, [queue[0]]);
    await db.dataSource.query(`UPDATE endpoints SET status = 'paused' WHERE id = $1`, [endpoint]);
    expect(await claimOf(endpoint)).toEqual([]);
    await db.dataSource.query(`UPDATE endpoints SET status = 'active' WHERE id = $1`, [endpoint]);
    expect(await claimOf(endpoint)).toEqual([queue[0]]);
  });

  it('takes a head whose lease ran out again, before anything behind it', async () => {
    const { endpoint, queue } = await fifoEndpointWith(2);
    expect(await claimOf(endpoint)).toEqual([queue[0]]);
    await db.dataSource.query(
      `UPDATE deliveries SET claim_expires_at = now() - interval '1 second' WHERE id = $1`,
      [queue[0]],
    );
    expect(await claimOf(endpoint)).toEqual([queue[0]]);
  });

  it('puts recovered deliveries back at the head, but not beside one already in flight', async () => {
    const { endpoint, queue } = await fifoEndpointWith(3);
    const first = randomUUID();
    expect(await claimOf(endpoint, first)).toEqual([queue[0]]);
    expect(await finish(first, queue[0], 'failed')).toBe(true);
    const second = randomUUID();
    expect(await claimOf(endpoint, second)).toEqual([queue[1]]);

    // The given-up head comes back while the next one is being sent: it is the head again, but waits.
    expect(await db.tenantDeliveries.recoverFailed(db.org, endpoint, new Date(0))).toBe(1);
    expect(await claimOf(endpoint)).toEqual([]);

    expect(await finish(second, queue[1], 'succeeded')).toBe(true);
    expect(await claimOf(endpoint)).toEqual([queue[0]]);
  });

  it('still claims several deliveries of an endpoint without ordering in one batch', async () => {
    const endpoint = await insertEndpoint(db.dataSource, db.org);
    const queue: string[] = [];
    for (let i = 0; i < 3; i++)
      queue.push(await insertDueDelivery(db.dataSource, db.org, endpoint));
    const claimed = await db.deliveries.claimDue(randomUUID(), 100, 60_000, { perEndpoint: 4 });
    const ofEndpoint = claimed.filter((d) => d.endpointId === endpoint);
    expect(ofEndpoint.map((d) => d.id).sort()).toEqual([...queue].sort());
    expect(ofEndpoint.every((d) => !d.fifo)).toBe(true);
  });
});

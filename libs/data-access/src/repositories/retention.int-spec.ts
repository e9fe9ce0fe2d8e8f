import { randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { openDatabase } from '../data-source';
import { createTestDatabase, type TestDatabase } from '../test-database';
import { purgeOlderThan } from './retention';

describe('retention', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const ids = new ObjectIdGenerator(randomBytes);
  const org = ids.next(new Date());
  const endpoint = ids.next(new Date());
  const old = new Date(Date.now() - 40 * 86_400_000);
  const recent = new Date();

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openDatabase({ url: database.url, poolSize: 2 });
    await dataSource.query(`INSERT INTO organizations (id, name) VALUES ($1, 'o')`, [org]);
    await dataSource.query(
      `INSERT INTO endpoints (id, organization_id, dialect, url, name, topics, status, timeout_ms, auth_type, signing_protocol, payload_version)
       VALUES ($1, $2, 'native', 'https://example.com', 'e', '{post.created}', 'active', 5000, 'none', 'v1', '1')`,
      [endpoint, org],
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function event(
    createdAt: Date,
    deliveryStatus: 'pending' | 'succeeded' | 'failed',
  ): Promise<string> {
    const id = ids.next(createdAt);
    await dataSource.query(
      `INSERT INTO events (id, organization_id, topic, data, payload_hash, created_at) VALUES ($1, $2, 'post.created', '{}', 'h', $3)`,
      [id, org, createdAt],
    );
    const delivery = ids.next(createdAt);
    await dataSource.query(
      `INSERT INTO deliveries (id, organization_id, event_id, endpoint_id, status, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [delivery, org, id, endpoint, deliveryStatus, createdAt],
    );
    await dataSource.query(
      `INSERT INTO attempts (id, organization_id, endpoint_id, delivery_id, event_id, trigger, duration_ms, created_at) VALUES ($1, $2, $3, $4, $5, 'scheduled', 1, $6)`,
      [ids.next(createdAt), org, endpoint, delivery, id, createdAt],
    );
    return id;
  }

  it('deletes old attempts and finished old events in batches, and keeps the rest', async () => {
    const oldFinished = await Promise.all(Array.from({ length: 7 }, () => event(old, 'succeeded')));
    const oldPending = await event(old, 'pending');
    const fresh = await event(recent, 'failed');
    const result = await purgeOlderThan(dataSource, new Date(Date.now() - 30 * 86_400_000), 3);
    expect(result).toEqual({ attempts: 8, events: 7 });
    const left = (
      await dataSource.query<{ id: string }[]>(`SELECT id FROM events ORDER BY id`)
    ).map((r) => r.id);
    expect(left.sort()).toEqual([oldPending, fresh].sort());
    expect(left).not.toEqual(expect.arrayContaining(oldFinished));
    const [attempts] = await dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM attempts`,
    );
    expect(Number(attempts.n)).toBe(1);
  });
});

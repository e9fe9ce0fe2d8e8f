import { randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
export { openTestDatabase } from '../test-database';

/** Row fixtures for the repositories' int-specs, written with plain SQL so they test nothing themselves. */
export const testIds = new ObjectIdGenerator(randomBytes);

export async function insertOrganization(dataSource: DataSource, name = 'o'): Promise<string> {
  const id = testIds.next(new Date());
  await dataSource.query(`INSERT INTO organizations (id, name) VALUES ($1, $2)`, [id, name]);
  return id;
}

export async function insertEndpoint(dataSource: DataSource, org: string): Promise<string> {
  const id = testIds.next(new Date());
  await dataSource.query(
    `INSERT INTO endpoints (id, organization_id, dialect, url, name, topics, status, timeout_ms, auth_type, signing_protocol, payload_version)
     VALUES ($1, $2, 'native', 'https://example.com', 'e', '{post.created}', 'active', 5000, 'none', 'v1', '1')`,
    [id, org],
  );
  return id;
}

export async function insertEvent(
  dataSource: DataSource,
  org: string,
  idempotencyKey: string | null = null,
): Promise<string> {
  const id = testIds.next(new Date());
  await dataSource.query(
    `INSERT INTO events (id, organization_id, topic, data, idempotency_key, payload_hash) VALUES ($1, $2, 'post.created', '{}', $3, 'h')`,
    [id, org, idempotencyKey],
  );
  return id;
}

export async function insertDelivery(
  dataSource: DataSource,
  row: {
    org: string;
    event: string;
    endpoint: string;
    status?: 'pending' | 'succeeded' | 'failed';
    createdAt?: Date;
  },
): Promise<string> {
  const createdAt = row.createdAt ?? new Date();
  const id = testIds.next(createdAt);
  await dataSource.query(
    `INSERT INTO deliveries (id, organization_id, event_id, endpoint_id, status, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, CASE WHEN $5::text = 'pending' THEN now() END, $6)`,
    [id, row.org, row.event, row.endpoint, row.status ?? 'pending', createdAt],
  );
  return id;
}

export async function insertAttempt(
  dataSource: DataSource,
  row: { org: string; endpoint: string; createdAt?: Date },
): Promise<string> {
  const createdAt = row.createdAt ?? new Date();
  const id = testIds.next(createdAt);
  await dataSource.query(
    `INSERT INTO attempts (id, organization_id, endpoint_id, trigger, duration_ms, created_at) VALUES ($1, $2, $3, 'test', 1, $4)`,
    [id, row.org, row.endpoint, createdAt],
  );
  return id;
}

/** One organization with an endpoint, an event, a pending delivery and an attempt. */
export interface TenantRows {
  readonly org: string;
  readonly endpoint: string;
  readonly event: string;
  readonly delivery: string;
  readonly attempt: string;
}

export async function insertTenant(
  dataSource: DataSource,
  options: {
    name?: string;
    idempotencyKey?: string | null;
    deliveryStatus?: 'pending' | 'failed';
  } = {},
): Promise<TenantRows> {
  const org = await insertOrganization(dataSource, options.name);
  const endpoint = await insertEndpoint(dataSource, org);
  const event = await insertEvent(dataSource, org, options.idempotencyKey ?? null);
  const delivery = await insertDelivery(dataSource, {
    org,
    event,
    endpoint,
    status: options.deliveryStatus,
  });
  const attempt = await insertAttempt(dataSource, { org, endpoint });
  return { org, endpoint, event, delivery, attempt };
}

/** Every row of a table that belongs to `org`, in id order, for before-and-after comparisons. */
export function rowsOf(
  dataSource: DataSource,
  table: 'organizations' | 'events' | 'deliveries' | 'attempts',
  org: string,
): Promise<Record<string, unknown>[]> {
  const column = table === 'organizations' ? 'id' : 'organization_id';
  return dataSource.query(`SELECT * FROM ${table} WHERE ${column} = $1 ORDER BY id`, [org]);
}

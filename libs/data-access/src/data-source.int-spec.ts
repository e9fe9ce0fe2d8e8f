import { randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { openDatabase } from './data-source';
import { OrganizationEntity } from './entities/organization.entity';
import { EndpointRepository } from './repositories/endpoint.repository';
import { createTestDatabase, type TestDatabase } from './test-database';

describe('the database schema', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const ids = new ObjectIdGenerator(randomBytes);

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openDatabase({ url: database.url, poolSize: 4 });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('applies every migration and records it', async () => {
    expect(await dataSource.showMigrations()).toBe(false);
    const tables = await dataSource.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'api_keys',
        'attempts',
        'deliveries',
        'endpoint_secrets',
        'endpoints',
        'events',
        'organizations',
      ]),
    );
  });

  it("does not return another tenant's endpoint", async () => {
    const orgA = ids.next(new Date());
    const orgB = ids.next(new Date());
    for (const id of [orgA, orgB]) {
      await dataSource.manager.insert(OrganizationEntity, {
        id,
        name: id,
        endpointLimit: null,
        featurebaseVersion: null,
      });
    }
    const endpoints = new EndpointRepository(dataSource.manager);
    const endpointId = ids.next(new Date());
    await dataSource.query(
      `INSERT INTO endpoints (id, organization_id, dialect, url, name, topics, status, timeout_ms, auth_type, signing_protocol, payload_version)
       VALUES ($1, $2, 'native', 'https://example.com', 'a', '{post.created}', 'active', 5000, 'none', 'standard-webhooks', '1')`,
      [endpointId, orgA],
    );
    expect(await endpoints.findById(orgA, endpointId)).not.toBeNull();
    expect(await endpoints.findById(orgB, endpointId)).toBeNull();
    expect(await endpoints.page(orgB, { limit: 10 })).toEqual([]);
    expect(await endpoints.delete(orgB, endpointId)).toBe(false);
    expect(await endpoints.count(orgA)).toBe(1);
  });
});

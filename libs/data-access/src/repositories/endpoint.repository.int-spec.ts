import { randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { openDatabase } from '../data-source';
import { EndpointSecretEntity } from '../entities/endpoint-secret.entity';
import { createTestDatabase, type TestDatabase } from '../test-database';
import { EndpointRepository } from './endpoint.repository';

describe('EndpointRepository: secrets by endpoint, the endpoints of an organization', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let endpoints: EndpointRepository;
  const ids = new ObjectIdGenerator(randomBytes);
  const [orgA, orgB] = [ids.next(new Date()), ids.next(new Date())];
  const [first, second, ofB] = [ids.next(new Date()), ids.next(new Date()), ids.next(new Date())];

  async function endpoint(id: string, organizationId: string): Promise<void> {
    await dataSource.query(
      `INSERT INTO endpoints (id, organization_id, dialect, url, name, topics, status, timeout_ms, auth_type, signing_protocol, payload_version)
       VALUES ($1, $2, 'native', 'https://example.com', 'e', '{post.created}', 'active', 5000, 'none', 'v1', '1')`,
      [id, organizationId],
    );
  }

  async function secret(
    organizationId: string,
    endpointId: string,
    createdAt: Date,
    expiresAt: Date | null = null,
  ): Promise<string> {
    const id = ids.next(createdAt);
    await dataSource.manager.insert(EndpointSecretEntity, {
      id,
      organizationId,
      endpointId,
      secretEnc: `enc-${id}`,
      keyVersion: 1,
      createdAt,
      expiresAt,
    });
    return id;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openDatabase({ url: database.url, poolSize: 2 });
    endpoints = new EndpointRepository(dataSource.manager);
    for (const org of [orgA, orgB])
      await dataSource.query(`INSERT INTO organizations (id, name) VALUES ($1, 'o')`, [org]);
    await endpoint(first, orgA);
    await endpoint(second, orgA);
    await endpoint(ofB, orgB);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('reads the secrets of several endpoints, each newest first, as `secrets` does', async () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    const previous = await secret(orgA, first, hourAgo, new Date(Date.now() + 3_600_000));
    const current = await secret(orgA, first, new Date());
    const onlyOne = await secret(orgA, second, hourAgo);

    const byEndpoint = await endpoints.secretsByEndpoint(orgA, [first, second]);

    expect(byEndpoint.get(first)?.map((s) => s.id)).toEqual([current, previous]);
    expect(byEndpoint.get(first)).toEqual(await endpoints.secrets(orgA, first));
    expect(byEndpoint.get(second)?.map((s) => s.id)).toEqual([onlyOne]);
    expect(await endpoints.secretsByEndpoint(orgA, [])).toEqual(new Map());
  });

  it("does not return another tenant's secrets", async () => {
    await secret(orgB, ofB, new Date());
    expect([...(await endpoints.secretsByEndpoint(orgA, [ofB])).keys()]).toEqual([]);
    expect([...(await endpoints.secretsByEndpoint(orgB, [first, ofB])).keys()]).toEqual([ofB]);
  });

  it("pages every endpoint of an organization and none of another tenant's endpoints", async () => {
    const idsOf = async (org: string) =>
      (await endpoints.page(org, { limit: 10 })).map((e) => e.id).sort();
    expect(await idsOf(orgA)).toEqual([first, second].sort());
    expect(await idsOf(orgB)).toEqual([ofB]);
  });
});

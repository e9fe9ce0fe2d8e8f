import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { insertOrganization, openTestDatabase, testIds } from '../testing/tenant-rows';
import { ApiKeyRepository } from './api-key.repository';

describe('ApiKeyRepository.revokeAllOf', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  beforeAll(async () => ({ dataSource, close } = await openTestDatabase()));
  afterAll(() => close?.());

  async function key(org: string, revokedAt: Date | null = null): Promise<string> {
    const id = testIds.next(new Date());
    await dataSource.query(
      `INSERT INTO api_keys (id, organization_id, name, prefix, key_hash, permissions, revoked_at)
       VALUES ($1, $2, 'k', 'hk_', $3, '{}', $4)`,
      [id, org, randomUUID(), revokedAt],
    );
    return id;
  }

  const revokedAt = async (id: string) =>
    (
      await dataSource.query<{ revoked_at: Date | null }[]>(
        `SELECT revoked_at FROM api_keys WHERE id = $1`,
        [id],
      )
    )[0]?.revoked_at;

  it('revokes the live keys of the organization and answers their ids', async () => {
    const org = await insertOrganization(dataSource);
    const live = [await key(org), await key(org)];
    const earlier = new Date(Date.now() - 60_000);
    const alreadyRevoked = await key(org, earlier);
    const now = new Date();
    const ids = await new ApiKeyRepository(dataSource.manager).revokeAllOf(org, now);
    expect([...ids].sort()).toEqual([...live].sort());
    for (const id of live) expect(await revokedAt(id)).toEqual(now);
    expect(await revokedAt(alreadyRevoked)).toEqual(earlier);
  });

  it("does not revoke another tenant's keys", async () => {
    const org = await insertOrganization(dataSource);
    const other = await insertOrganization(dataSource);
    const theirs = await key(other);
    await expect(
      new ApiKeyRepository(dataSource.manager).revokeAllOf(org, new Date()),
    ).resolves.toEqual([]);
    expect(await revokedAt(theirs)).toBeNull();
  });
});

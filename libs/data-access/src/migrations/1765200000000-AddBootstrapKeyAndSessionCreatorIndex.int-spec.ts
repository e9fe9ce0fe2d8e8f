import { type DataSource } from 'typeorm';
import { insertOrganization, openTestDatabase, testIds } from '../testing/tenant-rows';

/** The bootstrap mark on a database made before it: the newest `default admin` key of `default`. */
describe('AddBootstrapKeyAndSessionCreatorIndex1765200000000', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ dataSource, close } = await openTestDatabase());
    // Back to just before this migration (later ones, if any, are undone first).
    const applied = async () =>
      (
        await dataSource.query<{ n: string }[]>(
          `SELECT count(*) AS n FROM hookyard_migrations WHERE timestamp >= 1765200000000`,
        )
      )[0]?.n;
    while ((await applied()) !== '0') await dataSource.undoLastMigration({ transaction: 'each' });
  });
  afterAll(() => close?.());

  const insertKey = async (organizationId: string, name: string, revoked = false) => {
    const id = testIds.next(new Date());
    await dataSource.query(
      `INSERT INTO api_keys (id, organization_id, name, prefix, key_hash, permissions, revoked_at)
       VALUES ($1, $2, $3, 'hk_', $4, '{*}', $5)`,
      [id, organizationId, name, `hash-${id}`, revoked ? new Date() : null],
    );
    return id;
  };

  it('marks the newest live default admin key of a default organization, and no other', async () => {
    const first = await insertOrganization(dataSource, 'default');
    const second = await insertOrganization(dataSource, 'default'); // an earlier rotation made it
    const acme = await insertOrganization(dataSource, 'acme');
    const older = await insertKey(first, 'default admin');
    await insertKey(first, 'ci');
    const newest = await insertKey(second, 'default admin');
    await insertKey(second, 'default admin', true);
    await insertKey(acme, 'default admin');
    await dataSource.runMigrations({ transaction: 'each' });
    const marked = await dataSource.query<{ id: string }[]>(
      `SELECT id FROM api_keys WHERE bootstrap`,
    );
    expect(marked.map((row) => row.id)).toEqual([newest]);
    expect(newest > older).toBe(true);
  });
});

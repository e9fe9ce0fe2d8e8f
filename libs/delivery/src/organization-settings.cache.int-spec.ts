import { randomBytes } from 'node:crypto';
import { type OpenTestDatabase, openTestDatabase } from '@hookyard/data-access';
import {
  byDialect,
  DEFAULT_RETRY_POLICY,
  DEFAULT_THRESHOLDS,
  ObjectIdGenerator,
} from '@hookyard/webhook-core';
import { OrganizationSettingsCache } from './organization-settings.cache';

const ids = new ObjectIdGenerator(randomBytes);
const installation = {
  retryPolicies: byDialect(() => DEFAULT_RETRY_POLICY),
  thresholds: DEFAULT_THRESHOLDS,
};

describe('OrganizationSettingsCache', () => {
  let database: OpenTestDatabase;
  beforeAll(async () => (database = await openTestDatabase()));
  afterAll(() => database?.close());

  it("keeps an organization's settings for its time to live, then reads them again", async () => {
    const org = ids.next(new Date());
    await database.dataSource.query(
      `INSERT INTO organizations (id, name, thresholds) VALUES ($1, 'o', '{"pauseAfter": 3}')`,
      [org],
    );
    let now = 1_000;
    const cache = new OrganizationSettingsCache(
      database.dataSource,
      installation,
      5_000,
      () => now,
    );
    expect((await cache.settingsOf([org])).get(org)?.thresholds.pauseAfter).toBe(3);
    await database.dataSource.query(
      `UPDATE organizations SET thresholds = NULL, retry_schedule_seconds = '{10}' WHERE id = $1`,
      [org],
    );
    now += 4_999;
    expect((await cache.settingsOf([org])).get(org)?.thresholds.pauseAfter).toBe(3);
    now += 1;
    const fresh = (await cache.settingsOf([org])).get(org);
    expect(fresh?.thresholds).toBe(DEFAULT_THRESHOLDS);
    expect(fresh?.retryPolicies.platform.scheduleMs).toEqual([10_000]);
  });

  it('gives an organization without settings, or with no row, the installation settings', async () => {
    const plain = ids.next(new Date());
    const unknown = ids.next(new Date());
    await database.dataSource.query(`INSERT INTO organizations (id, name) VALUES ($1, 'o')`, [
      plain,
    ]);
    const settings = await new OrganizationSettingsCache(
      database.dataSource,
      installation,
    ).settingsOf([plain, unknown]);
    expect(settings.get(plain)).toBe(installation);
    expect(settings.get(unknown)).toBe(installation);
  });
});

import { Hookyard, HookyardError } from '@hookyard/sdk';
import { startTestApp, type TestApp } from './harness';

const OPERATOR_KEY = 'hk_operator_sdk_tests_0123456789';

/** The SDK's operator resources against the running server: organizations, their keys, acting for one. */
describe('the TypeScript SDK as an operator', () => {
  let t: TestApp;
  let op: Hookyard;

  beforeAll(async () => {
    t = await startTestApp({ HOOKYARD_BOOTSTRAP_OPERATOR_KEY: OPERATOR_KEY });
    op = new Hookyard({ apiKey: OPERATOR_KEY, baseUrl: t.baseUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('upserts an organization by uid, pages through organizations and acts for one with as()', async () => {
    const made = await op.organizations.upsert('cus_sdk', { name: 'SDK Inc.' });
    const again = await op.organizations.upsert('cus_sdk', { name: 'SDK Inc.' });
    expect(again.id).toBe(made.id);
    const other = await op.organizations.create({ name: 'Other', uid: 'cus_other' });
    const ids = [];
    for await (const organization of op.organizations.list({ limit: 1 })) ids.push(organization.id);
    expect(ids).toEqual([made.id, other.id]);
    expect((await op.organizations.list({ uid: 'cus_other' }).toArray()).map((o) => o.id)).toEqual([
      other.id,
    ]);
    const updated = await op.organizations.update('cus_sdk', { settings: { endpointLimit: 3 } });
    expect(updated.settings.endpointLimit).toBe(3);

    const endpoint = await op.as('cus_sdk').endpoints.create({
      url: 'https://example.com/sdk',
      topics: ['post.created'],
    });
    const tenant = new Hookyard({
      apiKey: OPERATOR_KEY,
      baseUrl: t.baseUrl,
      organization: made.id,
    });
    expect((await tenant.endpoints.list().toArray()).map((e) => e.id)).toEqual([endpoint.id]);
    expect(await op.as('cus_other').endpoints.list().toArray()).toEqual([]);
  });

  it('mints, lists and revokes an organization’s keys and operator keys', async () => {
    const key = await op.organizations.apiKeys.create('cus_other', {
      name: 'ci',
      permissions: ['WEBHOOK.CREATE', 'WEBHOOK.READ'],
    });
    const own = new Hookyard({ apiKey: key.key, baseUrl: t.baseUrl, maxRetries: 0 });
    expect((await own.whoami()).organizationId).toBe((await op.organizations.get('cus_other')).id);
    expect((await op.organizations.apiKeys.list('cus_other').toArray()).map((k) => k.id)).toContain(
      key.id,
    );
    await op.organizations.apiKeys.revoke('cus_other', key.id);
    await expect(own.endpoints.list().page()).rejects.toMatchObject({ status: 401 });

    const minted = await op.operatorKeys.create({
      name: 'admin',
      permissions: ['ORGANIZATION.ADMIN'],
    });
    expect((await op.operatorKeys.list().toArray()).map((k) => k.name)).toEqual([
      'bootstrap operator',
      'admin',
    ]);
    const admin = new Hookyard({ apiKey: minted.key, baseUrl: t.baseUrl, maxRetries: 0 });
    expect((await admin.organizations.get('cus_sdk')).name).toBe('SDK Inc.');
    await op.operatorKeys.revoke(minted.id);
    await expect(admin.organizations.get('cus_sdk')).rejects.toMatchObject({ status: 401 });
  });

  it('deletes an organization: acting for it is 404 afterwards', async () => {
    const doomed = await op.organizations.create({ name: 'Doomed', uid: 'cus_doomed' });
    await op
      .as(doomed.id)
      .endpoints.create({ url: 'https://example.com/d', topics: ['post.created'] });
    await op.organizations.delete('cus_doomed');
    const error = await op
      .as('cus_doomed')
      .endpoints.list()
      .page()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookyardError);
    expect(error).toMatchObject({ status: 404 });
    await expect(op.organizations.get('cus_doomed')).rejects.toMatchObject({ status: 404 });
  });
});

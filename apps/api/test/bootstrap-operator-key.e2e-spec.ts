import { type ChildProcess } from 'node:child_process';
import { OrganizationsService } from '@hookyard/api';
import { freePort } from '@hookyard/data-access';
import { CapturingLogger, eventually, startTestApp, type TestApp } from './harness';
import { type ChildOutput, collectApart } from './json-logs';
import { spawnApi, stopChild } from './worker-process';

/**
 * `HOOKYARD_BOOTSTRAP_OPERATOR_KEY` ensures an all-permission operator key at start-up. The restart
 * is a built API process on the first app's database with a new value.
 */
describe('the bootstrap operator key', () => {
  const OLD = 'hk_operator_before_rotation_0123456789';
  const NEW = 'hk_operator_after_rotation_9876543210';
  const logger = new CapturingLogger();
  let t: TestApp;
  let replica: { child: ChildProcess; output: ChildOutput; base: string } | undefined;

  beforeAll(async () => {
    t = await startTestApp({ HOOKYARD_BOOTSTRAP_OPERATOR_KEY: OLD }, { logger });
  });

  afterAll(async () => {
    if (replica) await stopChild(replica.child);
    await t?.close();
  });

  const call = async (base: string, path: string, key: string) => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const operatorKeys = async () =>
    t.dataSource.query<{ id: string; revoked: boolean; bootstrap: boolean }[]>(
      `SELECT id, revoked_at IS NOT NULL AS revoked, bootstrap FROM api_keys WHERE organization_id IS NULL ORDER BY id`,
    );

  it('makes an operator key of every permission with the configured value', async () => {
    const keys = await t.request('GET', '/v1/operator-keys', { key: OLD });
    expect(keys.status).toBe(200);
    expect(keys.body.data).toEqual([
      expect.objectContaining({ name: 'bootstrap operator', permissions: ['*'], bootstrap: true }),
    ]);
    const organizations = await t.request('GET', '/v1/organizations', { key: OLD });
    expect(organizations.status).toBe(200);
    // an operator key makes no organization
    expect(organizations.body.data).toEqual([]);
  });

  it('changes nothing when started again with the same value', async () => {
    const before = await operatorKeys();
    await t.app.get(OrganizationsService).ensureBootstrapOperatorKey(OLD);
    expect(await operatorKeys()).toEqual(before);
    expect((await t.request('GET', '/v1/operator-keys', { key: OLD })).status).toBe(200);
  });

  it('a new value revokes the old key and its portal sessions, leaving the other operator keys', async () => {
    const other = await t.request('POST', '/v1/operator-keys', {
      key: OLD,
      body: { name: 'ci', permissions: ['ORGANIZATION.ADMIN'] },
    });
    expect(other.status).toBe(201);
    const tenant = await t.request('POST', '/v1/organizations', {
      key: OLD,
      body: { name: 'acme', uid: 'acme' },
    });
    expect(tenant.status).toBe(201);
    const session = await t.request('POST', '/v1/portal-sessions', {
      key: OLD,
      headers: { 'x-hookyard-organization': 'acme' },
      body: { permissions: ['WEBHOOK.READ'] },
    });
    expect(session.status).toBe(201);

    const port = await freePort();
    const child = spawnApi(t, { PORT: String(port), HOOKYARD_BOOTSTRAP_OPERATOR_KEY: NEW });
    replica = { child, output: collectApart(child), base: `http://127.0.0.1:${port}` };
    const { output, base } = replica;
    // on failure, shows what the replica wrote
    await eventually(
      () => expect(output.stdout() + output.stderr()).toContain('API docs:'),
      30_000,
    );

    expect((await call(base, '/v1/operator-keys', OLD)).status).toBe(401);
    expect((await call(base, '/v1/endpoints', session.body.token)).status).toBe(401);
    const now = await call(base, '/v1/operator-keys', NEW);
    expect(now.status).toBe(200);
    const listed = now.body['data'] as { id: string; name: string; bootstrap: boolean }[];
    expect(listed.map((k) => [k.name, k.bootstrap])).toEqual([
      ['ci', false],
      ['bootstrap operator', true],
    ]);
    expect((await call(base, '/v1/organizations/acme', other.body.key)).status).toBe(200);
  }, 60_000);

  it('leaves a revoked value revoked, with a warning', async () => {
    const before = await operatorKeys();
    await t.app.get(OrganizationsService).ensureBootstrapOperatorKey(OLD);
    expect(await operatorKeys()).toEqual(before);
    // this process learns of the replica's revocation within its key cache's time
    await eventually(
      async () =>
        expect((await t.request('GET', '/v1/operator-keys', { key: OLD })).status).toBe(401),
      10_000,
    );
    expect((await t.request('GET', '/v1/operator-keys', { key: NEW })).status).toBe(200);
    expect(logger.lines).toContainEqual(
      expect.stringContaining('HOOKYARD_BOOTSTRAP_OPERATOR_KEY is a revoked key: it stays revoked'),
    );
  });
});

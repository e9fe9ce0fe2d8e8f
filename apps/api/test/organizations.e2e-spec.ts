import { type ChildProcess, execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OrganizationsService } from '@hookyard/api';
import { freePort } from '@hookyard/data-access';
import { endpointBody, eventually, startTestApp, type TestApp } from './harness';
import { type ChildOutput, collectApart } from './json-logs';
import { spawnApi, stopChild } from './worker-process';

const run = promisify(execFile);
const CLI = join(__dirname, '..', 'dist', 'cli.js');
const BOOTSTRAP_KEY = 'hk_bootstrap_key_for_tests_0123456789';

describe('tenants', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ HOOKYARD_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('makes a default organization holding the bootstrap key, once', async () => {
    const response = await t.request('POST', '/v1/endpoints', {
      key: BOOTSTRAP_KEY,
      body: endpointBody(),
    });
    expect(response.status).toBe(201);
    const count = async () =>
      Number(
        (await t.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM organizations`))[0]
          ?.n,
      );
    const before = await count();
    await t.app.get(OrganizationsService).ensureBootstrapKey(BOOTSTRAP_KEY);
    await t.app.get(OrganizationsService).ensureBootstrapKey(BOOTSTRAP_KEY);
    expect(await count()).toBe(before);
  });

  it('shows no more than a quarter of a short bootstrap key as its prefix', async () => {
    const short = 'boot_key_16chars';
    await t.app.get(OrganizationsService).ensureBootstrapKey(short);
    const list = await t.request('GET', '/v1/api-keys', { key: short });
    expect(list.status).toBe(200);
    const prefixes = list.body.data.map((k: { prefix: string }) => k.prefix);
    expect(prefixes).toContain('boot');
    expect(prefixes.every((p: string) => p.length <= 9)).toBe(true);
  });

  it('creates an organization from the CLI, printing one JSON line with a working key', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'org', 'create', '--name', 'acme'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: t.database.url,
        HOOKYARD_ENCRYPTION_KEY: t.encryptionKey,
      },
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const created = JSON.parse(lines[0]) as { organizationId: string; apiKey: string };
    expect(created.organizationId).toMatch(/^[0-9a-f]{24}$/);
    const list = await t.request('GET', '/v1/endpoints', { key: created.apiKey });
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([]);
  });

  it('creates an operator key from the CLI that acts for the organization x-platform-id names', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'operator-key', 'create'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: t.database.url,
        HOOKYARD_ENCRYPTION_KEY: t.encryptionKey,
      },
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const { apiKey } = JSON.parse(lines[0]) as { apiKey: string };
    const [row] = await t.dataSource.query<{ organization_id: string | null; key_hash: string }[]>(
      `SELECT organization_id, key_hash FROM api_keys WHERE prefix = $1`,
      [apiKey.slice(0, 9)],
    );
    expect(row).toMatchObject({ organization_id: null });
    expect(row?.key_hash).not.toContain(apiKey);
    const tenant = await t.createOrganization('operated');
    const made = await t.request('POST', '/platform/v1/webhooks', {
      key: apiKey,
      headers: { 'x-platform-id': tenant.organizationId },
      body: { url: 'https://example.com/op', name: 'op', reference: 'op-1' },
    });
    expect(made.status).toBe(201);
    const seen = await t.request('GET', '/v1/endpoints', { key: tenant.apiKey });
    expect(seen.body.data.map((e: { id: string }) => e.id)).toEqual([made.body.id]);
    const withoutTenant = await t.request('GET', '/platform/v1/webhooks', { key: apiKey });
    expect(withoutTenant.status).toBe(400);
  });

  it('refuses a CLI call without a name, with usage on stderr', async () => {
    await expect(
      run(process.execPath, [CLI, 'org', 'create'], {
        env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: t.database.url },
      }),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage: hookyard org create --name <name>'),
    });
  });

  it('names every bad configuration variable at start-up', async () => {
    const failure = run(process.execPath, [CLI, 'org', 'create', '--name', 'x'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: t.database.url,
        PORT: 'abc',
        HOOKYARD_ROLE: 'chef',
      },
    });
    await expect(failure).rejects.toMatchObject({ code: 1 });
    const { stderr } = (await failure.catch((error: unknown) => error)) as { stderr: string };
    expect(stderr).toContain('PORT: must be an integer from 0 to 65535');
    expect(stderr).toContain('HOOKYARD_ROLE: must be one of all, api, worker');
    expect(stderr).toContain('HOOKYARD_ENCRYPTION_KEY: required when DATABASE_URL is set');
  });
});

/**
 * A new `HOOKYARD_BOOTSTRAP_API_KEY` replaces the old one on the same organization. The restart is
 * two built API processes started at once on the first app's database with the new value, as in a
 * rolling deploy of two replicas: they must make one replacement between them, not two.
 */
describe('rotating the bootstrap key', () => {
  const OLD = 'hk_bootstrap_before_rotation_0123456789';
  const NEW = 'hk_bootstrap_after_rotation_9876543210';
  let t: TestApp;
  const replicas: { child: ChildProcess; output: ChildOutput; base: string }[] = [];

  beforeAll(async () => {
    t = await startTestApp({ HOOKYARD_BOOTSTRAP_API_KEY: OLD });
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => stopChild(r.child)));
    await t?.close();
  });

  const call = async (base: string, path: string, key: string) => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('X8 a new HOOKYARD_BOOTSTRAP_API_KEY replaces the old key on the same organization, leaves its other keys, and makes no second organization', async () => {
    const before = await t.request('GET', '/v1/whoami', { key: OLD });
    expect(before.status).toBe(200);
    const organizationId = before.body.organizationId as string;
    const other = await t.request('POST', '/v1/api-keys', {
      key: OLD,
      body: { name: 'ci', permissions: ['WEBHOOK.READ'] },
    });
    expect(other.status).toBe(201);
    const session = await t.request('POST', '/v1/portal-sessions', {
      key: OLD,
      body: { permissions: ['WEBHOOK.READ'] },
    });
    expect(session.status).toBe(201);

    for (const port of await Promise.all([freePort(), freePort()])) {
      const child = spawnApi(t, { PORT: String(port), HOOKYARD_BOOTSTRAP_API_KEY: NEW });
      replicas.push({ child, output: collectApart(child), base: `http://127.0.0.1:${port}` });
    }
    for (const { output } of replicas)
      // on failure, shows what the replica wrote
      await eventually(
        () => expect(output.stdout() + output.stderr()).toContain('API docs:'),
        30_000,
      );

    for (const { base } of replicas) {
      expect((await call(base, '/v1/whoami', OLD)).status).toBe(401);
      expect((await call(base, '/v1/endpoints', session.body.token)).status).toBe(401);
      const now = await call(base, '/v1/whoami', NEW);
      expect(now.status).toBe(200);
      expect(now.body['organizationId']).toBe(organizationId);
      const kept = await call(base, '/v1/whoami', other.body.key);
      expect(kept.status).toBe(200);
      expect(kept.body['organizationId']).toBe(organizationId);
    }
    const organizations = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM organizations`,
    );
    expect(organizations.map((o) => o.id)).toEqual([organizationId]);
    const listed = await call(replicas[0].base, '/v1/api-keys', NEW);
    const keys = listed.body['data'] as { name: string; bootstrap: boolean; prefix: string }[];
    // By name: ids made in the same second by two processes order by their random part.
    expect(keys.map((k) => [k.name, k.bootstrap]).sort()).toEqual([
      ['ci', false],
      ['default admin', true],
    ]);
  }, 90_000);
});

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, type TestApp } from './harness';

const run = promisify(execFile);
const CLI = join(__dirname, '..', 'dist', 'cli.js');
const OPERATOR_KEY = 'hk_operator_cli_tests_0123456789';

interface ListedKey {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly permissions: string[];
  readonly createdAt: string;
  readonly expiresAt: string | null;
}

describe('operator keys and organizations from the CLI', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ HOOKYARD_BOOTSTRAP_OPERATOR_KEY: OPERATOR_KEY });
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Runs `hookyard <args>` on the app's database; resolves with its exit code and output. */
  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
        env: {
          PATH: process.env['PATH'] ?? '',
          DATABASE_URL: t.database.url,
          HOOKYARD_ENCRYPTION_KEY: t.encryptionKey,
        },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
      return { code, stdout, stderr };
    }
  };

  const listed = async (): Promise<ListedKey[]> => {
    const { code, stdout } = await cli('operator-key', 'list');
    expect(code).toBe(0);
    return stdout
      .trim()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as ListedKey);
  };

  it('creates an all-permission operator key by default, printing its id beside the key', async () => {
    const { code, stdout } = await cli('operator-key', 'create');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const created = JSON.parse(lines[0]) as { apiKey: string; id: string };
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);
    const keys = await t.request('GET', '/v1/operator-keys', { key: created.apiKey });
    expect(keys.status).toBe(200);
    expect(keys.body.data).toContainEqual(
      expect.objectContaining({ id: created.id, name: 'operator', permissions: ['*'] }),
    );
  });

  it('creates a key with the name, permissions and expiry given, and lists keys without the key itself', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const { code, stdout } = await cli(
      'operator-key',
      'create',
      '--name',
      'provisioning',
      '--permissions',
      'ORGANIZATION.ADMIN, WEBHOOK.READ',
      '--expires-at',
      expiresAt,
    );
    expect(code).toBe(0);
    const created = JSON.parse(stdout) as { apiKey: string; id: string };
    const organizations = await t.request('GET', '/v1/organizations', { key: created.apiKey });
    expect(organizations.status).toBe(200);
    const operatorKeys = await t.request('GET', '/v1/operator-keys', { key: created.apiKey });
    expect(operatorKeys.status).toBe(403);

    const keys = await listed();
    const entry = keys.find((k) => k.id === created.id);
    expect(entry).toEqual({
      id: created.id,
      name: 'provisioning',
      prefix: created.apiKey.slice(0, entry?.prefix.length),
      permissions: ['ORGANIZATION.ADMIN', 'WEBHOOK.READ'],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expiresAt,
    });
    expect(entry?.prefix.length).toBeGreaterThan(3);
    // the bootstrap operator key is an operator key too
    expect(keys.map((k) => k.name)).toContain('bootstrap operator');
    const anywhere = (await cli('operator-key', 'list')).stdout;
    expect(anywhere).not.toContain(created.apiKey);
    expect(anywhere).not.toContain(OPERATOR_KEY);
  });

  it('refuses unknown permissions and a malformed expiry with usage, exit 2', async () => {
    const unknown = await cli('operator-key', 'create', '--permissions', 'WEBHOOK.READ,ROOT');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown: ROOT');
    expect(unknown.stderr).toContain('usage: hookyard');
    const badTime = await cli('operator-key', 'create', '--expires-at', 'tomorrow');
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('--expires-at takes an ISO 8601 time');
  });

  it('refuses an expiry in the past, exit 1', async () => {
    const past = await cli('operator-key', 'create', '--expires-at', '2020-01-01T00:00:00Z');
    expect(past.code).toBe(1);
    expect(past.stderr).toContain('expiresAt: must be in the future');
  });

  it('revokes an operator key: it answers 401 and leaves the list; revoking it again exits 1', async () => {
    const created = JSON.parse((await cli('operator-key', 'create', '--name', 'gone')).stdout) as {
      apiKey: string;
      id: string;
    };
    const revoked = await cli('operator-key', 'revoke', created.id);
    expect(revoked).toMatchObject({ code: 0, stdout: '' });
    expect((await t.request('GET', '/v1/operator-keys', { key: created.apiKey })).status).toBe(401);
    expect((await listed()).map((k) => k.id)).not.toContain(created.id);

    const again = await cli('operator-key', 'revoke', created.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no live operator key has the id ${created.id}`);
    const malformed = await cli('operator-key', 'revoke', 'not-an-id');
    expect(malformed.code).toBe(1);
  });

  it('does not revoke an organization’s key as an operator key', async () => {
    const tenant = await t.createOrganization('tenant-with-key');
    const [key] = (await t.request('GET', '/v1/api-keys', { key: tenant.apiKey })).body.data as {
      id: string;
    }[];
    const refused = await cli('operator-key', 'revoke', key?.id ?? '');
    expect(refused.code).toBe(1);
    expect((await t.request('GET', '/v1/api-keys', { key: tenant.apiKey })).status).toBe(200);
  });

  it('creates an organization with a uid the API then finds it by', async () => {
    const { code, stdout } = await cli('org', 'create', '--name', 'Acme', '--uid', 'cus_acme-1');
    expect(code).toBe(0);
    const created = JSON.parse(stdout) as { organizationId: string; apiKey: string };
    const found = await t.request('GET', '/v1/organizations/cus_acme-1', { key: OPERATOR_KEY });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({
      id: created.organizationId,
      uid: 'cus_acme-1',
      name: 'Acme',
    });
    const own = await t.request('GET', '/v1/whoami', { key: created.apiKey });
    expect(own.body.organizationId).toBe(created.organizationId);
  });

  it('refuses a uid another organization has, a 24-hex uid and a malformed one, exit 1', async () => {
    expect((await cli('org', 'create', '--name', 'First', '--uid', 'taken-uid')).code).toBe(0);
    const taken = await cli(
      'org',
      'create',
      '--name',
      'Second',
      '--uid',
      'taken-uid',
      '--key-only',
    );
    expect(taken).toMatchObject({ code: 1, stdout: '' });
    expect(taken.stderr).toContain('hookyard org create: uid: another organization has this uid');
    const hex = await cli('org', 'create', '--name', 'Hex', '--uid', 'a'.repeat(24));
    expect(hex.code).toBe(1);
    expect(hex.stderr).toContain('a uid cannot be a 24-hex id');
    const spaced = await cli('org', 'create', '--name', 'Spaced', '--uid', 'has space');
    expect(spaced.code).toBe(1);
    expect(spaced.stderr).toContain('uid must be 1-128 printable characters');
    const names = (
      await t.dataSource.query<{ name: string }[]>(`SELECT name FROM organizations ORDER BY id`)
    ).map((o) => o.name);
    expect(names).toContain('First');
    expect(names).not.toContain('Second');
    expect(names).not.toContain('Hex');
    expect(names).not.toContain('Spaced');
  });
});

import { ApiKeyService } from '@hookyard/api';
import { grants, type Permission, TENANT_PERMISSIONS } from '@hookyard/api';
import { endpointBody, startTestApp, type TestApp } from './harness';

describe('authentication, permissions and tenant isolation', () => {
  let t: TestApp;
  let keyA: string;
  let keyB: string;
  let endpointOfB: string;

  beforeAll(async () => {
    t = await startTestApp();
    ({ apiKey: keyA } = await t.createOrganization('tenant-a'));
    ({ apiKey: keyB } = await t.createOrganization('tenant-b'));
    await t.request('POST', '/v1/endpoints', { key: keyA, body: endpointBody({ name: 'A1' }) });
    endpointOfB = (
      await t.request('POST', '/v1/endpoints', { key: keyB, body: endpointBody({ name: 'B1' }) })
    ).body.id;
  });

  afterAll(async () => {
    await t?.close();
  });

  async function issueKey(permissions: string[]): Promise<string> {
    const response = await t.request('POST', '/v1/api-keys', {
      key: keyA,
      body: { name: 'scoped', permissions },
    });
    expect(response.status).toBe(201);
    return response.body.key;
  }

  describe('T4 401 with a uniform body', () => {
    const variants: [string, Record<string, string>][] = [
      ['no credentials', {}],
      ['Bearer with no token', { authorization: 'Bearer' }],
      ['a wrong key', { authorization: 'Bearer hk_wrong' }],
      ['a Basic scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['an empty X-API-KEY', { 'x-api-key': '' }],
    ];

    it.each(variants)('answers %s with 401', async (_, headers) => {
      const response = await t.request('GET', '/v1/endpoints', { headers });
      expect(response.status).toBe(401);
      expect(response.contentType).toContain('application/problem+json');
      expect(response.body).toMatchObject({
        status: 401,
        code: 'UNAUTHENTICATED',
        detail: 'missing or invalid API key',
      });
    });

    it('answers Bearer and X-API-KEY naming different keys with 401', async () => {
      const response = await t.request('GET', '/v1/endpoints', {
        headers: { authorization: `Bearer ${keyA}`, 'x-api-key': keyB },
      });
      expect(response.status).toBe(401);
    });

    it('accepts the key in X-API-KEY as well as Bearer', async () => {
      expect(
        (await t.request('GET', '/v1/endpoints', { headers: { 'x-api-key': keyA } })).status,
      ).toBe(200);
      expect((await t.request('GET', '/v1/endpoints', { key: keyA })).status).toBe(200);
    });

    it('K4 refuses a revoked key', async () => {
      const created = await t.request('POST', '/v1/api-keys', {
        key: keyA,
        body: { name: 'temp', permissions: ['WEBHOOK.READ'] },
      });
      expect((await t.request('GET', '/v1/endpoints', { key: created.body.key })).status).toBe(200);
      expect(
        (await t.request('DELETE', `/v1/api-keys/${created.body.id}`, { key: keyA })).status,
      ).toBe(204);
      expect((await t.request('GET', '/v1/endpoints', { key: created.body.key })).status).toBe(401);
    });
  });

  describe('operator keys', () => {
    it('act for the organization X-Hookyard-Organization names, and answer 404 for an unknown one', async () => {
      const operator = await t.app.get(ApiKeyService).create(null, 'operator', ['*'], new Date());
      const tenant = await t.createOrganization('operated');
      const headers = (organization: string) => ({
        authorization: `Bearer ${operator.key}`,
        'x-hookyard-organization': organization,
      });
      const created = await t.request('POST', '/v1/endpoints', {
        headers: headers(tenant.organizationId),
        body: endpointBody({ name: 'by operator' }),
      });
      expect(created.status).toBe(201);
      const seen = await t.request('GET', `/v1/endpoints/${created.body.id}`, {
        key: tenant.apiKey,
      });
      expect(seen.body.name).toBe('by operator');
      const unknown = await t.request('POST', '/v1/endpoints', {
        headers: headers('ffffffffffffffffffffffff'),
        body: endpointBody(),
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('NOT_FOUND');
      const byUnknownUid = await t.request('GET', '/v1/endpoints', {
        headers: headers('cus_none'),
      });
      expect(byUnknownUid.status).toBe(404);
      // The platform dialect's header means nothing to the native API.
      const platformHeader = await t.request('GET', '/v1/endpoints', {
        headers: {
          authorization: `Bearer ${operator.key}`,
          'x-platform-id': tenant.organizationId,
        },
      });
      expect(platformHeader.status).toBe(403);
      const none = await t.request('GET', '/v1/endpoints', {
        headers: { authorization: `Bearer ${operator.key}` },
      });
      expect(none.status).toBe(403);
    });
  });

  describe('API keys', () => {
    it('shows a key once and lists keys without it', async () => {
      const created = await t.request('POST', '/v1/api-keys', {
        key: keyA,
        body: { name: 'ci', permissions: ['WEBHOOK.READ'] },
      });
      expect(created.body.key).toMatch(/^hk_/);
      const list = await t.request('GET', '/v1/api-keys', { key: keyA });
      const listed = list.body.data.find((k: { id: string }) => k.id === created.body.id);
      expect(listed).toMatchObject({
        name: 'ci',
        permissions: ['WEBHOOK.READ'],
        prefix: created.body.key.slice(0, 9),
      });
      expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    });

    it('K1 stores keys only as a hash', async () => {
      const created = await t.request('POST', '/v1/api-keys', {
        key: keyA,
        body: { name: 'hashed', permissions: ['*'] },
      });
      const dump = JSON.stringify(await t.dataSource.query('SELECT * FROM api_keys'));
      expect(dump).not.toContain(created.body.key);
    });

    it('refuses to grant permissions the caller lacks', async () => {
      const manager = await issueKey(['APIKEY.MANAGE']);
      const response = await t.request('POST', '/v1/api-keys', {
        key: manager,
        body: { name: 'x', permissions: ['WEBHOOK.DELETE'] },
      });
      expect(response.status).toBe(403);
    });

    it('refuses to revoke a key holding permissions the caller lacks, and revokes one it could grant', async () => {
      const manager = await issueKey(['APIKEY.MANAGE', 'WEBHOOK.READ']);
      const list = await t.request('GET', '/v1/api-keys', { key: manager });
      const all = list.body.data.find((k: { permissions: string[] }) =>
        k.permissions.includes('*'),
      );
      const refused = await t.request('DELETE', `/v1/api-keys/${all.id}`, { key: manager });
      expect(refused.status).toBe(403);
      expect((await t.request('GET', '/v1/endpoints', { key: keyA })).status).toBe(200);

      const reader = await t.request('POST', '/v1/api-keys', {
        key: manager,
        body: { name: 'reader', permissions: ['WEBHOOK.READ'] },
      });
      const revoked = await t.request('DELETE', `/v1/api-keys/${reader.body.id}`, {
        key: manager,
      });
      expect(revoked.status).toBe(204);
    });

    it('refuses an unknown permission', async () => {
      const response = await t.request('POST', '/v1/api-keys', {
        key: keyA,
        body: { name: 'x', permissions: ['WEBHOOK.ALL'] },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].path).toBe('permissions');
    });
  });

  describe('T3 403 for a key without the permission', () => {
    let endpointOfA: string;
    beforeAll(async () => {
      endpointOfA = (await t.request('POST', '/v1/endpoints', { key: keyA, body: endpointBody() }))
        .body.id;
    });

    const routes: [string, string, (id: string) => string, string, unknown][] = [
      ['create', 'POST', () => '/v1/endpoints', 'WEBHOOK.CREATE', endpointBody()],
      ['list', 'GET', () => '/v1/endpoints', 'WEBHOOK.READ', undefined],
      ['get', 'GET', (id) => `/v1/endpoints/${id}`, 'WEBHOOK.READ', undefined],
      ['update', 'PATCH', (id) => `/v1/endpoints/${id}`, 'WEBHOOK.UPDATE', { name: 'x' }],
      ['get secret', 'GET', (id) => `/v1/endpoints/${id}/secret`, 'WEBHOOK.READ', undefined],
      ['rotate', 'POST', (id) => `/v1/endpoints/${id}/secret/rotate`, 'WEBHOOK.UPDATE', {}],
      ['topics', 'GET', () => '/v1/topics', 'WEBHOOK.READ', undefined],
      ['list keys', 'GET', () => '/v1/api-keys', 'APIKEY.MANAGE', undefined],
      [
        'issue a key',
        'POST',
        () => '/v1/api-keys',
        'APIKEY.MANAGE',
        { name: 'k', permissions: ['APIKEY.MANAGE'] },
      ],
      [
        'delete (last: it removes the endpoint)',
        'DELETE',
        (id) => `/v1/endpoints/${id}`,
        'WEBHOOK.DELETE',
        undefined,
      ],
    ];

    it.each(routes)('%s needs its permission', async (_, method, path, permission, body) => {
      // Every permission but the one asked for and its other names (WEBHOOK.VIEW is WEBHOOK.READ).
      const without = await issueKey(
        TENANT_PERMISSIONS.filter((p) => !grants([p], permission as Permission)),
      );
      const denied = await t.request(method, path(endpointOfA), { key: without, body });
      expect(denied.status).toBe(403);
      expect(denied.body.code).toBe('FORBIDDEN');
      const withIt = await issueKey([permission]);
      const allowed = await t.request(method, path(endpointOfA), { key: withIt, body });
      expect(allowed.status).toBeLessThan(300);
    });
  });

  it('revoking a key needs APIKEY.MANAGE', async () => {
    const target = await t.request('POST', '/v1/api-keys', {
      key: keyA,
      body: { name: 'target', permissions: ['WEBHOOK.READ'] },
    });
    const without = await issueKey(
      (TENANT_PERMISSIONS as readonly string[]).filter((p) => p !== 'APIKEY.MANAGE'),
    );
    const denied = await t.request('DELETE', `/v1/api-keys/${target.body.id}`, { key: without });
    expect(denied.status).toBe(403);
    expect((await t.request('GET', '/v1/endpoints', { key: target.body.key })).status).toBe(200);
    const allowed = await t.request('DELETE', `/v1/api-keys/${target.body.id}`, {
      key: await issueKey(['APIKEY.MANAGE', 'WEBHOOK.READ']),
    });
    expect(allowed.status).toBe(204);
  });

  describe("T1 another tenant's endpoint answers 404 on every route", () => {
    const routes: [string, string, string, unknown][] = [
      ['GET', '', 'get', undefined],
      ['PATCH', '', 'update', { name: 'stolen' }],
      ['DELETE', '', 'delete', undefined],
      ['GET', '/secret', 'get secret', undefined],
      ['POST', '/secret/rotate', 'rotate', { gracePeriodSeconds: 0 }],
    ];

    it.each(routes)(
      '%s /v1/endpoints/{id}%s (%s) does not reach another tenant',
      async (method, suffix, _, body) => {
        const response = await t.request(method, `/v1/endpoints/${endpointOfB}${suffix}`, {
          key: keyA,
          body,
        });
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ code: 'NOT_FOUND', detail: 'endpoint not found' });
        const missing = await t.request(method, `/v1/endpoints/ffffffffffffffffffffffff${suffix}`, {
          key: keyA,
          body,
        });
        expect(missing.body.detail).toBe(response.body.detail);
        const own = await t.request('GET', `/v1/endpoints/${endpointOfB}`, { key: keyB });
        expect(own.body.name).toBe('B1');
      },
    );

    it("does not list another tenant's endpoints, even with its id as cursor", async () => {
      const mine = (await t.request('POST', '/v1/endpoints', { key: keyA, body: endpointBody() }))
        .body.id as string;
      const ids = (response: { body: { data: { id: string }[] } }) =>
        response.body.data.map((e) => e.id);
      const list = await t.request('GET', '/v1/endpoints?limit=100', { key: keyA });
      expect(ids(list)).toContain(mine);
      expect(ids(list)).not.toContain(endpointOfB);
      expect(list.body.data.every((e: { name: string }) => e.name !== 'B1')).toBe(true);
      const withCursor = await t.request(
        'GET',
        `/v1/endpoints?cursor=${'0'.repeat(24)}&limit=100`,
        { key: keyA },
      );
      expect(ids(withCursor)).toContain(mine);
      expect(ids(withCursor)).not.toContain(endpointOfB);
      const afterB = await t.request('GET', `/v1/endpoints?cursor=${endpointOfB}&limit=100`, {
        key: keyA,
      });
      expect(afterB.status).toBe(200);
      expect(ids(afterB)).toContain(mine); // made after B's endpoint, so its id sorts after it
      expect(afterB.body.data.every((e: { name: string }) => e.name !== 'B1')).toBe(true);
    });

    it("does not revoke another tenant's API key", async () => {
      const other = await t.request('POST', '/v1/api-keys', {
        key: keyB,
        body: { name: 'b-key', permissions: ['WEBHOOK.READ'] },
      });
      expect(
        (await t.request('DELETE', `/v1/api-keys/${other.body.id}`, { key: keyA })).status,
      ).toBe(404);
      expect((await t.request('GET', '/v1/endpoints', { key: other.body.key })).status).toBe(200);
    });
  });
});

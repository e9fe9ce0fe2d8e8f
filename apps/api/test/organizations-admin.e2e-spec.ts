import { ApiKeyService } from '@hookyard/api';
import { endpointBody, eventually, startTestApp, type TestApp } from './harness';

/**
 * Organizations as an operator's resource: what each route answers, the bad inputs that change
 * nothing, the settings an organization may hold, and acting for one by uid in every dialect.
 */
describe('organizations for operator keys', () => {
  let t: TestApp;
  let operator: string;

  const op = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    t.request(method, path, { key: operator, body, headers });
  /** Every organization row, to prove a refused call changed none. */
  const snapshot = () =>
    t.dataSource.query(`SELECT to_jsonb(o) AS row FROM organizations o ORDER BY id`);

  beforeAll(async () => {
    t = await startTestApp({ HOOKYARD_ENDPOINT_LIMIT: '100' });
    operator = (await t.app.get(ApiKeyService).create(null, 'operator', ['*'], new Date())).key;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('creates with a uid and settings, reads by id and by uid, and fills every setting in', async () => {
    const created = await op('POST', '/v1/organizations', {
      name: 'Acme',
      uid: 'acme_01',
      settings: { endpointLimit: 3, retryScheduleSeconds: [5, 60], thresholds: { pauseAfter: 9 } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      uid: 'acme_01',
      name: 'Acme',
      createdAt: expect.any(String),
      settings: {
        endpointLimit: 3,
        portalAllowedOrigins: [],
        outboundAllow: [],
        rateLimits: { management: null, publishing: null },
        retryScheduleSeconds: [5, 60],
        thresholds: {
          penaltyAfter: null,
          pauseAfter: 9,
          pauseAfterSeconds: null,
          suspendAfterSeconds: null,
          penaltyCooldownSeconds: null,
        },
      },
    });
    expect((await op('GET', `/v1/organizations/${created.body.id}`)).body).toEqual(created.body);
    expect((await op('GET', '/v1/organizations/acme_01')).body).toEqual(created.body);
  });

  it('B30 refuses a duplicate uid (409), a malformed uid or setting (400 naming the field), an unknown uid (404), and changes nothing', async () => {
    await op('POST', '/v1/organizations', { name: 'Taken', uid: 'taken' });
    const before = await snapshot();
    const cases: [string, string, unknown, number, string, string | null][] = [
      ['POST', '/v1/organizations', { name: 'Again', uid: 'taken' }, 409, 'UID_TAKEN', 'uid'],
      [
        'POST',
        '/v1/organizations',
        { name: 'Spaced', uid: 'has space' },
        400,
        'VALIDATION_FAILED',
        'uid',
      ],
      [
        'POST',
        '/v1/organizations',
        { name: 'Long', uid: 'x'.repeat(129) },
        400,
        'VALIDATION_FAILED',
        'uid',
      ],
      [
        'POST',
        '/v1/organizations',
        { name: 'Id', uid: 'abcdefabcdefabcdefabcdef' },
        400,
        'VALIDATION_FAILED',
        'uid',
      ],
      ['POST', '/v1/organizations', { uid: 'nameless' }, 400, 'VALIDATION_FAILED', 'name'],
      [
        'POST',
        '/v1/organizations',
        { name: 'Bad', settings: { endpointLimit: -1 } },
        400,
        'VALIDATION_FAILED',
        'settings.endpointLimit',
      ],
      [
        'POST',
        '/v1/organizations',
        { name: 'Bad', settings: { rateLimits: { publishing: { perSecond: 5, burst: 0 } } } },
        400,
        'VALIDATION_FAILED',
        'settings.rateLimits.publishing.burst',
      ],
      [
        'POST',
        '/v1/organizations',
        { name: 'Bad', settings: { retryScheduleSeconds: [5, 0] } },
        400,
        'VALIDATION_FAILED',
        'settings.retryScheduleSeconds',
      ],
      [
        'POST',
        '/v1/organizations',
        { name: 'Bad', settings: { outboundAllow: ['0.0.0.0/0'] } },
        400,
        'VALIDATION_FAILED',
        'settings.outboundAllow[0]',
      ],
      [
        'POST',
        '/v1/organizations',
        { name: 'Bad', settings: { thresholds: { pauseAfter: 'soon' } } },
        400,
        'VALIDATION_FAILED',
        'settings.thresholds.pauseAfter',
      ],
      [
        'POST',
        '/v1/organizations',
        { name: 'Bad', colour: 'red' },
        400,
        'PROPERTY_NOT_ALLOWED',
        'colour',
      ],
      ['PUT', '/v1/organizations/has%20space', { name: 'Bad' }, 400, 'VALIDATION_FAILED', 'uid'],
      ['PATCH', '/v1/organizations/taken', { uid: 'other' }, 400, 'VALIDATION_FAILED', 'uid'],
      ['GET', '/v1/organizations/nobody', undefined, 404, 'NOT_FOUND', null],
      ['PATCH', '/v1/organizations/nobody', { name: 'x' }, 404, 'NOT_FOUND', null],
      ['DELETE', '/v1/organizations/nobody', undefined, 404, 'NOT_FOUND', null],
      ['GET', '/v1/organizations/nobody/api-keys', undefined, 404, 'NOT_FOUND', null],
      ['GET', '/v1/organizations?cursor=zzz', undefined, 400, 'PAGINATION_INVALID', 'cursor'],
      ['GET', '/v1/organizations?limit=0', undefined, 400, 'PAGINATION_INVALID', 'limit'],
    ];
    const answers = [];
    for (const [method, path, body] of cases) {
      const response = await op(method, path, body);
      const fields = (response.body?.errors ?? []).map((e: { path: string }) => e.path);
      answers.push([method, path, response.status, response.body?.code, fields[0] ?? null]);
    }
    expect(answers).toEqual(
      cases.map(([m, p, , status, code, field]) => [m, p, status, code, field]),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('upserts: 201 then 200 with the same id, settings merged key by key, null resetting one', async () => {
    const first = await op('PUT', '/v1/organizations/up-1', {
      name: 'Up',
      settings: {
        rateLimits: { management: { perSecond: 5, burst: 10 } },
        thresholds: { penaltyAfter: 2 },
      },
    });
    expect(first.status).toBe(201);
    const again = await op('PUT', '/v1/organizations/up-1', {
      name: 'Up',
      settings: {
        rateLimits: { management: { burst: 10, perSecond: 5 } },
        thresholds: { penaltyAfter: 2 },
      },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const changed = await op('PATCH', '/v1/organizations/up-1', {
      settings: {
        rateLimits: { publishing: { perSecond: 1, burst: 1 } },
        thresholds: { penaltyAfter: null },
      },
    });
    expect(changed.body.settings.rateLimits).toEqual({
      management: { perSecond: 5, burst: 10 },
      publishing: { perSecond: 1, burst: 1 },
    });
    expect(changed.body.settings.thresholds.penaltyAfter).toBeNull();
    const reset = await op('PATCH', '/v1/organizations/up-1', { settings: { rateLimits: null } });
    expect(reset.body.settings.rateLimits).toEqual({ management: null, publishing: null });
  });

  it('gives an organization made without a uid one, once', async () => {
    const { organizationId } = await t.createOrganization('legacy');
    const named = await op('PATCH', `/v1/organizations/${organizationId}`, { uid: 'legacy-1' });
    expect(named.status).toBe(200);
    expect(named.body.uid).toBe('legacy-1');
    const again = await op('PATCH', '/v1/organizations/legacy-1', { uid: 'legacy-2' });
    expect(again.status).toBe(400);
    expect((await op('GET', '/v1/organizations/legacy-1')).status).toBe(200);
  });

  it('acts for an organization by uid in all three dialects, and binds its own rate limit', async () => {
    await op('PUT', '/v1/organizations/dialects', {
      name: 'Dialects',
      settings: { rateLimits: { management: { perSecond: 1, burst: 2 } } },
    });
    const native = await op('GET', '/v1/endpoints', undefined, {
      'x-hookyard-organization': 'dialects',
    });
    expect(native.status).toBe(200);
    const featurebase = await op('GET', '/featurebase/v2/webhooks', undefined, {
      'x-hookyard-organization': 'dialects',
    });
    expect(featurebase.status).toBe(200);
    const platform = await op('GET', '/platform/v1/webhooks', undefined, {
      'x-platform-id': 'dialects',
    });
    expect(platform.status).toBe(200);
    // The organization's own key meets its organization's limit (burst 2), not the installation's.
    const minted = await op('POST', '/v1/organizations/dialects/api-keys', {
      name: 'limited',
      permissions: ['WEBHOOK.READ'],
    });
    const statuses = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push((await t.request('GET', '/v1/endpoints', { key: minted.body.key })).status);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.slice(2)).toContain(429);
  });

  it('mints keys for an organization with an expiry, lists them, and revokes one (401 at once)', async () => {
    await op('PUT', '/v1/organizations/keys-org', { name: 'Keys' });
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const minted = await op('POST', '/v1/organizations/keys-org/api-keys', {
      name: 'expiring',
      permissions: ['WEBHOOK.READ'],
      expiresAt,
    });
    expect(minted.status).toBe(201);
    expect(minted.body.expiresAt).toBe(expiresAt);
    const listed = await op('GET', '/v1/organizations/keys-org/api-keys');
    expect(listed.body.data.map((k: { id: string }) => k.id)).toEqual([minted.body.id]);
    expect(JSON.stringify(listed.body)).not.toContain(minted.body.key);
    const past = await op('POST', '/v1/organizations/keys-org/api-keys', {
      name: 'past',
      permissions: ['WEBHOOK.READ'],
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(past.body.errors[0].path).toBe('expiresAt');
    const operatorOnly = await op('POST', '/v1/organizations/keys-org/api-keys', {
      name: 'widening',
      permissions: ['ORGANIZATION.ADMIN'],
    });
    expect(operatorOnly.status).toBe(400);
    expect((await t.request('GET', '/v1/endpoints', { key: minted.body.key })).status).toBe(200);
    const revoked = await op('DELETE', `/v1/organizations/keys-org/api-keys/${minted.body.id}`);
    expect(revoked.status).toBe(204);
    expect((await t.request('GET', '/v1/endpoints', { key: minted.body.key })).status).toBe(401);
  });

  it('lets an operator key hand out only what it holds, and an expired operator key stops', async () => {
    const narrow = await op('POST', '/v1/operator-keys', {
      name: 'narrow',
      permissions: ['ORGANIZATION.ADMIN'],
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    expect(narrow.status).toBe(201);
    const widen = await t.request('POST', '/v1/organizations/keys-org/api-keys', {
      key: narrow.body.key,
      body: { name: 'wider', permissions: ['*'] },
    });
    expect(widen.status).toBe(403);
    const keys = await t.request('GET', '/v1/operator-keys', { key: narrow.body.key });
    expect(keys.status).toBe(403);
    expect((await t.request('GET', '/v1/organizations', { key: narrow.body.key })).status).toBe(
      200,
    );
    await eventually(async () => {
      expect((await t.request('GET', '/v1/organizations', { key: narrow.body.key })).status).toBe(
        401,
      );
    }, 3_000);
  });

  it('X14 revoking an operator key revokes what it minted: the keys it issued, theirs, and their portal sessions', async () => {
    await op('PUT', '/v1/organizations/minted', { name: 'Minted' });
    const issuer = await op('POST', '/v1/operator-keys', { name: 'issuer', permissions: ['*'] });
    const as = (key: string) => (method: string, path: string, body?: unknown) =>
      t.request(method, path, { key, body });
    const orgKey = await as(issuer.body.key)('POST', '/v1/organizations/minted/api-keys', {
      name: 'org admin',
      permissions: ['*'],
    });
    expect(orgKey.body.createdByKeyId).toBe(issuer.body.id);
    const grandchild = await as(orgKey.body.key)('POST', '/v1/api-keys', {
      name: 'ci',
      permissions: ['WEBHOOK.READ', 'PORTAL.CREATE'],
    });
    const session = await as(grandchild.body.key)('POST', '/v1/portal-sessions', {
      permissions: ['WEBHOOK.READ'],
    });
    expect(session.status).toBe(201);
    const unrelated = await op('POST', '/v1/organizations/minted/api-keys', {
      name: 'other',
      permissions: ['WEBHOOK.READ'],
    });
    const credentials = [issuer.body.key, orgKey.body.key, grandchild.body.key, session.body.token];
    for (const credential of credentials)
      expect((await t.request('GET', '/v1/whoami', { key: credential })).status).toBe(200);
    expect((await op('DELETE', `/v1/operator-keys/${issuer.body.id}`)).status).toBe(204);
    for (const credential of credentials)
      expect((await t.request('GET', '/v1/whoami', { key: credential })).status).toBe(401);
    expect((await t.request('GET', '/v1/whoami', { key: unrelated.body.key })).status).toBe(200);
  });

  it('deletes an organization: its portal sessions 401, its uid free for a new one, others untouched', async () => {
    const made = await op('PUT', '/v1/organizations/gone', { name: 'Gone' });
    const kept = await op('PUT', '/v1/organizations/kept', { name: 'Kept' });
    const endpoint = await op('POST', '/v1/endpoints', endpointBody(), {
      'x-hookyard-organization': 'gone',
    });
    expect(endpoint.status).toBe(201);
    const session = await op(
      'POST',
      '/v1/portal-sessions',
      { permissions: ['WEBHOOK.READ'] },
      {
        'x-hookyard-organization': 'gone',
      },
    );
    expect(session.status).toBe(201);
    expect((await t.request('GET', '/v1/endpoints', { key: session.body.token })).status).toBe(200);
    const keptBefore = await t.dataSource.query(
      `SELECT to_jsonb(o) AS row FROM organizations o WHERE id = $1`,
      [kept.body.id],
    );
    expect((await op('DELETE', '/v1/organizations/gone')).status).toBe(204);
    expect((await t.request('GET', '/v1/endpoints', { key: session.body.token })).status).toBe(401);
    expect((await op('GET', `/v1/organizations/${made.body.id}`)).status).toBe(404);
    expect((await op('DELETE', `/v1/organizations/${made.body.id}`)).status).toBe(404);
    const [row] = await t.dataSource.query(`SELECT status FROM endpoints WHERE id = $1`, [
      endpoint.body.id,
    ]);
    expect(row.status).toBe('paused');
    const reborn = await op('PUT', '/v1/organizations/gone', { name: 'Gone again' });
    expect(reborn.status).toBe(201);
    expect(reborn.body.id).not.toBe(made.body.id);
    expect(
      await t.dataSource.query(`SELECT to_jsonb(o) AS row FROM organizations o WHERE id = $1`, [
        kept.body.id,
      ]),
    ).toEqual(keptBefore);
  });
});

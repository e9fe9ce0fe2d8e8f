import { Hookyard, HookyardError } from '@hookyard/sdk';
import { endpointBody, sleepUntil, startTestApp, type TestApp } from './harness';

const ID = /^[0-9a-f]{24}$/;
const NO_ENDPOINT = 'ffffffffffffffffffffffff';

interface Session {
  readonly id: string;
  readonly url: string;
  readonly token: string;
  readonly expiresAt: string;
}

/**
 * Tenant-portal sessions over HTTP. Expiry is tested by moving `expires_at` in the database (the
 * minimum lifetime, 300 s, is too long to wait), before the token's first use: the guard's cache
 * then holds the moved expiry, and the test waits for that instant on the real clock.
 */
describe('tenant-portal sessions', () => {
  let t: TestApp;
  let orgA: string;
  let keyA: string;
  let keyB: string;
  let endpointA1: string;
  let endpointA2: string;
  let endpointB1: string;

  const endpoint = async (key: string, name: string): Promise<string> => {
    const response = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({ name }),
    });
    expect(response.status).toBe(201);
    return response.body.id;
  };

  const issueKey = async (permissions: string[]): Promise<string> => {
    const response = await t.request('POST', '/v1/api-keys', {
      key: keyA,
      body: { name: 'scoped', permissions },
    });
    expect(response.status).toBe(201);
    return response.body.key;
  };

  const createSession = async (body: Record<string, unknown>, key = keyA): Promise<Session> => {
    const response = await t.request('POST', '/v1/portal-sessions', { key, body });
    expect(response.status).toBe(201);
    return response.body as Session;
  };

  const sessionCount = async (): Promise<number> =>
    Number((await t.dataSource.query(`SELECT count(*) AS n FROM portal_sessions`))[0].n);

  const ids = (response: { body: { data: { id: string }[] } }) =>
    response.body.data.map((e) => e.id);

  beforeAll(async () => {
    t = await startTestApp();
    ({ organizationId: orgA, apiKey: keyA } = await t.createOrganization('tenant-a'));
    ({ apiKey: keyB } = await t.createOrganization('tenant-b'));
    endpointA1 = await endpoint(keyA, 'A1');
    endpointA2 = await endpoint(keyA, 'A2');
    endpointB1 = await endpoint(keyB, 'B1');
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('a session limited to one endpoint and to reading', () => {
    let session: Session;

    beforeAll(async () => {
      session = await createSession({
        permissions: ['WEBHOOK.READ'],
        endpointIds: [endpointA1],
        theme: { accentColor: '#5b21b6', logoUrl: 'https://example.com/logo.svg', mode: 'dark' },
        refreshUrl: 'https://app.example.com/settings/webhooks',
      });
    });

    it('is answered with its link, its hkp_ token and its expiry (an hour by default)', () => {
      expect(session.id).toMatch(ID);
      expect(session.token).toMatch(/^hkp_[A-Za-z0-9_-]{43}$/);
      expect(session.url).toBe(
        `${t.baseUrl}/console/portal?session=${session.id}#token=${session.token}`,
      );
      const lifetime = new Date(session.expiresAt).getTime() - Date.now();
      expect(lifetime).toBeGreaterThan(3590_000);
      expect(lifetime).toBeLessThanOrEqual(3600_000);
    });

    it('stores the token only as a hash', async () => {
      const dump = JSON.stringify(await t.dataSource.query('SELECT * FROM portal_sessions'));
      expect(dump).toContain(session.id);
      expect(dump).not.toContain(session.token);
    });

    it('shows itself through whoami', async () => {
      const response = await t.request('GET', '/v1/whoami', { key: session.token });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        organizationId: orgA,
        keyId: null,
        permissions: ['WEBHOOK.READ'],
        endpointIds: [endpointA1],
        portal: {
          sessionId: session.id,
          expiresAt: session.expiresAt,
          theme: { accentColor: '#5b21b6', logoUrl: 'https://example.com/logo.svg', mode: 'dark' },
          refreshUrl: 'https://app.example.com/settings/webhooks',
        },
      });
    });

    it('lists only its endpoint', async () => {
      const response = await t.request('GET', '/v1/endpoints?limit=100', { key: session.token });
      expect(response.status).toBe(200);
      expect(ids(response)).toEqual([endpointA1]);
      expect(response.body.nextCursor).toBeNull();
    });

    it('reads its endpoint, and answers 404 for another endpoint of its organization as for another tenant’s', async () => {
      const own = await t.request('GET', `/v1/endpoints/${endpointA1}`, { key: session.token });
      expect(own.status).toBe(200);
      expect(own.body.name).toBe('A1');
      for (const id of [endpointA2, endpointB1, NO_ENDPOINT]) {
        for (const suffix of ['', '/secret']) {
          const response = await t.request('GET', `/v1/endpoints/${id}${suffix}`, {
            key: session.token,
          });
          expect(response.status).toBe(404);
          expect(response.body).toMatchObject({ code: 'NOT_FOUND', detail: 'endpoint not found' });
        }
      }
    });

    it.each([
      ['create an endpoint', 'POST', () => '/v1/endpoints', endpointBody()],
      ['update its endpoint', 'PATCH', () => `/v1/endpoints/${endpointA1}`, { name: 'x' }],
      ['delete its endpoint', 'DELETE', () => `/v1/endpoints/${endpointA1}`, undefined],
      ['rotate its secret', 'POST', () => `/v1/endpoints/${endpointA1}/secret/rotate`, {}],
      ['publish an event', 'POST', () => '/v1/events', { topic: 'post.created', data: {} }],
    ])('may not %s (403)', async (_, method, path, body) => {
      const response = await t.request(method, path(), { key: session.token, body });
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('FORBIDDEN');
      const still = await t.request('GET', `/v1/endpoints/${endpointA1}`, { key: keyA });
      expect(still.body.name).toBe('A1');
    });

    it.each([
      ['list API keys', 'GET', '/v1/api-keys', undefined],
      ['issue an API key', 'POST', '/v1/api-keys', { name: 'k', permissions: ['WEBHOOK.READ'] }],
      ['open a portal session', 'POST', '/v1/portal-sessions', { permissions: ['WEBHOOK.READ'] }],
      [
        'change the organization',
        'PATCH',
        '/v1/organization',
        { portalAllowedOrigins: ['https://evil.example.com'] },
      ],
      ['use the Featurebase dialect', 'GET', '/featurebase/v2/webhooks', undefined],
      ['use the platform dialect', 'GET', '/platform/v1/webhooks', undefined],
    ])(
      'is refused where portal sessions are not allowed: %s (403)',
      async (_, method, path, body) => {
        const response = await t.request(method, path, { key: session.token, body });
        expect(response.status).toBe(403);
      },
    );

    it('reads the organization and the topic catalogue', async () => {
      const organization = await t.request('GET', '/v1/organization', { key: session.token });
      expect(organization.status).toBe(200);
      expect(organization.body).toEqual({
        id: orgA,
        name: 'tenant-a',
        portalAllowedOrigins: [],
        outboundAllow: [],
      });
      expect((await t.request('GET', '/v1/topics', { key: session.token })).status).toBe(200);
    });
  });

  describe('a session limited to endpoints, with every permission a session may hold', () => {
    let session: Session;

    beforeAll(async () => {
      session = await createSession({
        permissions: [
          'WEBHOOK.READ',
          'WEBHOOK.CREATE',
          'WEBHOOK.UPDATE',
          'WEBHOOK.DELETE',
          'EVENT.PUBLISH',
          'EVENT.READ',
        ],
        endpointIds: [endpointA1, endpointA2],
      });
    });

    it('pages through its endpoints only', async () => {
      const first = await t.request('GET', '/v1/endpoints?limit=1', { key: session.token });
      expect(ids(first)).toEqual([endpointA1]);
      expect(first.body.nextCursor).toBe(endpointA1);
      const second = await t.request('GET', `/v1/endpoints?limit=1&cursor=${endpointA1}`, {
        key: session.token,
      });
      expect(ids(second)).toEqual([endpointA2]);
      const rest = await t.request('GET', `/v1/endpoints?limit=1&cursor=${endpointA2}`, {
        key: session.token,
      });
      expect(rest.body).toEqual({ data: [], nextCursor: null });
    });

    it('changes its endpoints, and nobody else’s (404)', async () => {
      const own = await t.request('PATCH', `/v1/endpoints/${endpointA2}`, {
        key: session.token,
        body: { description: 'through the portal' },
      });
      expect(own.status).toBe(200);
      const outside = await endpoint(keyA, 'A3');
      for (const [method, suffix, body] of [
        ['PATCH', '', { name: 'stolen' }],
        ['DELETE', '', undefined],
        ['POST', '/secret/rotate', { gracePeriodSeconds: 0 }],
      ] as const) {
        const response = await t.request(method, `/v1/endpoints/${outside}${suffix}`, {
          key: session.token,
          body,
        });
        expect(response.status).toBe(404);
      }
      expect((await t.request('GET', `/v1/endpoints/${outside}`, { key: keyA })).body.name).toBe(
        'A3',
      );
    });

    it('creates no endpoint and publishes no event (403), as it acts on some endpoints only', async () => {
      for (const [path, body] of [
        ['/v1/endpoints', endpointBody()],
        ['/v1/events', { topic: 'post.created', data: {} }],
        ['/v1/events/batch', { events: [{ topic: 'post.created', data: {} }] }],
      ] as const) {
        const response = await t.request('POST', path, { key: session.token, body });
        expect(response.status).toBe(403);
        expect(response.body.detail).toBe(
          'a portal session limited to some endpoints cannot do this',
        );
      }
    });

    it('answers a malformed id with 400, as for an API key', async () => {
      const response = await t.request('GET', '/v1/endpoints/not-an-id', { key: session.token });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('ID_INVALID');
    });
  });

  describe('a session for the whole organization', () => {
    it('creates endpoints and sees all of its organization’s, never another tenant’s', async () => {
      const session = await createSession({ permissions: ['WEBHOOK.READ', 'WEBHOOK.CREATE'] });
      const whoami = await t.request('GET', '/v1/whoami', { key: session.token });
      expect(whoami.body.endpointIds).toBeNull();
      const created = await t.request('POST', '/v1/endpoints', {
        key: session.token,
        body: endpointBody({ name: 'made in the portal' }),
      });
      expect(created.status).toBe(201);
      const list = await t.request('GET', '/v1/endpoints?limit=100', { key: session.token });
      expect(ids(list)).toEqual(expect.arrayContaining([endpointA1, endpointA2, created.body.id]));
      expect(ids(list)).not.toContain(endpointB1);
      const other = await t.request('GET', `/v1/endpoints/${endpointB1}`, { key: session.token });
      expect(other.status).toBe(404);
      const denied = await t.request('DELETE', `/v1/endpoints/${created.body.id}`, {
        key: session.token,
      });
      expect(denied.status).toBe(403);
      expect(denied.body.detail).toBe('this portal session lacks the WEBHOOK.DELETE permission');
    });
  });

  describe('what a session may hold', () => {
    it('needs PORTAL.CREATE', async () => {
      const key = await issueKey(['WEBHOOK.READ', 'APIKEY.MANAGE']);
      const response = await t.request('POST', '/v1/portal-sessions', {
        key,
        body: { permissions: ['WEBHOOK.READ'] },
      });
      expect(response.status).toBe(403);
      expect(response.body.detail).toBe('this API key lacks the PORTAL.CREATE permission');
    });

    it('holds no more than the key that makes it (403, nothing created)', async () => {
      const key = await issueKey(['PORTAL.CREATE', 'WEBHOOK.READ']);
      const before = await sessionCount();
      const response = await t.request('POST', '/v1/portal-sessions', {
        key,
        body: { permissions: ['WEBHOOK.READ', 'WEBHOOK.UPDATE'] },
      });
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({
        code: 'FORBIDDEN',
        detail: 'cannot grant permissions this key does not hold: WEBHOOK.UPDATE',
      });
      expect(await sessionCount()).toBe(before);
      expect(
        (
          await t.request('POST', '/v1/portal-sessions', {
            key,
            body: { permissions: ['WEBHOOK.READ'] },
          })
        ).status,
      ).toBe(201);
    });

    it.each([
      ['a lifetime under 300 s', 400, 'expiresInSeconds', { expiresInSeconds: 299 }],
      ['a lifetime over 7 days', 400, 'expiresInSeconds', { expiresInSeconds: 604801 }],
      ['a fractional lifetime', 400, 'expiresInSeconds', { expiresInSeconds: 300.5 }],
      ['no permissions', 400, 'permissions', { permissions: [] }],
      ['an unknown permission', 400, 'permissions', { permissions: ['WEBHOOK.ALL'] }],
      ['APIKEY.MANAGE', 400, 'permissions', { permissions: ['WEBHOOK.READ', 'APIKEY.MANAGE'] }],
      ['PORTAL.CREATE', 400, 'permissions', { permissions: ['PORTAL.CREATE'] }],
      ['ORGANIZATION.MANAGE', 400, 'permissions', { permissions: ['ORGANIZATION.MANAGE'] }],
      ['every permission', 400, 'permissions', { permissions: ['*'] }],
      ['an empty endpoint list', 400, 'endpointIds', { endpointIds: [] }],
      ['a malformed endpoint id', 400, 'endpointIds', { endpointIds: ['nope'] }],
      ['a plain-http refresh URL', 400, 'refreshUrl', { refreshUrl: 'http://app.example.com/' }],
      ['a relative refresh URL', 400, 'refreshUrl', { refreshUrl: '/settings' }],
      ['a colour name', 400, 'theme.accentColor', { theme: { accentColor: 'red' } }],
      ['a plain-http logo', 400, 'theme.logoUrl', { theme: { logoUrl: 'http://l.example/l.png' } }],
      ['an unknown mode', 400, 'theme.mode', { theme: { mode: 'sepia' } }],
      ['an unknown field', 400, 'scope', { scope: 'all' }],
    ])('refuses %s (%i naming %s; nothing created)', async (_, status, path, override) => {
      const before = await sessionCount();
      const response = await t.request('POST', '/v1/portal-sessions', {
        key: keyA,
        body: { permissions: ['WEBHOOK.READ'], ...override },
      });
      expect(response.status).toBe(status);
      expect(response.contentType).toContain('application/problem+json');
      expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      expect(await sessionCount()).toBe(before);
    });

    it('refuses endpoints its organization does not have (422, each named by index)', async () => {
      const before = await sessionCount();
      const response = await t.request('POST', '/v1/portal-sessions', {
        key: keyA,
        body: { permissions: ['WEBHOOK.READ'], endpointIds: [endpointA1, endpointB1, NO_ENDPOINT] },
      });
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('ENDPOINT_UNKNOWN');
      expect(response.body.errors).toEqual([
        expect.objectContaining({ path: 'endpointIds[1]', code: 'ENDPOINT_UNKNOWN' }),
        expect.objectContaining({ path: 'endpointIds[2]', code: 'ENDPOINT_UNKNOWN' }),
      ]);
      expect(await sessionCount()).toBe(before);
    });

    it('accepts the shortest and the longest lifetime', async () => {
      for (const seconds of [300, 604800]) {
        const session = await createSession({
          permissions: ['WEBHOOK.READ'],
          expiresInSeconds: seconds,
        });
        const lifetime = new Date(session.expiresAt).getTime() - Date.now();
        expect(lifetime).toBeGreaterThan((seconds - 10) * 1000);
        expect(lifetime).toBeLessThanOrEqual(seconds * 1000);
      }
    });
  });

  describe('the end of a session', () => {
    const setExpiry = (id: string, sql: string) =>
      t.dataSource.query(`UPDATE portal_sessions SET expires_at = ${sql} WHERE id = $1`, [id]);

    it('answers an expired session 401 PORTAL_SESSION_EXPIRED with its refresh URL', async () => {
      const session = await createSession({
        permissions: ['WEBHOOK.READ'],
        refreshUrl: 'https://app.example.com/renew',
      });
      await setExpiry(session.id, `now() - interval '1 second'`);
      const response = await t.request('GET', '/v1/endpoints', { key: session.token });
      expect(response.status).toBe(401);
      expect(response.contentType).toContain('application/problem+json');
      expect(response.body).toMatchObject({
        status: 401,
        code: 'PORTAL_SESSION_EXPIRED',
        refreshUrl: 'https://app.example.com/renew',
      });
      expect((await t.request('GET', '/v1/whoami', { key: session.token })).status).toBe(401);
    });

    it('ends at its expiry instant, though the guard has it cached', async () => {
      const session = await createSession({ permissions: ['WEBHOOK.READ'] });
      await setExpiry(session.id, `now() + interval '1500 milliseconds'`);
      const [{ expires_at: expiresAt }] = await t.dataSource.query(
        `SELECT expires_at FROM portal_sessions WHERE id = $1`,
        [session.id],
      );
      const before = await t.request('GET', '/v1/whoami', { key: session.token });
      expect(before.status).toBe(200);
      expect(before.body.portal.expiresAt).toBe(new Date(expiresAt).toISOString());
      await sleepUntil(new Date(expiresAt).getTime());
      const after = await t.request('GET', '/v1/whoami', { key: session.token });
      expect(after.status).toBe(401);
      expect(after.body).toMatchObject({ code: 'PORTAL_SESSION_EXPIRED', refreshUrl: null });
    });

    it('is refused at once once revoked, and revoking again changes nothing', async () => {
      const session = await createSession({ permissions: ['WEBHOOK.READ'] });
      expect((await t.request('GET', '/v1/endpoints', { key: session.token })).status).toBe(200);
      const revoked = await t.request('DELETE', `/v1/portal-sessions/${session.id}`, {
        key: keyA,
      });
      expect(revoked.status).toBe(204);
      const after = await t.request('GET', '/v1/endpoints', { key: session.token });
      expect(after.status).toBe(401);
      expect(after.body).toMatchObject({ code: 'PORTAL_SESSION_EXPIRED', refreshUrl: null });
      expect(
        (await t.request('DELETE', `/v1/portal-sessions/${session.id}`, { key: keyA })).status,
      ).toBe(204);
    });

    it('does not revoke another tenant’s session (404)', async () => {
      const session = await createSession({ permissions: ['WEBHOOK.READ'] }, keyB);
      const response = await t.request('DELETE', `/v1/portal-sessions/${session.id}`, {
        key: keyA,
      });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NOT_FOUND');
      expect((await t.request('GET', '/v1/whoami', { key: session.token })).status).toBe(200);
      expect(
        (await t.request('DELETE', `/v1/portal-sessions/${NO_ENDPOINT}`, { key: keyA })).status,
      ).toBe(404);
    });

    it('answers a token no session has 401 UNAUTHENTICATED', async () => {
      const response = await t.request('GET', '/v1/whoami', { key: `hkp_${'x'.repeat(43)}` });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('whoami for API keys', () => {
    it('names the key and its permissions, with no portal', async () => {
      const key = await issueKey(['WEBHOOK.READ', 'PORTAL.CREATE']);
      const response = await t.request('GET', '/v1/whoami', { key });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        organizationId: orgA,
        keyId: expect.stringMatching(ID),
        permissions: ['WEBHOOK.READ', 'PORTAL.CREATE'],
        endpointIds: null,
        portal: null,
      });
    });

    it('answers 401 without a key', async () => {
      expect((await t.request('GET', '/v1/whoami')).status).toBe(401);
    });
  });

  describe('through the SDK', () => {
    it('opens a session, the portal client reads its whoami, and revoking it ends it', async () => {
      const hy = new Hookyard({ apiKey: keyA, baseUrl: t.baseUrl });
      expect(
        await hy.organization.update({ portalAllowedOrigins: ['https://a.example.com'] }),
      ).toEqual({
        id: orgA,
        name: 'tenant-a',
        portalAllowedOrigins: ['https://a.example.com'],
        outboundAllow: [],
      });
      expect((await hy.organization.get()).portalAllowedOrigins).toEqual(['https://a.example.com']);
      await hy.organization.update({ portalAllowedOrigins: [] });
      const session = await hy.portalSessions.create({
        permissions: ['WEBHOOK.READ'],
        endpointIds: [endpointA1],
        refreshUrl: 'https://app.example.com/renew',
      });
      const portal = new Hookyard({ apiKey: session.token, baseUrl: t.baseUrl });
      expect(await portal.whoami()).toMatchObject({
        keyId: null,
        endpointIds: [endpointA1],
        portal: { sessionId: session.id, refreshUrl: 'https://app.example.com/renew' },
      });
      expect((await hy.whoami()).portal).toBeNull();
      await hy.portalSessions.revoke(session.id);
      const error = await portal.whoami().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HookyardError);
      expect(error).toMatchObject({ status: 401, code: 'PORTAL_SESSION_EXPIRED' });
      expect((error as HookyardError).problem).toMatchObject({
        refreshUrl: 'https://app.example.com/renew',
      });
    });
  });

  describe('the organization', () => {
    it('changes its allowed portal origins with ORGANIZATION.MANAGE', async () => {
      const origins = ['https://app.example.com', 'http://localhost:5173'];
      const updated = await t.request('PATCH', '/v1/organization', {
        key: keyA,
        body: { portalAllowedOrigins: origins },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toEqual({
        id: orgA,
        name: 'tenant-a',
        portalAllowedOrigins: origins,
        outboundAllow: [],
      });
      expect((await t.request('GET', '/v1/organization', { key: keyA })).body).toEqual(
        updated.body,
      );
      const otherTenant = await t.request('GET', '/v1/organization', { key: keyB });
      expect(otherTenant.body.portalAllowedOrigins).toEqual([]);
      const cleared = await t.request('PATCH', '/v1/organization', {
        key: keyA,
        body: { portalAllowedOrigins: [] },
      });
      expect(cleared.body.portalAllowedOrigins).toEqual([]);
    });

    it('refuses an origin that is not one, naming it by index', async () => {
      const response = await t.request('PATCH', '/v1/organization', {
        key: keyA,
        body: { portalAllowedOrigins: ['https://app.example.com', 'https://app.example.com/x'] },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { path: string }) => e.path)).toEqual([
        'portalAllowedOrigins[1]',
      ]);
    });

    it('needs ORGANIZATION.MANAGE to change, WEBHOOK.READ to read', async () => {
      const reader = await issueKey(['WEBHOOK.READ']);
      expect((await t.request('GET', '/v1/organization', { key: reader })).status).toBe(200);
      const denied = await t.request('PATCH', '/v1/organization', {
        key: reader,
        body: { portalAllowedOrigins: [] },
      });
      expect(denied.status).toBe(403);
    });
  });
});

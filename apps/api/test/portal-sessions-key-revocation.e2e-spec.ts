import { Hookyard } from '@hookyard/sdk';
import { eventually, startTestApp, type TestApp } from './harness';
import { type BuiltApi, startBuiltApi, stopChild } from './worker-process';

interface Session {
  readonly id: string;
  readonly token: string;
  readonly expiresAt: string;
}

/**
 * A portal session lasts no longer than the key that made it: revoking the key ends its sessions at
 * once in the process that revoked it and within the caches' 5 s in another API process (the built
 * app, on the same database). The organization lists its live sessions, never their tokens.
 */
describe('portal sessions end with the key that made them', () => {
  let t: TestApp;
  let other: BuiltApi;
  let otherBase: string;
  let admin: string;

  const issueKey = async (name: string) => {
    const response = await t.request('POST', '/v1/api-keys', {
      key: admin,
      body: { name, permissions: ['PORTAL.CREATE', 'WEBHOOK.READ'] },
    });
    expect(response.status).toBe(201);
    return response.body as { id: string; key: string };
  };

  /** `POST /v1/portal-sessions` with `key`, on this process or the other one. */
  const post = async (key: string, base = t.baseUrl) => {
    const response = await fetch(`${base}/v1/portal-sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ permissions: ['WEBHOOK.READ'] }),
    });
    return { status: response.status, body: (await response.json()) as Session };
  };

  const mint = async (key: string, base = t.baseUrl): Promise<Session> => {
    const response = await post(key, base);
    expect(response.status).toBe(201);
    return response.body;
  };

  /** `GET /v1/endpoints` with `token`, on this process or the other one. */
  const statusOf = async (token: string, base = t.baseUrl) =>
    (await fetch(`${base}/v1/endpoints`, { headers: { authorization: `Bearer ${token}` } })).status;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await t.createOrganization('tenant')).apiKey;
    other = await startBuiltApi(t, { HOOKYARD_RATE_LIMIT_PER_SECOND: '0' });
    otherBase = other.base;
  }, 60_000);

  afterAll(async () => {
    if (other) await stopChild(other.child);
    await t?.close();
  });

  it('X3 revoking a key answers 401 to its sessions at once here and within 5 s in another API process, where it can mint no more; the list shows live sessions without tokens, and another key’s session survives', async () => {
    const revoked = await issueKey('revoked');
    const kept = await issueKey('kept');
    const ofRevoked = await mint(revoked.key);
    const ofKept = await mint(kept.key);
    const ofAdmin = await mint(admin);
    // Made on the other process, which now holds the key in its cache too.
    const ofRevokedThere = await mint(revoked.key, otherBase);
    for (const base of [t.baseUrl, otherBase]) {
      // Both processes now hold the sessions in their caches.
      expect(await statusOf(ofRevoked.token, base)).toBe(200);
      expect(await statusOf(ofRevokedThere.token, base)).toBe(200);
      expect(await statusOf(ofKept.token, base)).toBe(200);
    }

    const listed = await t.request('GET', '/v1/portal-sessions', { key: admin });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([
      ofRevokedThere.id,
      ofAdmin.id,
      ofKept.id,
      ofRevoked.id,
    ]);
    expect(listed.body.data[3]).toEqual({
      id: ofRevoked.id,
      endpointIds: null,
      permissions: ['WEBHOOK.READ'],
      createdByKeyId: revoked.id,
      createdAt: expect.any(String),
      expiresAt: ofRevoked.expiresAt,
    });
    for (const session of [ofRevoked, ofRevokedThere, ofKept, ofAdmin])
      expect(listed.text).not.toContain(session.token);

    const revocation = await t.request('DELETE', `/v1/api-keys/${revoked.id}`, { key: admin });
    expect(revocation.status).toBe(204);
    const here = await t.request('GET', '/v1/endpoints', { key: ofRevoked.token });
    expect(here.status).toBe(401);
    expect(here.body.code).toBe('PORTAL_SESSION_EXPIRED');
    // The other process may still take the key from its cache, but it can no longer mint with it.
    expect((await post(revoked.key, otherBase)).status).toBe(401);
    await eventually(async () => {
      for (const session of [ofRevoked, ofRevokedThere])
        expect(await statusOf(session.token, otherBase)).toBe(401);
    });
    expect(await statusOf(ofRevokedThere.token)).toBe(401);

    for (const base of [t.baseUrl, otherBase]) expect(await statusOf(ofKept.token, base)).toBe(200);
    const after = await t.request('GET', '/v1/portal-sessions', { key: admin });
    expect(after.body.data.map((s: { id: string }) => s.id)).toEqual([ofAdmin.id, ofKept.id]);
  });

  it('X3 lists newest first in keyset pages, only to a caller that may create sessions', async () => {
    const first = await t.request('GET', '/v1/portal-sessions?limit=1', { key: admin });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.request(
      'GET',
      `/v1/portal-sessions?limit=1&cursor=${first.body.nextCursor}`,
      { key: admin },
    );
    expect(second.status).toBe(200);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.data[0].id < first.body.data[0].id).toBe(true);
    const hy = new Hookyard({ apiKey: admin, baseUrl: t.baseUrl });
    const all = await hy.portalSessions.list({ limit: 1 }).toArray();
    expect(all.map((s) => s.id)).toEqual([first.body.data[0].id, second.body.data[0].id]);

    const reader = await t.request('POST', '/v1/api-keys', {
      key: admin,
      body: { name: 'reader', permissions: ['WEBHOOK.READ'] },
    });
    const refused = await t.request('GET', '/v1/portal-sessions', { key: reader.body.key });
    expect(refused.status).toBe(403);
    const badCursor = await t.request('GET', '/v1/portal-sessions?cursor=nope!', { key: admin });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.code).toBe('PAGINATION_INVALID');
  });
});

import { DELIVERY_ENV, startTestApp, type TestApp } from './harness';
import { Receiver } from './receiver';

const PASSWORD = 'CanaryOriginPw1';
const API_KEY = 'CanaryOriginKey1';
const HEADER_VALUE = 'CanaryOriginHeader1';
const SECRETS = [
  PASSWORD,
  API_KEY,
  HEADER_VALUE,
  Buffer.from(`erin:${PASSWORD}`).toString('base64'),
];

/**
 * Credentials stored for one origin never follow the URL to another: `home` is the origin they were
 * given for, `elsewhere` (another port on 127.0.0.1) the one an attacker with WEBHOOK.UPDATE points
 * the endpoint at.
 */
describe('X1 stored credentials are bound to the origin they were given for', () => {
  let t: TestApp;
  let home: Receiver;
  let elsewhere: Receiver;
  let key: string;

  beforeAll(async () => {
    home = await new Receiver().start();
    elsewhere = await new Receiver().start();
    t = await startTestApp(DELIVERY_ENV, { worker: true });
    key = (await t.createOrganization()).apiKey;
  });

  afterAll(async () => {
    await t?.close();
    await home?.stop();
    await elsewhere?.stop();
  });

  const create = async (path: string, body: Record<string, unknown>) => {
    const created = await t.request('POST', '/v1/endpoints', {
      key,
      body: { url: home.url(path), topics: ['post.created'], ...body },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const publish = async () => {
    const published = await t.request('POST', '/v1/events', {
      key,
      body: { topic: 'post.created', data: { at: Date.now() } },
    });
    expect(published.status).toBe(202);
    return published.body.id as string;
  };
  /** The canary values a receiver saw anywhere, basic-auth credentials decoded. */
  const leaked = (receiver: Receiver) => {
    const decoded = receiver.ledger.map((r) =>
      Buffer.from(String(r.headers['authorization'] ?? '').replace(/^Basic /, ''), 'base64'),
    );
    const seen = JSON.stringify(receiver.ledger) + decoded.join('\n');
    return SECRETS.filter((secret) => seen.includes(secret));
  };

  it('X1 refuses a native PATCH that moves the origin without the credentials, and nothing reaches the new origin', async () => {
    const basic = await create('/ok?basic', {
      authentication: { type: 'basic', username: 'erin', password: PASSWORD },
      requestConfig: { headers: { 'X-Customer-Token': HEADER_VALUE, 'X-Tenant': 'acme' } },
    });
    const keyed = await create('/ok?keyed', {
      authentication: { type: 'api_key', headerName: 'X-Receiver-Key', apiKey: API_KEY },
    });

    const movedBasic = await t.request('PATCH', `/v1/endpoints/${basic}`, {
      key,
      body: { url: elsewhere.url('/ok?basic') },
    });
    expect(movedBasic.status).toBe(400);
    expect(movedBasic.body).toMatchObject({ code: 'CREDENTIALS_ORIGIN_CHANGED' });
    expect(movedBasic.body.errors).toEqual([
      expect.objectContaining({
        path: 'authentication.password',
        code: 'CREDENTIALS_ORIGIN_CHANGED',
      }),
      expect.objectContaining({
        path: 'requestConfig.headers.X-Customer-Token',
        code: 'CREDENTIALS_ORIGIN_CHANGED',
      }),
    ]);
    const movedKeyed = await t.request('PATCH', `/v1/endpoints/${keyed}`, {
      key,
      body: { url: elsewhere.url('/ok?keyed'), name: 'moved' },
    });
    expect(movedKeyed.status).toBe(400);
    expect(movedKeyed.body.errors).toEqual([
      expect.objectContaining({ path: 'authentication.apiKey' }),
    ]);
    for (const [id, path] of [
      [basic, '/ok?basic'],
      [keyed, '/ok?keyed'],
    ] as const) {
      const stored = await t.request('GET', `/v1/endpoints/${id}`, { key });
      expect(stored.body).toMatchObject({ url: home.url(path) });
      expect(stored.body.name).not.toBe('moved');
    }

    const tested = await t.request('POST', `/v1/endpoints/${basic}/test`, { key, body: {} });
    expect(tested.status).toBe(200);
    const eventId = await publish();
    await home.waitFor(
      (ledger) =>
        ledger.some((r) => r.path === '/ok?basic' && r.webhookId === eventId) &&
        ledger.some((r) => r.path === '/ok?keyed' && r.webhookId === eventId),
    );
    expect(home.receipts('/ok?basic')).toHaveLength(2);
    // The credentials were there to take: home, their origin, got every one of them.
    expect(leaked(home)).toEqual(SECRETS);
    expect(elsewhere.ledger).toEqual([]);
  });

  it('X1 keeps the credentials on a path-only change, and lets a change that gives or clears them move the origin', async () => {
    const basic = await create('/ok?path-basic', {
      authentication: { type: 'basic', username: 'erin', password: PASSWORD },
      requestConfig: { headers: { 'X-Customer-Token': HEADER_VALUE } },
    });
    const keyed = await create('/ok?path-keyed', {
      authentication: { type: 'api_key', headerName: 'X-Receiver-Key', apiKey: API_KEY },
    });

    const samePort = await t.request('PATCH', `/v1/endpoints/${basic}`, {
      key,
      body: { url: home.url('/ok?path-moved') },
    });
    expect(samePort.status).toBe(200);
    const first = await publish();
    await home.waitFor((ledger) =>
      ledger.some((r) => r.path === '/ok?path-moved' && r.webhookId === first),
    );
    const kept = home.receipts('/ok?path-moved')[0];
    expect(kept?.headers['authorization']).toBe(
      `Basic ${Buffer.from(`erin:${PASSWORD}`).toString('base64')}`,
    );
    expect(kept?.headers['x-customer-token']).toBe(HEADER_VALUE);

    const cleared = await t.request('PATCH', `/v1/endpoints/${basic}`, {
      key,
      body: {
        url: elsewhere.url('/ok?cleared'),
        authentication: { type: 'none' },
        requestConfig: { headers: {} },
      },
    });
    expect(cleared.status).toBe(200);
    const resupplied = await t.request('PATCH', `/v1/endpoints/${keyed}`, {
      key,
      body: {
        url: elsewhere.url('/ok?resupplied'),
        authentication: { type: 'api_key', headerName: 'X-Receiver-Key', apiKey: 'NewOriginKey' },
      },
    });
    expect(resupplied.status).toBe(200);
    const second = await publish();
    await elsewhere.waitFor((ledger) => ledger.filter((r) => r.webhookId === second).length === 2);
    expect(elsewhere.receipts('/ok?resupplied')[0]?.headers['x-receiver-key']).toBe('NewOriginKey');
    expect(elsewhere.receipts('/ok?cleared')[0]?.headers['authorization']).toBeUndefined();
    expect(leaked(elsewhere)).toEqual([]);
  });

  it('X1 refuses the move to an endpoint-scoped portal session, which holds WEBHOOK.UPDATE', async () => {
    const id = await create('/ok?portal', {
      authentication: { type: 'api_key', headerName: 'X-Receiver-Key', apiKey: API_KEY },
    });
    const minted = await t.request('POST', '/v1/portal-sessions', {
      key,
      body: { permissions: ['WEBHOOK.READ', 'WEBHOOK.UPDATE'], endpointIds: [id] },
    });
    expect(minted.status).toBe(201);
    const portal = minted.body.token as string;

    const moved = await t.request('PATCH', `/v1/endpoints/${id}`, {
      key: portal,
      body: { url: elsewhere.url('/ok?portal') },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.errors).toEqual([
      expect.objectContaining({
        path: 'authentication.apiKey',
        code: 'CREDENTIALS_ORIGIN_CHANGED',
      }),
    ]);
    const tested = await t.request('POST', `/v1/endpoints/${id}/test`, { key: portal, body: {} });
    expect(tested.status).toBe(200);
    expect(home.receipts('/ok?portal')[0]?.headers['x-receiver-key']).toBe(API_KEY);
    expect(elsewhere.receipts('/ok?portal')).toEqual([]);
  });

  it('X1 refuses the same move through the platform dialect, and send-test still goes to the old origin', async () => {
    const created = await t.request('POST', '/platform/v1/webhooks', {
      key,
      body: {
        url: home.url('/ok?platform'),
        name: 'platform',
        reference: 'ref-origin',
        authentication_type: 'PASSWORD',
        username: 'erin',
        password: PASSWORD,
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const moved = await t.request('PATCH', `/platform/v1/webhooks/${id}`, {
      key,
      body: { url: elsewhere.url('/ok?platform'), authentication_type: 'PASSWORD' },
    });
    expect(moved.status).toBe(400);
    expect(moved.body).toMatchObject({
      type: 'INVALID_REQUEST',
      code: 'INVALID_FIELD',
      field: 'password',
    });
    const stored = await t.request('GET', `/platform/v1/webhooks/${id}`, { key });
    expect(stored.body.url).toBe(home.url('/ok?platform'));

    const before = elsewhere.ledger.length;
    const tested = await t.request('POST', `/platform/v1/webhooks/${id}/send-test`, { key });
    expect(tested.body).toMatchObject({ successful: true });
    expect(home.receipts('/ok?platform')).toHaveLength(1);
    expect(home.receipts('/ok?platform')[0]?.headers['authorization']).toContain('Basic ');
    expect(elsewhere.ledger).toHaveLength(before);
    expect(leaked(elsewhere)).toEqual([]);
  });

  it('X1 refuses the move through the Featurebase dialect, naming the header in its own error shape', async () => {
    const created = await t.request('POST', '/featurebase/v2/webhooks', {
      key,
      body: {
        name: 'featurebase',
        url: 'https://hooks.example.com/in',
        topics: ['post.created'],
        requestConfig: { headers: { 'X-Customer-Token': HEADER_VALUE } },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const moved = await t.request('PATCH', `/featurebase/v2/webhooks/${id}`, {
      key,
      body: { url: 'https://elsewhere.example.com/in' },
    });
    expect(moved.status).toBe(400);
    expect(moved.body).toEqual({
      error: expect.objectContaining({
        type: 'invalid_request',
        code: 'credentials_origin_changed',
        param: 'requestConfig.headers.X-Customer-Token',
        status: 400,
      }),
    });
    const stored = await t.request('GET', `/featurebase/v2/webhooks/${id}`, { key });
    expect(stored.body.url).toBe('https://hooks.example.com/in');

    const pathOnly = await t.request('PATCH', `/featurebase/v2/webhooks/${id}`, {
      key,
      body: { url: 'https://hooks.example.com/other' },
    });
    expect(pathOnly.status).toBe(200);
  });
});

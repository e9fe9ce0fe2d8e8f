import { ApiKeyService } from '@hookyard/api';
import { DELIVERY_ENV, endpointBody, eventually, startTestApp, type TestApp } from './harness';
import { Receiver } from './receiver';

const PLATFORM = '/platform/v1/webhooks';
const OBJECT_ID = /^[0-9a-f]{24}$/;

describe('platform dialect: the /webhooks resource', () => {
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  let organizationId: string;
  let operatorKey: string;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp({ ...DELIVERY_ENV, HOOKYARD_PENALTY_AFTER: '2' }, { worker: true });
    ({ apiKey: key, organizationId } = await t.createOrganization());
    operatorKey = (await t.app.get(ApiKeyService).create(null, 'operator', ['*'], new Date())).key;
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  const createBody = (overrides: Record<string, unknown> = {}) => ({
    url: receiver.url('/ok?platform-api'),
    name: 'Billing',
    reference: 'billing-1',
    ...overrides,
  });
  const create = async (overrides: Record<string, unknown> = {}, apiKey = key) => {
    const created = await t.request('POST', PLATFORM, { key: apiKey, body: createBody(overrides) });
    expect(created.status).toBe(201);
    return created.body as Record<string, unknown> & { id: string };
  };
  const count = async (apiKey = key) =>
    (await t.request('GET', `${PLATFORM}?limit=100`, { key: apiKey })).body.data.length as number;

  it('creates a webhook in the platform shape, with fifo ordering and every action by default', async () => {
    const created = await create({
      included_actions: ['post.created', 'CONVERSATION.ADMIN.REPLIED'],
      excluded_actions: ['POST.*'],
      email: 'ops@example.com',
    });
    expect(created).toMatchObject({
      object_type: 'WEBHOOK',
      id: expect.stringMatching(OBJECT_ID),
      name: 'Billing',
      reference: 'billing-1',
      email: 'ops@example.com',
      active: true,
      include_previous_data: false,
      authentication_type: 'NONE',
      username: null,
      api_header_field: null,
      included_actions: ['POST.CREATED', 'CONVERSATION.ADMIN.REPLIED'],
      excluded_actions: ['POST.*'],
      signing_protocol: 'HmacSHA256',
      previous_signing_protocol: null,
      secret_key: expect.stringMatching(/^whsec_/),
      previous_secret_key: null,
      secret_rolled_at: null,
      penalty_box: null,
      penalty_box_data: null,
      ordering: 'fifo',
    });
    const all = await create({ reference: 'all' });
    expect(all.included_actions).toEqual(['*']);
    expect(all).not.toHaveProperty('password');
    expect(all).not.toHaveProperty('api_key');
  });

  it('answers 400 naming the field for each missing field, format rule and credential mix-up, changing nothing', async () => {
    const before = await count();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ url: undefined }, 'MISSING_FIELD', 'url'],
      [{ name: undefined }, 'MISSING_FIELD', 'name'],
      [{ reference: undefined }, 'MISSING_FIELD', 'reference'],
      [{ url: 'not a url' }, 'INVALID_FIELD', 'url'],
      [{ authentication_type: 'TOKEN' }, 'INVALID_FIELD', 'authentication_type'],
      [{ authentication_type: 'PASSWORD', password: 'pw' }, 'MISSING_FIELD', 'username'],
      [{ authentication_type: 'PASSWORD', username: 'u' }, 'MISSING_FIELD', 'password'],
      [{ authentication_type: 'API_KEY', api_key: 'k1' }, 'MISSING_FIELD', 'api_header_field'],
      [{ authentication_type: 'API_KEY', api_header_field: 'X-K' }, 'MISSING_FIELD', 'api_key'],
      [{ username: 'u', password: 'p' }, 'MISSING_FIELD', 'authentication_type'],
      [{ authentication_type: 'NONE', api_key: 'abc' }, 'INVALID_FIELD', 'api_key'],
      [
        { authentication_type: 'PASSWORD', username: 'u', password: 'p', api_key: 'abc' },
        'INVALID_FIELD',
        'api_key',
      ],
      [
        { authentication_type: 'API_KEY', api_header_field: 'X-K', api_key: 'k', password: 'p' },
        'INVALID_FIELD',
        'password',
      ],
      [
        { authentication_type: 'PASSWORD', username: 'bad user', password: 'p' },
        'INVALID_FIELD',
        'username',
      ],
      [
        { authentication_type: 'PASSWORD', username: 'u', password: 'x'.repeat(257) },
        'INVALID_FIELD',
        'password',
      ],
      [
        { authentication_type: 'API_KEY', api_header_field: 'X Key', api_key: 'k' },
        'INVALID_FIELD',
        'api_header_field',
      ],
      [
        { authentication_type: 'API_KEY', api_header_field: 'X-Key', api_key: 'not-alnum' },
        'INVALID_FIELD',
        'api_key',
      ],
      [{ included_actions: ['NO.SUCH_ACTION'] }, 'INVALID_FIELD', 'included_actions[0]'],
      [{ signing_protocol: 'RSA' }, 'INVALID_FIELD', 'signing_protocol'],
      [{ ordering: 'lifo' }, 'INVALID_FIELD', 'ordering'],
      [{ email: 'nobody' }, 'INVALID_FIELD', 'email'],
      [{ penalty_box_data: { retry_count: 1 } }, 'INVALID_FIELD', 'penalty_box_data'],
      [{ url: 'http://10.0.0.1/hook' }, 'INVALID_FIELD', 'url'],
    ];
    for (const [overrides, code, field] of cases) {
      const response = await t.request('POST', PLATFORM, { key, body: createBody(overrides) });
      expect({ overrides, status: response.status, body: response.body }).toMatchObject({
        status: 400,
        body: { type: 'INVALID_REQUEST', code, field },
      });
      expect(response.body.message).toEqual(expect.any(String));
    }
    expect(await count()).toBe(before);

    const made = await create({
      authentication_type: 'PASSWORD',
      username: 'keeper',
      password: 'Secret1',
    });
    const shownBefore = await t.request('GET', `${PLATFORM}/${made.id}`, { key });
    for (const [body, code, field] of [
      [{ authentication_type: 'API_KEY', api_key: 'abc' }, 'MISSING_FIELD', 'api_header_field'],
      [{ password: 'new' }, 'MISSING_FIELD', 'authentication_type'],
      [{ url: 'ftp://example.com' }, 'INVALID_FIELD', 'url'],
      [{ signing_protocol: 'Ed25519' }, 'INVALID_FIELD', 'signing_protocol'],
      [{ name: '' }, 'INVALID_FIELD', 'name'],
    ] as const) {
      const response = await t.request('PATCH', `${PLATFORM}/${made.id}`, { key, body });
      expect({ body, status: response.status, error: response.body }).toMatchObject({
        status: 400,
        error: { code, field },
      });
      const roll = await t.request('PATCH', `${PLATFORM}/${made.id}/secret-key`, {
        key,
        body: { active: true, include_previous_data: false, ...body },
      });
      expect(roll.status).toBe(400);
    }
    const missingRoll = await t.request('PATCH', `${PLATFORM}/${made.id}/secret-key`, {
      key,
      body: { active: true, authentication_type: 'NONE' },
    });
    expect(missingRoll.body).toMatchObject({
      code: 'MISSING_FIELD',
      field: 'include_previous_data',
    });
    expect((await t.request('GET', `${PLATFORM}/${made.id}`, { key })).body).toEqual(
      shownBefore.body,
    );
  });

  it('updates partially, keeps stored credentials on a same-type roll, and deletes answering the webhook', async () => {
    const made = await create({
      authentication_type: 'API_KEY',
      api_header_field: 'X-Token',
      api_key: 'abc123',
    });
    const patched = await t.request('PATCH', `${PLATFORM}/${made.id}`, {
      key,
      body: { name: 'Renamed', active: false, included_actions: ['TICKET.*'] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Renamed',
      active: false,
      status: 'PAUSED',
      reference: 'billing-1',
      included_actions: ['TICKET.*'],
      authentication_type: 'API_KEY',
      api_header_field: 'X-Token',
    });
    const rolled = await t.request('PATCH', `${PLATFORM}/${made.id}/secret-key`, {
      key,
      body: { active: true, include_previous_data: true, authentication_type: 'API_KEY' },
    });
    expect(rolled.body).toMatchObject({
      active: true,
      include_previous_data: true,
      api_header_field: 'X-Token',
      previous_secret_key: made.secret_key,
    });
    const deleted = await t.request('DELETE', `${PLATFORM}/${made.id}`, { key });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ object_type: 'WEBHOOK', id: made.id, name: 'Renamed' });
    const gone = await t.request('GET', `${PLATFORM}/${made.id}`, { key });
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({
      type: 'INVALID_REQUEST',
      code: 'RESOURCE_NOT_FOUND',
      resource_id: made.id,
      resource_type: 'WEBHOOK',
    });
  });

  it('lists numbered pages with links, ordered by name or creation', async () => {
    const { apiKey } = await t.createOrganization('paging');
    for (const name of ['Charlie', 'Alpha', 'Bravo']) await create({ name }, apiKey);
    const first = await t.request(
      'GET',
      `${PLATFORM}?limit=2&page=1&order_by=name&order_direction=asc`,
      { key: apiKey },
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ limit: 2, page: 1, total_number_of_pages: 2 });
    expect(first.body.data.map((w: { name: string }) => w.name)).toEqual(['Alpha', 'Bravo']);
    expect(first.body.links).toEqual({
      first: `${PLATFORM}?limit=2&page=1&order_by=name&order_direction=asc`,
      previous: null,
      current: `${PLATFORM}?limit=2&page=1&order_by=name&order_direction=asc`,
      next: `${PLATFORM}?limit=2&page=2&order_by=name&order_direction=asc`,
    });
    const second = await t.request('GET', first.body.links.next as string, { key: apiKey });
    expect(second.body.data.map((w: { name: string }) => w.name)).toEqual(['Charlie']);
    expect(second.body.links.next).toBeNull();
    const newest = await t.request('GET', `${PLATFORM}?order_direction=desc`, { key: apiKey });
    expect(newest.body.data.map((w: { name: string }) => w.name)).toEqual([
      'Bravo',
      'Alpha',
      'Charlie',
    ]);
    for (const query of ['limit=0', 'limit=101', 'page=0', 'order_by=url', 'order_direction=up']) {
      const bad = await t.request('GET', `${PLATFORM}?${query}`, { key: apiKey });
      expect({ query, status: bad.status, code: bad.body.code }).toEqual({
        query,
        status: 400,
        code: 'INVALID_FIELD',
      });
    }
  });

  it('scopes operator keys to the x-platform-id tenant and answers 404 for another tenant', async () => {
    const other = await t.createOrganization('other tenant');
    const theirs = await create({ reference: 'theirs' }, other.apiKey);
    const mine = await create({ reference: 'mine' });

    const noHeader = await t.request('GET', PLATFORM, { key: operatorKey });
    expect(noHeader.status).toBe(400);
    expect(noHeader.body).toMatchObject({ code: 'MISSING_FIELD', field: 'x-platform-id' });

    const asMine = await t.request('GET', `${PLATFORM}?limit=100`, {
      key: operatorKey,
      headers: { 'x-platform-id': organizationId },
    });
    const ids = asMine.body.data.map((w: { id: string }) => w.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    const crossRead = await t.request('GET', `${PLATFORM}/${theirs.id}`, {
      key: operatorKey,
      headers: { 'x-platform-id': organizationId },
    });
    expect(crossRead.status).toBe(404);
    const made = await t.request('POST', PLATFORM, {
      key: operatorKey,
      headers: { 'x-platform-id': other.organizationId },
      body: createBody({ reference: 'by-operator' }),
    });
    expect(made.status).toBe(201);
    const theirList = await t.request('GET', `${PLATFORM}?limit=100`, { key: other.apiKey });
    expect(theirList.body.data.map((w: { id: string }) => w.id)).toContain(made.body.id);
    const unknown = await t.request('GET', PLATFORM, {
      key: operatorKey,
      headers: { 'x-platform-id': 'f'.repeat(24) },
    });
    expect(unknown.status).toBe(404);

    const tenantNamingOther = await t.request('GET', PLATFORM, {
      key,
      headers: { 'x-platform-id': other.organizationId },
    });
    expect(tenantNamingOther.status).toBe(404);
    expect(tenantNamingOther.body.code).toBe('RESOURCE_NOT_FOUND');
    const tenantNamingItself = await t.request('GET', `${PLATFORM}/${mine.id}`, {
      key,
      headers: { 'x-platform-id': organizationId },
    });
    expect(tenantNamingItself.status).toBe(200);
    const tenantDeletingOthers = await t.request('DELETE', `${PLATFORM}/${theirs.id}`, { key });
    expect(tenantDeletingOthers.status).toBe(404);
    expect((await t.request('GET', `${PLATFORM}/${theirs.id}`, { key: other.apiKey })).status).toBe(
      200,
    );
  });

  it('answers errors in the platform shape with X-REQUEST-ID, and 404 naming the versions for another version', async () => {
    const unauthenticated = await t.request('GET', PLATFORM);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body).toMatchObject({ type: 'INVALID_REQUEST', code: 'UNAUTHORISED' });
    const readOnly = await t.request('POST', '/v1/api-keys', {
      key,
      body: { name: 'viewer', permissions: ['WEBHOOK.VIEW'] },
    });
    expect(readOnly.status).toBe(201);
    const viewer = readOnly.body.key as string;
    expect((await t.request('GET', PLATFORM, { key: viewer })).status).toBe(200);
    const forbidden = await t.request('POST', PLATFORM, { key: viewer, body: createBody() });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('USER_NOT_ALLOWED');
    const v2 = await t.request('GET', '/platform/v2/webhooks', { key });
    expect(v2.status).toBe(404);
    expect(v2.body.code).toBe('RESOURCE_NOT_FOUND');
    expect(v2.body.message).toContain('v1');
    const response = await fetch(`${t.baseUrl}${PLATFORM}`, {
      headers: { 'x-api-key': key },
    });
    expect(response.headers.get('x-request-id')).toEqual(expect.any(String));
    const malformed = await t.request('POST', PLATFORM, { key, rawBody: '{"url":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toBe('INVALID_REQUEST');
  });

  it('lists the actions by object type', async () => {
    const actions = await t.request('GET', `${PLATFORM}/actions`, { key });
    expect(actions.status).toBe(200);
    const post = actions.body.data.find((g: { object_type: string }) => g.object_type === 'POST');
    expect(post.actions).toEqual(expect.arrayContaining(['POST.CREATED', 'POST.UPDATED']));
    const all = actions.body.data.flatMap((g: { actions: string[] }) => g.actions);
    expect(all).toContain('CONVERSATION.ADMIN.REPLIED');
    expect(all.every((a: string) => a === a.toUpperCase())).toBe(true);
  });

  it('tests a create body before creating, with the SSRF guard, and sends tests without touching health', async () => {
    const before = await count();
    const ok = await t.request('POST', `${PLATFORM}/test-connection`, {
      key,
      body: createBody({ url: receiver.url('/ok?test-connection') }),
    });
    expect(ok.body).toMatchObject({ successful: true, message: expect.stringContaining('200') });
    expect(receiver.receipts('/ok?test-connection')).toHaveLength(1);
    const failing = await t.request('POST', `${PLATFORM}/test-connection`, {
      key,
      body: createBody({ url: receiver.url('/status/500?test-connection') }),
    });
    expect(failing.body).toMatchObject({ successful: false });
    const guarded = await t.request('POST', `${PLATFORM}/test-connection`, {
      key,
      body: createBody({ url: 'http://169.254.169.254/latest' }),
    });
    expect(guarded.status).toBe(400);
    expect(guarded.body.field).toBe('url');
    expect(await count()).toBe(before);

    const made = await create({ url: receiver.url('/status/500?send-test') });
    const tested = await t.request('POST', `${PLATFORM}/${made.id}/send-test`, { key });
    expect(tested.body).toMatchObject({ successful: false });
    const after = await t.request('GET', `/v1/endpoints/${made.id}`, { key });
    expect(after.body.health.consecutiveFailures).toBe(0);
  });

  it('shows the penalty box, probes it on request and releases it with penalty_box_data: null', async () => {
    const path = '/status/500?penalty';
    const made = await create({ url: receiver.url(path), ordering: 'none' });
    const notBoxed = await t.request('POST', `${PLATFORM}/${made.id}/send-penalty-box-payload`, {
      key,
    });
    expect(notBoxed.status).toBe(409);
    expect(notBoxed.body.code).toBe('CONFLICT');
    for (const n of [1, 2]) {
      await t.request('POST', '/v1/events', { key, body: { topic: 'post.created', data: { n } } });
    }
    await receiver.waitFor(() => receiver.receipts(path).length >= 2);
    let boxed: Record<string, unknown> = {};
    await eventually(async () => {
      boxed = (await t.request('GET', `${PLATFORM}/${made.id}`, { key })).body;
      expect(boxed.penalty_box).toBe('ACTIVE');
    }, 10_000);
    expect(boxed).toMatchObject({
      penalty_box: 'ACTIVE',
      penalty_box_data: {
        retry_count: 2,
        retry_at: expect.any(String),
        cause: 'HTTP 500',
        payload: { type: 'POST.CREATED', data: { n: 1 } },
      },
    });
    const seen = receiver.receipts(path).length;
    const probed = await t.request('POST', `${PLATFORM}/${made.id}/send-penalty-box-payload`, {
      key,
    });
    expect(probed.status).toBe(200);
    expect(probed.body.successful).toBe(true);
    await receiver.waitFor(() => receiver.receipts(path).length > seen);

    const released = await t.request('PATCH', `${PLATFORM}/${made.id}`, {
      key,
      body: { penalty_box_data: null },
    });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ penalty_box: null, penalty_box_data: null });
  });

  it('shows an endpoint made here through /v1 and Featurebase, and one made there here', async () => {
    const here = await create({ url: 'https://example.com/from-platform', reference: 'x-dialect' });
    const native = await t.request('GET', `/v1/endpoints/${here.id}`, { key });
    expect(native.status).toBe(200);
    expect(native.body).toMatchObject({ id: here.id, url: 'https://example.com/from-platform' });
    const featurebase = await t.request('GET', `/featurebase/v2/webhooks/${here.id}`, { key });
    expect(featurebase.status).toBe(200);
    expect(featurebase.body).toMatchObject({
      id: here.id,
      object: 'webhook',
      secret: here.secret_key,
    });

    const there = await t.request('POST', '/v1/endpoints', {
      key,
      body: endpointBody({
        url: 'https://example.com/from-native',
        topics: ['post.created'],
        authentication: { type: 'basic', username: 'nat', password: 'pw' },
      }),
    });
    expect(there.status).toBe(201);
    const shown = await t.request('GET', `${PLATFORM}/${there.body.id}`, { key });
    expect(shown.body).toMatchObject({
      object_type: 'WEBHOOK',
      id: there.body.id,
      url: 'https://example.com/from-native',
      included_actions: ['POST.CREATED'],
      authentication_type: 'PASSWORD',
      username: 'nat',
      secret_key: there.body.secret,
      ordering: 'none',
      reference: null,
    });
    const fb = await t.request('POST', '/featurebase/v2/webhooks', {
      key,
      body: { name: 'FB', url: 'https://example.com/from-fb', topics: ['post.updated'] },
    });
    expect(fb.status).toBe(201);
    const fbShown = await t.request('GET', `${PLATFORM}/${fb.body.id}`, { key });
    expect(fbShown.body).toMatchObject({ id: fb.body.id, included_actions: ['POST.UPDATED'] });
  });
});

import { endpointBody, startTestApp, type TestApp } from './harness';

describe('native /v1/endpoints', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({ HOOKYARD_ENDPOINT_LIMIT: '1000' });
    ({ apiKey: key } = await t.createOrganization());
  });

  afterAll(async () => {
    await t?.close();
  });

  async function createEndpoint(
    overrides: Record<string, unknown> = {},
    apiKey = key,
  ): Promise<any> {
    const response = await t.request('POST', '/v1/endpoints', {
      key: apiKey,
      body: endpointBody(overrides),
    });
    expect(response.status).toBe(201);
    return response.body;
  }

  describe('CRUD', () => {
    it('creates an endpoint and shows it, with its secret once at creation', async () => {
      const created = await createEndpoint({
        description: 'all posts',
        requestConfig: { timeoutMs: 8000, headers: { 'X-Team': 'blue' } },
        authentication: { type: 'basic', username: 'alice', password: 'Sup3rSecretPw' },
      });
      expect(created).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        url: 'https://example.com/hooks',
        name: 'Production',
        description: 'all posts',
        topics: ['post.created'],
        status: 'active',
        statusReason: null,
        pausedAt: null,
        suspendedAt: null,
        requestConfig: { timeoutMs: 8000, headers: { 'X-Team': 'blue' } },
        authentication: { type: 'basic', username: 'alice' },
        health: {
          avgResponseTime: 0,
          consecutiveFailures: 0,
          errorsSinceLastSuccess: 0,
          lastResponseTime: null,
          lastSuccessAt: null,
        },
        lastStatus: null,
      });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      const fetched = await t.request('GET', `/v1/endpoints/${created.id}`, { key });
      expect(fetched.status).toBe(200);
      expect(fetched.body.secret).toBeUndefined();
      expect(JSON.stringify(fetched.body)).not.toContain('Sup3rSecretPw');
      expect(fetched.body).toEqual(
        Object.fromEntries(Object.entries(created).filter(([k]) => k !== 'secret')),
      );
    });

    it('K2 never shows the value of an auth-like custom header', async () => {
      const created = await createEndpoint({
        requestConfig: { headers: { 'X-Api-Key': 'CanaryHeaderValue', 'X-Team': 'blue' } },
      });
      expect(created.requestConfig.headers).toEqual({
        'X-Api-Key': '[redacted]',
        'X-Team': 'blue',
      });
      const shown = [
        await t.request('GET', `/v1/endpoints/${created.id}`, { key }),
        await t.request('GET', '/v1/endpoints?limit=100', { key }),
        await t.request('PATCH', `/v1/endpoints/${created.id}`, { key, body: { name: 'Renamed' } }),
      ];
      for (const response of shown) expect(response.text).not.toContain('CanaryHeaderValue');
      const [row] = await t.dataSource.query<{ headers: Record<string, string> }[]>(
        `SELECT headers FROM endpoints WHERE id = $1`,
        [created.id],
      );
      expect(row.headers['X-Api-Key']).toBe('CanaryHeaderValue'); // still sent as configured
    });

    it('updates only the fields given, and null clears the description', async () => {
      const created = await createEndpoint({
        description: 'to be cleared',
        requestConfig: { timeoutMs: 7000 },
      });
      const renamed = await t.request('PATCH', `/v1/endpoints/${created.id}`, {
        key,
        body: { name: 'Renamed' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({
        name: 'Renamed',
        description: 'to be cleared',
        url: created.url,
        topics: created.topics,
      });
      expect(renamed.body.requestConfig.timeoutMs).toBe(7000);
      const cleared = await t.request('PATCH', `/v1/endpoints/${created.id}`, {
        key,
        body: { description: null },
      });
      expect(cleared.body).toMatchObject({ name: 'Renamed', description: null });
    });

    it('pauses and reactivates through status', async () => {
      const created = await createEndpoint();
      const paused = await t.request('PATCH', `/v1/endpoints/${created.id}`, {
        key,
        body: { status: 'paused' },
      });
      expect(paused.body).toMatchObject({ status: 'paused', statusReason: 'manual' });
      const pausedAt = Date.parse(String(paused.body['pausedAt']));
      expect(Math.abs(pausedAt - Date.now())).toBeLessThan(60_000);
      const active = await t.request('PATCH', `/v1/endpoints/${created.id}`, {
        key,
        body: { status: 'active' },
      });
      expect(active.body).toMatchObject({
        status: 'active',
        statusReason: null,
        pausedAt: null,
        health: { consecutiveFailures: 0 },
      });
    });

    it.each(['suspended', 'disabled'])('refuses status %s on update', async (status) => {
      const created = await createEndpoint();
      const response = await t.request('PATCH', `/v1/endpoints/${created.id}`, {
        key,
        body: { status },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].path).toBe('status');
    });

    it('deletes an endpoint', async () => {
      const created = await createEndpoint();
      expect((await t.request('DELETE', `/v1/endpoints/${created.id}`, { key })).status).toBe(204);
      expect((await t.request('GET', `/v1/endpoints/${created.id}`, { key })).status).toBe(404);
      expect((await t.request('DELETE', `/v1/endpoints/${created.id}`, { key })).status).toBe(404);
    });

    it('lists the topic catalogue', async () => {
      const response = await t.request('GET', '/v1/topics', { key });
      expect(response.status).toBe(200);
      expect(response.body.data).toHaveLength(29);
      expect(response.body.data).toContain('webhook.test');
    });
  });

  describe('validation', () => {
    const cases: [string, Record<string, unknown>, number, string, string][] = [
      ['plain http', { url: 'http://example.com/hook' }, 400, 'URL_MUST_BE_HTTPS', 'url'],
      [
        'credentials in the URL',
        { url: 'https://user:pass@example.com/' },
        400,
        'URL_CREDENTIALS_NOT_ALLOWED',
        'url',
      ],
      ['a file URL', { url: 'file:///etc/passwd' }, 400, 'URL_SCHEME_NOT_ALLOWED', 'url'],
      ['an empty URL', { url: '' }, 400, 'URL_INVALID', 'url'],
      ['a URL with a space', { url: 'https://exa mple.com' }, 400, 'URL_INVALID', 'url'],
      [
        'a URL over 2048 characters',
        { url: `https://example.com/${'a'.repeat(2050)}` },
        400,
        'URL_INVALID',
        'url',
      ],
      ['a URL that is not a string', { url: 42 }, 400, 'VALIDATION_FAILED', 'url'],
      ['a 101-character name', { name: 'n'.repeat(101) }, 400, 'NAME_INVALID', 'name'],
      ['an empty name', { name: '' }, 400, 'NAME_INVALID', 'name'],
      [
        'a 501-character description',
        { description: 'd'.repeat(501) },
        400,
        'DESCRIPTION_INVALID',
        'description',
      ],
      ['no topics', { topics: [] }, 400, 'TOPIC_INVALID', 'topics'],
      ['a malformed topic', { topics: ['User Created'] }, 400, 'TOPIC_INVALID', 'topics[0]'],
      ['an unknown topic', { topics: ['invoice.paid'] }, 422, 'TOPIC_UNKNOWN', 'topics[0]'],
      [
        'a timeout under 1000',
        { requestConfig: { timeoutMs: 999 } },
        400,
        'TIMEOUT_INVALID',
        'requestConfig.timeoutMs',
      ],
      [
        'a timeout over 30000',
        { requestConfig: { timeoutMs: 30001 } },
        400,
        'TIMEOUT_INVALID',
        'requestConfig.timeoutMs',
      ],
      [
        'eleven headers',
        {
          requestConfig: {
            headers: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`X-H${i}`, 'v'])),
          },
        },
        400,
        'TOO_MANY_HEADERS',
        'requestConfig.headers',
      ],
      [
        'a header value with CR LF',
        { requestConfig: { headers: { 'X-A': 'v\r\nX-Injected: 1' } } },
        400,
        'HEADER_VALUE_INVALID',
        'requestConfig.headers.X-A',
      ],
      [
        'a Host header',
        { requestConfig: { headers: { Host: 'internal' } } },
        400,
        'HEADER_FORBIDDEN',
        'requestConfig.headers.Host',
      ],
      [
        'a signature header',
        { requestConfig: { headers: { 'webhook-signature': 'v1,x' } } },
        400,
        'HEADER_RESERVED',
        'requestConfig.headers.webhook-signature',
      ],
      [
        'a header name with a space',
        { requestConfig: { headers: { 'Bad Name': 'x' } } },
        400,
        'HEADER_NAME_INVALID',
        'requestConfig.headers.Bad Name',
      ],
      [
        'basic auth with a colon in the username',
        { authentication: { type: 'basic', username: 'a:b', password: 'pw' } },
        400,
        'AUTH_INVALID',
        'authentication.username',
      ],
      [
        'an unknown auth type',
        { authentication: { type: 'oauth' } },
        400,
        'VALIDATION_FAILED',
        'authentication.type',
      ],
      [
        'a header value over 4096 bytes',
        { requestConfig: { headers: { 'X-Big': 'v'.repeat(4097) } } },
        400,
        'HEADER_TOO_LARGE',
        'requestConfig.headers.X-Big',
      ],
      [
        'headers over 8192 bytes in all',
        {
          requestConfig: {
            headers: { 'X-A': 'a'.repeat(4000), 'X-B': 'b'.repeat(4000), 'X-C': 'c'.repeat(400) },
          },
        },
        400,
        'HEADER_TOO_LARGE',
        'requestConfig.headers',
      ],
      [
        'an Authorization custom header',
        { requestConfig: { headers: { Authorization: 'Bearer x' } } },
        400,
        'HEADER_FORBIDDEN',
        'requestConfig.headers.Authorization',
      ],
      [
        'basic auth with an empty password',
        { authentication: { type: 'basic', username: 'hook', password: '' } },
        400,
        'AUTH_INVALID',
        'authentication.password',
      ],
      [
        'an API key sent in a signature header',
        { authentication: { type: 'api_key', headerName: 'webhook-signature', apiKey: 'abc123' } },
        400,
        'AUTH_INVALID',
        'authentication.headerName',
      ],
      [
        'an API key with symbols',
        { authentication: { type: 'api_key', headerName: 'X-Api-Key', apiKey: 'abc$123' } },
        400,
        'AUTH_INVALID',
        'authentication.apiKey',
      ],
      ['a short custom secret', { secret: 'whsec_c2hvcnQ=' }, 400, 'SECRET_INVALID', 'secret'],
      ['an unknown property', { orgId: 'x' }, 400, 'PROPERTY_NOT_ALLOWED', 'orgId'],
      ['a status on create', { status: 'active' }, 400, 'PROPERTY_NOT_ALLOWED', 'status'],
    ];

    it.each(cases)(
      'answers %s with a problem naming the field, and changes nothing',
      async (_, overrides, status, code, path) => {
        const rows = async () =>
          Number(
            (await t.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM endpoints`))[0]
              ?.n,
          );
        const before = await rows();
        const response = await t.request('POST', '/v1/endpoints', {
          key,
          body: endpointBody(overrides),
        });
        expect(response.status).toBe(status);
        expect(response.contentType).toContain('application/problem+json');
        expect(response.body).toMatchObject({
          status,
          code,
          type: expect.any(String),
          title: expect.any(String),
        });
        expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
        expect(await rows()).toBe(before);
      },
    );

    it.each(cases.filter(([, overrides]) => !('status' in overrides) && !('secret' in overrides)))(
      'answers an update with %s with the same problem, and changes nothing',
      async (_, overrides, status, code, path) => {
        const created = await createEndpoint();
        const before = await t.request('GET', `/v1/endpoints/${created.id}`, { key });
        const response = await t.request('PATCH', `/v1/endpoints/${created.id}`, {
          key,
          body: { name: 'Changed', ...overrides },
        });
        expect(response.status).toBe(status);
        expect(response.contentType).toContain('application/problem+json');
        expect(response.body.code).toBe(code);
        expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
        const after = await t.request('GET', `/v1/endpoints/${created.id}`, { key });
        expect(after.body).toEqual(before.body);
      },
    );

    it('rejects a bad update without changing the endpoint', async () => {
      const created = await createEndpoint();
      const response = await t.request('PATCH', `/v1/endpoints/${created.id}`, {
        key,
        body: { name: 'Changed', url: 'http://insecure.example.com' },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('URL_MUST_BE_HTTPS');
      const after = await t.request('GET', `/v1/endpoints/${created.id}`, { key });
      expect(after.body.name).toBe(created.name);
    });

    it('answers malformed JSON with 400', async () => {
      const response = await t.request('POST', '/v1/endpoints', { key, rawBody: '{"url": ' });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('BODY_INVALID');
    });

    it.each(['not-an-id', '507f1f77bcf86cd79943901Z', '123'])(
      'answers a malformed id %s with 400, never 500',
      async (id) => {
        for (const [method, path] of [
          ['GET', `/v1/endpoints/${id}`],
          ['PATCH', `/v1/endpoints/${id}`],
          ['DELETE', `/v1/endpoints/${id}`],
          ['GET', `/v1/endpoints/${id}/secret`],
          ['POST', `/v1/endpoints/${id}/secret/rotate`],
        ] as const) {
          const response = await t.request(method, path, {
            key,
            body: method === 'GET' || method === 'DELETE' ? undefined : {},
          });
          expect([method, path, response.status]).toEqual([method, path, 400]);
          expect(response.body.code).toBe('ID_INVALID');
        }
      },
    );

    it.each(['limit=0', 'limit=101', 'limit=-1', 'limit=abc', 'cursor=%00garbage'])(
      'refuses pagination %s',
      async (query) => {
        const response = await t.request('GET', `/v1/endpoints?${query}`, { key });
        expect(response.status).toBe(400);
      },
    );
  });

  describe('endpoint limit', () => {
    it('answers 400 once the organization holds its limit of endpoints', async () => {
      const limited = await startTestApp({ HOOKYARD_ENDPOINT_LIMIT: '2' });
      try {
        const { apiKey } = await limited.createOrganization();
        for (let i = 0; i < 2; i++) {
          expect(
            (await limited.request('POST', '/v1/endpoints', { key: apiKey, body: endpointBody() }))
              .status,
          ).toBe(201);
        }
        const third = await limited.request('POST', '/v1/endpoints', {
          key: apiKey,
          body: endpointBody(),
        });
        expect(third.status).toBe(400);
        expect(third.body.code).toBe('ENDPOINT_LIMIT_REACHED');
        expect(
          (await limited.request('GET', '/v1/endpoints', { key: apiKey })).body.data,
        ).toHaveLength(2);
      } finally {
        await limited.close();
      }
    });
  });

  describe('secret rotation', () => {
    it('keeps the previous secret during the grace window', async () => {
      const created = await createEndpoint();
      const rotated = await t.request('POST', `/v1/endpoints/${created.id}/secret/rotate`, {
        key,
        body: { gracePeriodSeconds: 3600 },
      });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).not.toBe(created.secret);
      expect(rotated.body.previousSecrets).toEqual([
        { secret: created.secret, expiresAt: expect.any(String) },
      ]);
      const expiresIn = Date.parse(rotated.body.previousSecrets[0].expiresAt) - Date.now();
      expect(expiresIn).toBeGreaterThan(3590_000);
      expect(expiresIn).toBeLessThanOrEqual(3600_000);
      const shown = await t.request('GET', `/v1/endpoints/${created.id}/secret`, { key });
      expect(shown.body).toEqual(rotated.body);
    });

    it('drops the previous secret at once with a grace of 0', async () => {
      const created = await createEndpoint();
      const rotated = await t.request('POST', `/v1/endpoints/${created.id}/secret/rotate`, {
        key,
        body: { gracePeriodSeconds: 0 },
      });
      expect(rotated.body.previousSecrets).toEqual([]);
      const shown = await t.request('GET', `/v1/endpoints/${created.id}/secret`, { key });
      expect(shown.body).toEqual({ secret: rotated.body.secret, previousSecrets: [] });
    });

    it('defaults the grace window to 24 hours', async () => {
      const created = await createEndpoint();
      const rotated = await t.request('POST', `/v1/endpoints/${created.id}/secret/rotate`, {
        key,
        body: {},
      });
      const expiresIn = Date.parse(rotated.body.previousSecrets[0].expiresAt) - Date.now();
      expect(expiresIn).toBeGreaterThan(86_390_000);
      expect(expiresIn).toBeLessThanOrEqual(86_400_000);
    });

    it.each([-1, 604801])('refuses a grace period of %s', async (gracePeriodSeconds) => {
      const created = await createEndpoint();
      const response = await t.request('POST', `/v1/endpoints/${created.id}/secret/rotate`, {
        key,
        body: { gracePeriodSeconds },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('GRACE_PERIOD_INVALID');
    });
  });

  describe('pagination', () => {
    it('returns every endpoint exactly once while endpoints are being created', async () => {
      const fresh = await startTestApp({ HOOKYARD_ENDPOINT_LIMIT: '200' });
      try {
        const { apiKey } = await fresh.createOrganization();
        const initial: string[] = [];
        for (let i = 0; i < 25; i++) {
          initial.push(
            (await fresh.request('POST', '/v1/endpoints', { key: apiKey, body: endpointBody() }))
              .body.id,
          );
        }
        const seen: string[] = [];
        let cursor: string | null = null;
        let created = 0;
        do {
          const query: string = `/v1/endpoints?limit=4${cursor ? `&cursor=${cursor}` : ''}`;
          const page = await fresh.request('GET', query, { key: apiKey });
          expect(page.status).toBe(200);
          seen.push(...page.body.data.map((e: { id: string }) => e.id));
          cursor = page.body.nextCursor;
          if (created < 10) {
            await fresh.request('POST', '/v1/endpoints', { key: apiKey, body: endpointBody() });
            created++;
          }
        } while (cursor);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toEqual(expect.arrayContaining(initial));
      } finally {
        await fresh.close();
      }
    });

    it('filters by status', async () => {
      const created = await createEndpoint();
      await t.request('PATCH', `/v1/endpoints/${created.id}`, { key, body: { status: 'paused' } });
      const paused = await t.request('GET', '/v1/endpoints?status=paused&limit=100', { key });
      expect(paused.body.data.map((e: { id: string }) => e.id)).toContain(created.id);
      expect(paused.body.data.every((e: { status: string }) => e.status === 'paused')).toBe(true);
    });
  });
});

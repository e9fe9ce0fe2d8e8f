import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Hookyard } from './hookyard';
import { HookyardError } from './errors';
import { retryDelayMs } from './retry';

/** A local server that answers each request with the next scripted reply (the last one repeats). */
class ScriptedServer {
  readonly requests: {
    method: string;
    url: string;
    headers: IncomingMessage['headers'];
    body: string;
  }[] = [];
  private server: Server | null = null;
  constructor(private readonly replies: ((response: ServerResponse) => void)[]) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.requests.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const reply = this.replies[Math.min(this.requests.length, this.replies.length) - 1];
        reply?.(response);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (response: ServerResponse) =>
    response
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify(body));
const problem = (status: number, code: string, headers: Record<string, string> = {}) =>
  json(
    status,
    {
      type: 'x',
      title: 't',
      status,
      detail: `${code} detail`,
      code,
      errors: [],
      requestId: 'req_1',
    },
    headers,
  );
const published = json(202, { id: 'evt_1', deliveries: 1 });

describe('the transport', () => {
  let server: ScriptedServer;
  afterEach(async () => server?.stop());

  async function client(replies: ((response: ServerResponse) => void)[], options = {}) {
    server = new ScriptedServer(replies);
    return new Hookyard({ apiKey: 'key_1', baseUrl: await server.start(), ...options });
  }

  it('sends the key as a bearer token and the idempotency key as a header', async () => {
    const hy = await client([published]);
    await hy.events.publish(
      { topic: 'post.created', data: { id: 1 } },
      { idempotencyKey: 'order-42' },
    );
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer key_1');
    expect(server.requests[0]?.headers['idempotency-key']).toBe('order-42');
  });

  it('sends no X-Hookyard-Organization unless the client names an organization', async () => {
    const hy = await client([published]);
    await hy.events.publish({ topic: 'post.created', data: {} });
    expect(server.requests[0]?.headers).not.toHaveProperty('x-hookyard-organization');
  });

  it('sends X-Hookyard-Organization on every call of a client that names an organization', async () => {
    const hy = await client(
      [published, json(200, { data: [], nextCursor: null }), (r) => r.writeHead(204).end()],
      { organization: 'cus_42' },
    );
    await hy.events.publish({ topic: 'post.created', data: {} });
    await hy.endpoints.list().page();
    await hy.endpoints.delete('ep_1');
    expect(server.requests.map((r) => r.headers['x-hookyard-organization'])).toEqual([
      'cus_42',
      'cus_42',
      'cus_42',
    ]);
    expect(server.requests.map((r) => r.headers['authorization'])).toEqual(
      Array(3).fill('Bearer key_1'),
    );
  });

  it('as() acts for another organization with the same key and settings, leaving the client as it was', async () => {
    const hy = await client([problem(503, 'UNAVAILABLE', { 'retry-after': '0' }), published], {
      organization: 'cus_1',
      maxRetries: 0,
    });
    const other = hy.as('cus_2');
    // maxRetries: 0 carries over: the 503 is not retried
    await expect(other.events.publish({ topic: 't', data: {} })).rejects.toMatchObject({
      status: 503,
    });
    await hy.events.publish({ topic: 't', data: {} });
    expect(
      server.requests.map((r) => [
        r.headers['x-hookyard-organization'],
        r.headers['authorization'],
      ]),
    ).toEqual([
      ['cus_2', 'Bearer key_1'],
      ['cus_1', 'Bearer key_1'],
    ]);
  });

  it('refuses an empty organization', () => {
    expect(() => new Hookyard({ apiKey: 'k', organization: ' ' })).toThrow(TypeError);
    expect(() => new Hookyard({ apiKey: 'k' }).as('')).toThrow(TypeError);
  });

  it('calls the operator routes: organizations by id or uid, their keys and operator keys', async () => {
    const organization = { id: 'a'.repeat(24), uid: 'cus_1', name: 'Acme' };
    const hy = await client([
      json(201, organization),
      json(200, { data: [organization], nextCursor: 'c1' }),
      json(200, { data: [], nextCursor: null }),
      json(200, organization),
      json(200, { data: [] }),
      (r) => r.writeHead(204).end(),
      json(200, { data: [{ id: 'k1' }] }),
      (r) => r.writeHead(204).end(),
    ]);
    await hy.organizations.upsert('cus_1', { name: 'Acme' });
    expect(await hy.organizations.list({ limit: 1 }).toArray()).toEqual([organization]);
    await hy.organizations.update('cus_1', { settings: { endpointLimit: null } });
    await hy.organizations.apiKeys.list('cus_1').toArray();
    await hy.organizations.apiKeys.revoke('cus_1', 'k9');
    expect(await hy.operatorKeys.list().toArray()).toEqual([{ id: 'k1' }]);
    await hy.operatorKeys.revoke('k1');
    expect(server.requests.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual([
      'PUT /v1/organizations/cus_1 {"name":"Acme"}',
      'GET /v1/organizations?limit=1 ',
      'GET /v1/organizations?limit=1&cursor=c1 ',
      'PATCH /v1/organizations/cus_1 {"settings":{"endpointLimit":null}}',
      'GET /v1/organizations/cus_1/api-keys ',
      'DELETE /v1/organizations/cus_1/api-keys/k9 ',
      'GET /v1/operator-keys ',
      'DELETE /v1/operator-keys/k1 ',
    ]);
  });

  it('retries 429 and 503 after Retry-After and resends the same body', async () => {
    const hy = await client([
      problem(429, 'RATE_LIMITED', { 'retry-after': '0' }),
      problem(503, 'UNAVAILABLE', { 'retry-after': '0' }),
      published,
    ]);
    await expect(hy.events.publish({ topic: 'post.created', data: { n: 1 } })).resolves.toEqual({
      id: 'evt_1',
      deliveries: 1,
    });
    expect(server.requests.map((r) => r.body)).toEqual(
      Array(3).fill(JSON.stringify({ topic: 'post.created', data: { n: 1 } })),
    );
  });

  it('does not retry with maxRetries: 0, and throws the problem document', async () => {
    const hy = await client([problem(503, 'UNAVAILABLE', { 'retry-after': '0' }), published], {
      maxRetries: 0,
    });
    const error = await hy.events
      .publish({ topic: 'post.created', data: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookyardError);
    expect(error).toMatchObject({
      status: 503,
      code: 'UNAVAILABLE',
      requestId: 'req_1',
      errors: [],
    });
    expect(server.requests).toHaveLength(1);
  });

  it('stops after maxRetries and throws the last answer', async () => {
    const hy = await client([problem(429, 'RATE_LIMITED', { 'retry-after': '0' })], {
      maxRetries: 2,
    });
    await expect(hy.topics.list().page()).rejects.toMatchObject({ status: 429 });
    expect(server.requests).toHaveLength(3);
  });

  it('does not wait for a Retry-After beyond maxRetryDelayMs', async () => {
    const hy = await client([problem(429, 'RATE_LIMITED', { 'retry-after': '3600' }), published]);
    await expect(hy.topics.list().page()).rejects.toMatchObject({ status: 429 });
    expect(server.requests).toHaveLength(1);
  });

  it('gives a non-problem error body a status and an HTTP_ code', async () => {
    const hy = await client([(response) => response.writeHead(502).end('bad gateway')]);
    await expect(hy.endpoints.get('ep_1')).rejects.toMatchObject({
      status: 502,
      code: 'HTTP_502',
      message: 'bad gateway',
      problem: null,
    });
  });

  it('rejects with a TimeoutError when the call outlasts timeoutMs', async () => {
    const hy = await client([() => undefined]);
    await expect(hy.endpoints.get('ep_1', { timeoutMs: 100 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
  });

  it('rejects with the caller’s abort reason, also while waiting to retry', async () => {
    const hy = await client([problem(503, 'UNAVAILABLE', { 'retry-after': '20' })]);
    const controller = new AbortController();
    const pending = hy.endpoints.get('ep_1', { signal: controller.signal });
    await new Promise<void>((resolve) => {
      const poll = () => (server.requests.length > 0 ? resolve() : setTimeout(poll, 5));
      poll();
    });
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
  });

  it('follows nextCursor across pages and page() fetches one', async () => {
    const hy = await client([
      json(200, { data: [{ id: 'a' }, { id: 'b' }], nextCursor: 'c1' }),
      json(200, { data: [{ id: 'c' }], nextCursor: null }),
      json(200, { data: [{ id: 'a' }, { id: 'b' }], nextCursor: 'c1' }),
    ]);
    const ids: string[] = [];
    for await (const endpoint of hy.endpoints.list({ limit: 2, status: 'active' }))
      ids.push(endpoint.id);
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/v1/endpoints?limit=2&status=active',
      '/v1/endpoints?limit=2&status=active&cursor=c1',
    ]);
    expect((await hy.endpoints.list().page()).nextCursor).toBe('c1');
  });
});

describe('retryDelayMs', () => {
  const policy = { maxRetries: 3, maxDelayMs: 10_000 };
  it('reads Retry-After as seconds or as an HTTP date, else backs off exponentially', () => {
    expect(retryDelayMs(429, '2', 0, policy, 0)).toBe(2000);
    expect(retryDelayMs(503, new Date(5000).toUTCString(), 0, policy, 1000)).toBe(4000);
    expect([0, 1, 2].map((retry) => retryDelayMs(503, null, retry, policy, 0))).toEqual([
      500, 1000, 2000,
    ]);
  });
  it('never retries other statuses, past maxRetries, or beyond maxDelayMs', () => {
    expect(retryDelayMs(500, '0', 0, policy, 0)).toBeNull();
    expect(retryDelayMs(429, '0', 3, policy, 0)).toBeNull();
    expect(retryDelayMs(429, '11', 0, policy, 0)).toBeNull();
  });
});

import { ApiKeyService } from '@hookyard/api';
import { DELIVERY_ENV, eventually, startTestApp, type TestApp } from './harness';
import { ContractChecker } from './openapi-contract';
import { type Document, type Operation, operationsOf } from './openapi-document';
import { Receiver } from './receiver';

/*
 * The OpenAPI document against what the server answers: every native `/v1` operation is driven with
 * good calls and bad ones (400, 401, 403, 404, 409, 422), and each answer must have a status the
 * operation declares and a body its declared schema takes (ajv, objects closed, see
 * openapi-contract.ts). A violation names the operation, the status and what ajv found; the fix is
 * in the DTOs and their decorators, so the document (and the SDK made from it) tells the truth.
 */

/** A well-formed id that nothing has. */
const UNKNOWN_ID = 'ffffffffffffffffffffffff';

interface Call {
  /** `METHOD /path/{param}` as the document names the operation. */
  readonly operation: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: string;
  readonly body?: unknown;
  /** The key to send; `null` sends none. Unset: the organization's all-permission key. */
  readonly key?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

interface Answer {
  readonly status: number;
  readonly body: any;
}

describe('the OpenAPI document against the native API', () => {
  let t: TestApp;
  let receiver: Receiver;
  let document: Document;
  let checker: ContractChecker;
  let operations: Map<string, Operation>;
  let key: string;
  let organizationId: string;
  let operator: string;
  /** Every operation called, with the statuses it answered. */
  const driven = new Map<string, Set<number>>();
  /** The first call of each operation that answered 2xx, replayed by the bad calls. */
  const good = new Map<string, Call>();
  const violations: string[] = [];

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(DELIVERY_ENV, { worker: true });
    ({ apiKey: key, organizationId } = await t.createOrganization('contract'));
    operator = (await t.app.get(ApiKeyService).create(null, 'operator', ['*'], new Date())).key;
    document = (await t.request('GET', '/openapi.json')).body as Document;
    checker = new ContractChecker(document);
    operations = new Map(
      operationsOf(document)
        .filter((o) => o.path.startsWith('/v1/'))
        .map((o) => [`${o.method} ${o.path}`, o]),
    );
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  /**
   * Sends `call`, records every way its answer breaks the document (and a status other than
   * `expected`, which means the call did not test what it meant to), and returns the answer.
   */
  async function send(expected: number, call: Call): Promise<Answer> {
    const operation = operations.get(call.operation);
    if (!operation) {
      violations.push(`${call.operation}: not in the document`);
      return { status: 0, body: undefined };
    }
    const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = call.params?.[name];
      if (value === undefined) throw new Error(`${call.operation}: no value for {${name}}`);
      return encodeURIComponent(value);
    });
    const response = await t.request(
      operation.method,
      call.query ? `${path}?${call.query}` : path,
      {
        key: call.key === undefined ? key : call.key,
        body: call.body,
        headers: call.headers ? { ...call.headers } : undefined,
      },
    );
    const label = `${call.operation}${call.query ? `?${call.query}` : ''}`;
    for (const found of checker.violations(
      operation,
      response.status,
      response.contentType,
      response.text,
    ))
      violations.push(`${label}: ${found}`);
    if (response.status !== expected)
      violations.push(
        `${label}: expected ${expected}, answered ${response.status} ${response.text.slice(0, 200)}`,
      );
    const statuses = driven.get(call.operation) ?? new Set<number>();
    driven.set(call.operation, statuses.add(response.status));
    if (response.status < 300 && !good.has(call.operation)) good.set(call.operation, call);
    return { status: response.status, body: response.body };
  }

  /** The violations found so far, forgotten once taken (each test reports its own). */
  function takeViolations(): string[] {
    return violations.splice(0, violations.length);
  }

  it('answers good calls of every native operation as the document declares', async () => {
    await send(200, { operation: 'GET /v1/api-keys' });
    await send(200, { operation: 'GET /v1/topics' });
    await send(200, { operation: 'GET /v1/whoami' });
    await send(200, { operation: 'GET /v1/organization' });
    await send(200, {
      operation: 'PATCH /v1/organization',
      body: { portalAllowedOrigins: ['https://app.example.com'] },
    });

    // An endpoint before its first attempt (lastStatus null), then after one (an object).
    const created = await send(201, {
      operation: 'POST /v1/endpoints',
      body: { url: receiver.url('/contract'), name: 'Contract', topics: ['post.created'] },
    });
    const id = String(created.body?.id ?? UNKNOWN_ID);
    await send(200, { operation: 'GET /v1/endpoints/{id}', params: { id } });
    await send(200, {
      operation: 'PATCH /v1/endpoints/{id}',
      params: { id },
      body: { description: 'the contract suite', requestConfig: { headers: { 'X-A': '1' } } },
    });
    await send(200, { operation: 'GET /v1/endpoints', query: 'limit=1' });
    await send(200, {
      operation: 'GET /v1/endpoints',
      key: operator,
      headers: { 'X-Hookyard-Organization': organizationId },
    });
    await send(200, { operation: 'GET /v1/endpoints/{id}/secret', params: { id } });
    await send(200, {
      operation: 'POST /v1/endpoints/{id}/secret/rotate',
      params: { id },
      body: { gracePeriodSeconds: 60 },
    });

    const published = await send(202, {
      operation: 'POST /v1/events',
      body: { topic: 'post.created', data: { id: 'p_1', title: 'Hello' } },
      headers: { 'Idempotency-Key': 'contract-1' },
    });
    const eventId = String(published.body?.id ?? UNKNOWN_ID);
    await send(200, {
      operation: 'POST /v1/events/batch',
      body: {
        events: [
          { topic: 'post.created', data: { n: 1 }, previousData: { n: 0 } },
          { topic: 'Not A Topic', data: { n: 2 } },
        ],
      },
    });
    await eventually(async () => {
      const attempts = await t.request('GET', `/v1/endpoints/${id}/attempts`, { key });
      expect(attempts.body.data.length).toBeGreaterThan(0);
    }, 15_000);
    await send(200, { operation: 'GET /v1/endpoints/{id}', params: { id } });
    await send(200, { operation: 'GET /v1/endpoints/{id}/attempts', params: { id } });
    await send(200, { operation: 'GET /v1/events/{id}', params: { id: eventId } });
    const deliveries = await send(200, {
      operation: 'GET /v1/events/{id}/deliveries',
      params: { id: eventId },
    });
    const deliveryId = String(deliveries.body?.data?.[0]?.id ?? UNKNOWN_ID);
    await send(200, { operation: 'GET /v1/deliveries/{id}/attempts', params: { id: deliveryId } });
    await send(200, {
      operation: 'GET /v1/endpoints/{id}/deliveries',
      params: { id },
      query: 'status=succeeded&topic=post.created',
    });
    await send(200, {
      operation: 'GET /v1/endpoints/{id}/stats',
      params: { id },
      query: 'bucket=hour',
    });
    await send(200, { operation: 'POST /v1/endpoints/{id}/test', params: { id }, body: {} });
    await send(202, {
      operation: 'POST /v1/endpoints/{id}/recover',
      params: { id },
      body: { since: new Date(Date.now() - 3_600_000).toISOString() },
    });
    await send(202, { operation: 'POST /v1/deliveries/{id}/retry', params: { id: deliveryId } });

    const session = await send(201, {
      operation: 'POST /v1/portal-sessions',
      body: { permissions: ['WEBHOOK.READ'], endpointIds: [id] },
    });
    await send(200, { operation: 'GET /v1/portal-sessions' });
    await send(200, {
      operation: 'GET /v1/whoami',
      key: String(session.body?.token ?? ''),
    });
    await send(204, {
      operation: 'DELETE /v1/portal-sessions/{id}',
      params: { id: String(session.body?.id ?? UNKNOWN_ID) },
    });
    // Made to be deleted.
    for (const [path, body] of [
      ['/v1/api-keys', { name: 'spare', permissions: ['WEBHOOK.READ'] }],
      ['/v1/endpoints', { url: 'https://example.com/doomed', topics: ['*'] }],
    ] as const) {
      const made = await send(201, { operation: `POST ${path}`, body });
      await send(204, {
        operation: `DELETE ${path}/{id}`,
        params: { id: String(made.body?.id ?? UNKNOWN_ID) },
      });
    }

    // The operator's routes.
    const asOperator = { key: operator };
    await send(201, {
      operation: 'POST /v1/organizations',
      ...asOperator,
      body: { name: 'Tenant', uid: 'contract_tenant', settings: { endpointLimit: 5 } },
    });
    await send(200, { operation: 'GET /v1/organizations', ...asOperator, query: 'limit=5' });
    const organization = 'contract_tenant';
    await send(200, {
      operation: 'GET /v1/organizations/{organization}',
      ...asOperator,
      params: { organization },
    });
    await send(200, {
      operation: 'PATCH /v1/organizations/{organization}',
      ...asOperator,
      params: { organization },
      body: { settings: { thresholds: { pauseAfter: 9 }, rateLimits: { management: null } } },
    });
    await send(201, {
      operation: 'PUT /v1/organizations/{uid}',
      ...asOperator,
      params: { uid: 'contract_upserted' },
      body: { name: 'Upserted' },
    });
    await send(200, {
      operation: 'PUT /v1/organizations/{uid}',
      ...asOperator,
      params: { uid: 'contract_upserted' },
      body: { name: 'Upserted' },
    });
    const tenantKey = await send(201, {
      operation: 'POST /v1/organizations/{organization}/api-keys',
      ...asOperator,
      params: { organization },
      body: { name: 'tenant', permissions: ['*'] },
    });
    await send(200, {
      operation: 'GET /v1/organizations/{organization}/api-keys',
      ...asOperator,
      params: { organization },
    });
    await send(204, {
      operation: 'DELETE /v1/organizations/{organization}/api-keys/{id}',
      ...asOperator,
      params: { organization, id: String(tenantKey.body?.id ?? UNKNOWN_ID) },
    });
    await send(204, {
      operation: 'DELETE /v1/organizations/{organization}',
      ...asOperator,
      params: { organization: 'contract_upserted' },
    });
    const operatorKey = await send(201, {
      operation: 'POST /v1/operator-keys',
      ...asOperator,
      body: { name: 'second operator', permissions: ['ORGANIZATION.ADMIN'] },
    });
    await send(200, { operation: 'GET /v1/operator-keys', ...asOperator });
    await send(204, {
      operation: 'DELETE /v1/operator-keys/{id}',
      ...asOperator,
      params: { id: String(operatorKey.body?.id ?? UNKNOWN_ID) },
    });
    expect(takeViolations()).toEqual([]);
  }, 60_000);

  it('answers each good call replayed without a key, with too few permissions, and with a malformed or unknown id or field, as the document declares', async () => {
    const eventsOnly = (
      await t.request('POST', '/v1/api-keys', {
        key,
        body: { name: 'events only', permissions: ['EVENT.READ'] },
      })
    ).body.key as string;
    const webhooksOnly = (
      await t.request('POST', '/v1/api-keys', {
        key,
        body: { name: 'webhooks only', permissions: ['WEBHOOK.READ'] },
      })
    ).body.key as string;
    for (const [name, operation] of operations) {
      const call = good.get(name);
      if (!call) continue; // reported by the coverage test
      await send(401, { ...call, key: null, headers: undefined });
      if (name !== 'GET /v1/whoami') {
        // Operators' routes refuse a tenant's key; a tenant's routes a key without their permission.
        const lacking =
          call.key === operator
            ? key
            : operation.path.startsWith('/v1/events/')
              ? webhooksOnly
              : eventsOnly;
        await send(403, { ...call, key: lacking, headers: undefined });
      }
      const params = operation.parameters.filter((p) => p.in === 'path').map((p) => p.name);
      if (params.includes('id')) {
        await send(400, { ...call, params: { ...call.params, id: 'abc' } });
        await send(404, { ...call, params: { ...call.params, id: UNKNOWN_ID } });
      }
      if (params.includes('organization'))
        await send(404, { ...call, params: { ...call.params, organization: 'no_such_tenant' } });
      if (operation.body)
        await send(400, {
          ...call,
          body: { ...(call.body as object), notAField: true },
        });
      if (operation.parameters.some((p) => p.in === 'query'))
        await send(400, { ...call, query: 'limit=0' });
    }
    expect(takeViolations()).toEqual([]);
  }, 60_000);

  it('answers conflicts, unprocessable requests and an organization it may not act for (409, 422, 404) as the document declares', async () => {
    const asOperator = { key: operator };
    await send(404, {
      operation: 'GET /v1/topics',
      ...asOperator,
      headers: { 'X-Hookyard-Organization': 'no_such_tenant' },
    });
    await send(409, {
      operation: 'POST /v1/organizations',
      ...asOperator,
      body: { name: 'Again', uid: 'contract_tenant' },
    });
    // A uid is fixed once set, so the conflict is an organization without one taking another's.
    const other = await send(201, {
      operation: 'POST /v1/organizations',
      ...asOperator,
      body: { name: 'Other' },
    });
    await send(409, {
      operation: 'PATCH /v1/organizations/{organization}',
      ...asOperator,
      params: { organization: String(other.body?.id ?? UNKNOWN_ID) },
      body: { uid: 'contract_tenant' },
    });
    await send(422, {
      operation: 'POST /v1/portal-sessions',
      body: { permissions: ['WEBHOOK.READ'], endpointIds: [UNKNOWN_ID] },
    });
    await send(202, {
      operation: 'POST /v1/events',
      body: { topic: 'post.created', data: { n: 1 } },
      headers: { 'Idempotency-Key': 'contract-reused' },
    });
    await send(422, {
      operation: 'POST /v1/events',
      body: { topic: 'post.created', data: { n: 2 } },
      headers: { 'Idempotency-Key': 'contract-reused' },
    });
    const endpoint = await send(201, {
      operation: 'POST /v1/endpoints',
      body: { url: receiver.url('/paused'), topics: ['comment.created'] },
    });
    const id = String(endpoint.body?.id ?? UNKNOWN_ID);
    await send(422, {
      operation: 'POST /v1/endpoints',
      body: { url: receiver.url('/unknown'), topics: ['never.heard.of'] },
    });
    await send(422, {
      operation: 'PATCH /v1/endpoints/{id}',
      params: { id },
      body: { topics: ['never.heard.of'] },
    });
    await send(422, {
      operation: 'POST /v1/events',
      body: { topic: 'never.heard.of', data: {} },
    });
    await send(422, {
      operation: 'POST /v1/endpoints/{id}/test',
      params: { id },
      body: { topic: 'never.heard.of' },
    });
    await send(422, {
      operation: 'GET /v1/endpoints/{id}/deliveries',
      params: { id },
      query: 'since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z',
    });
    await send(422, {
      operation: 'GET /v1/endpoints/{id}/stats',
      params: { id },
      query: 'bucket=minute&since=2020-01-01T00:00:00Z',
    });
    const event = await send(202, {
      operation: 'POST /v1/events',
      body: { topic: 'comment.created', data: { n: 3 } },
    });
    const deliveries = await t.request('GET', `/v1/events/${event.body?.id}/deliveries`, { key });
    await send(200, {
      operation: 'PATCH /v1/endpoints/{id}',
      params: { id },
      body: { status: 'paused' },
    });
    await send(409, {
      operation: 'POST /v1/deliveries/{id}/retry',
      params: { id: String(deliveries.body?.data?.[0]?.id ?? UNKNOWN_ID) },
    });
    expect(takeViolations()).toEqual([]);
  }, 60_000);

  it('drives every native /v1 operation of the document with a good call and a 401', () => {
    const missing = [...operations.keys()].filter((name) => {
      const statuses = [...(driven.get(name) ?? [])];
      return !statuses.some((s) => s < 300) || !statuses.includes(401);
    });
    expect(missing).toEqual([]);
  });
});

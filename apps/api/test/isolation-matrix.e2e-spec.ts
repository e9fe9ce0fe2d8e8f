import { type INestApplication } from '@nestjs/common';
import { ApiKeyService } from '@hookyard/api';
import { DELIVERY_ENV, endpointBody, eventually, startTestApp, type TestApp } from './harness';
import { Receiver } from './receiver';

/**
 * The tenant-isolation matrix (catalogue row T1, docs/reliability.md): every route of the running
 * app whose path names a resource is called as tenant A with tenant B's ids and must answer 404 in
 * its dialect's shape, changing none of B's rows and sending nothing to B's receiver; then the same
 * through a portal session of A limited to one endpoint. The routes come from the app's Express
 * router, and the table below says how to fill each one: a new id-bearing route fails the suite
 * until it is added, and a route in the table that the router no longer has fails it too.
 */

type Dialect = 'native' | 'featurebase' | 'platform';
type Resource = 'endpoint' | 'event' | 'delivery' | 'apiKey' | 'portalSession';

/**
 * What a portal session of A (read permissions and WEBHOOK.UPDATE, limited to A's first endpoint)
 * is answered on the route with an id it may not reach: `404` where the route is open to portals,
 * `403` where it is closed to them or the session lacks the route's permission.
 */
type PortalAnswer = 404 | 403;

interface MatrixEntry {
  /** Which resource the route's id parameter names. */
  readonly id: Resource;
  /** A body the route accepts, so that only the tenancy can refuse the call. */
  readonly body?: () => unknown;
  readonly portal: PortalAnswer;
}

const LONG_AGO = () => new Date(Date.now() - 3600_000).toISOString();

/** Keyed `METHOD path` as the Express router holds the route. */
const MATRIX: Record<string, MatrixEntry> = {
  'GET /v1/endpoints/:id': { id: 'endpoint', portal: 404 },
  'PATCH /v1/endpoints/:id': { id: 'endpoint', body: () => ({ name: 'taken' }), portal: 404 },
  // The session lacks WEBHOOK.DELETE, and the permission is checked before the endpoint scope.
  'DELETE /v1/endpoints/:id': { id: 'endpoint', portal: 403 },
  'GET /v1/endpoints/:id/secret': { id: 'endpoint', portal: 404 },
  'POST /v1/endpoints/:id/secret/rotate': {
    id: 'endpoint',
    body: () => ({ gracePeriodSeconds: 0 }),
    portal: 404,
  },
  'GET /v1/endpoints/:id/attempts': { id: 'endpoint', portal: 404 },
  'GET /v1/endpoints/:id/deliveries': { id: 'endpoint', portal: 404 },
  'GET /v1/endpoints/:id/stats': { id: 'endpoint', portal: 404 },
  'POST /v1/endpoints/:id/test': { id: 'endpoint', body: () => ({}), portal: 404 },
  'POST /v1/endpoints/:id/recover': {
    id: 'endpoint',
    body: () => ({ since: LONG_AGO() }),
    portal: 404,
  },
  'POST /v1/deliveries/:id/retry': { id: 'delivery', portal: 404 },
  'GET /v1/deliveries/:id/attempts': { id: 'delivery', portal: 404 },
  'GET /v1/events/:id': { id: 'event', portal: 404 },
  'GET /v1/events/:id/deliveries': { id: 'event', portal: 404 },
  'DELETE /v1/api-keys/:id': { id: 'apiKey', portal: 403 },
  'DELETE /v1/portal-sessions/:id': { id: 'portalSession', portal: 403 },
  'GET /featurebase/v2/webhooks/:id': { id: 'endpoint', portal: 403 },
  'PATCH /featurebase/v2/webhooks/:id': {
    id: 'endpoint',
    body: () => ({ name: 'taken' }),
    portal: 403,
  },
  'DELETE /featurebase/v2/webhooks/:id': { id: 'endpoint', portal: 403 },
  'POST /featurebase/v2/webhooks/:id/secret': { id: 'endpoint', portal: 403 },
  'GET /platform/v:version/webhooks/:resourceId': { id: 'endpoint', portal: 403 },
  'PATCH /platform/v:version/webhooks/:resourceId': {
    id: 'endpoint',
    body: () => ({ name: 'taken' }),
    portal: 403,
  },
  'DELETE /platform/v:version/webhooks/:resourceId': { id: 'endpoint', portal: 403 },
  'PATCH /platform/v:version/webhooks/:resourceId/secret-key': {
    id: 'endpoint',
    body: () => ({ active: true, include_previous_data: false, authentication_type: 'NONE' }),
    portal: 403,
  },
  'DELETE /platform/v:version/webhooks/:resourceId/secret-key': { id: 'endpoint', portal: 403 },
  'POST /platform/v:version/webhooks/:resourceId/send-test': { id: 'endpoint', portal: 403 },
  'POST /platform/v:version/webhooks/:resourceId/send-penalty-box-payload': {
    id: 'endpoint',
    portal: 403,
  },
};

/**
 * The routes only an operator key reaches (organizations and their keys, operator keys): a tenant key
 * is answered 403 `OPERATOR_ONLY` on each, whatever it names (B's id or uid, in the path or a
 * header), and a portal session 403. Filled with B's ids where they take one.
 */
const OPERATOR_ROUTES: Record<string, { readonly body?: () => unknown }> = {
  'POST /v1/organizations': { body: () => ({ name: 'taken', uid: 'taken-by-a' }) },
  'GET /v1/organizations': {},
  'GET /v1/organizations/:organization': {},
  'PUT /v1/organizations/:uid': { body: () => ({ name: 'taken' }) },
  'PATCH /v1/organizations/:organization': { body: () => ({ name: 'taken' }) },
  'GET /v1/organizations/:organization/api-keys': {},
  'POST /v1/organizations/:organization/api-keys': {
    body: () => ({ name: 'taken', permissions: ['*'] }),
  },
  'DELETE /v1/organizations/:organization/api-keys/:id': {},
  'DELETE /v1/organizations/:organization': {},
  'GET /v1/operator-keys': {},
  'POST /v1/operator-keys': { body: () => ({ name: 'taken', permissions: ['*'] }) },
  'DELETE /v1/operator-keys/:id': {},
};
const B_UID = 'tenant-b-uid';

/** What the owner is answered where it is not 2xx, and why. */
const OWNER_ANSWERS: Record<string, number> = {
  // 409: B's webhook is not in the penalty box (a success in the dialect's terms).
  'POST /platform/v:version/webhooks/:resourceId/send-penalty-box-payload': 409,
};
/**
 * Answers that also show B reached its own resource, where the order of B's calls decides: the
 * recover just before may have requeued B's failed delivery, which a retry then finds pending (409).
 */
const OWNER_ALSO: Record<string, number> = { 'POST /v1/deliveries/:id/retry': 409 };

/** Path parameters that name no resource, and what they are filled with. */
const NOT_IDS: Record<string, string> = {
  /** The platform dialect's API version. */
  version: '1',
  /** The console's wildcard (`/console/*path`). */
  path: 'index.html',
};

interface Route {
  readonly method: string;
  readonly path: string;
  readonly key: string;
  readonly params: string[];
}

/** The routes the running app serves, read from its Express router. */
function routeTable(app: INestApplication): Route[] {
  interface Layer {
    route?: { path: string | string[]; methods: Record<string, boolean> };
  }
  const express = app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
  const routes: Route[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    for (const path of [layer.route.path].flat()) {
      const params = [...path.matchAll(/[:*](\w+)/g)].map((m) => m[1]);
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (!on || method === '_all') continue;
        const upper = method.toUpperCase();
        routes.push({ method: upper, path, key: `${upper} ${path}`, params });
      }
    }
  }
  return routes;
}

const namesResource = (route: Route) => route.params.some((p) => !(p in NOT_IDS));

const dialectOf = (path: string): Dialect =>
  path.startsWith('/featurebase/')
    ? 'featurebase'
    : path.startsWith('/platform/')
      ? 'platform'
      : 'native';

/** Rows by table name. */
type Rows = Record<string, unknown[]>;

/** Routes answered as expected, of the routes called. */
interface Tally {
  ok: number;
  of: number;
}

interface Tenant {
  readonly organizationId: string;
  readonly key: string;
  /** An endpoint made through each dialect; A's native one is the portal session's. */
  readonly endpoints: Record<Dialect, string>;
  readonly event: string;
  readonly delivery: string;
  readonly apiKey: string;
  readonly portalSession: string;
  /** The receiver paths its endpoints point to. */
  readonly paths: string[];
}

describe('T1 tenant isolation matrix', () => {
  let t: TestApp;
  let receiver: Receiver;
  let operatorKey: string;
  let a: Tenant;
  let b: Tenant;
  /**
   * A's second endpoint, with its own event and delivery: outside the portal session (with A's
   * spare key and session for the routes closed to portals).
   */
  let outside: Omit<Tenant, 'organizationId' | 'key'> & { id: string };
  let portalToken: string;
  let routes: Route[];
  let before: { b: Rows; outside: Rows; receipts: number };
  const results: Record<Dialect | 'portal', Tally> = {
    native: { ok: 0, of: 0 },
    featurebase: { ok: 0, of: 0 },
    platform: { ok: 0, of: 0 },
    portal: { ok: 0, of: 0 },
  };
  let bUnchanged = false;

  const created = async (
    method: string,
    path: string,
    key: string,
    body: unknown,
    status = 201,
  ) => {
    const response = await t.request(method, path, { key, body });
    if (response.status !== status)
      throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
    return response.body;
  };

  /** `SELECT *` of each table's rows where `column` is `value`, in a stable order. */
  const dump = async (tables: Record<string, string>, value: string) => {
    const rows: Rows = {};
    for (const [table, column] of Object.entries(tables)) {
      rows[table] = await t.dataSource.query(
        `SELECT to_jsonb(r) AS row FROM ${table} r WHERE ${column} = $1 ORDER BY id`,
        [value],
      );
    }
    return rows;
  };
  /** Every row of an organization. */
  const organizationRows = (id: string) =>
    dump(
      {
        organizations: 'id',
        api_keys: 'organization_id',
        portal_sessions: 'organization_id',
        endpoints: 'organization_id',
        endpoint_secrets: 'organization_id',
        events: 'organization_id',
        deliveries: 'organization_id',
        attempts: 'organization_id',
      },
      id,
    );
  /** Every row of one endpoint. */
  const endpointRows = (id: string) =>
    dump(
      {
        endpoints: 'id',
        endpoint_secrets: 'endpoint_id',
        deliveries: 'endpoint_id',
        attempts: 'endpoint_id',
      },
      id,
    );

  const receiptsAt = (paths: string[]) =>
    paths.reduce((n, path) => n + receiver.receipts(path).length, 0);

  /** The delivery of `event` to `endpoint`, once the worker has delivered it. */
  const delivered = async (organizationId: string, event: string, endpoint: string) => {
    let id = '';
    await eventually(async () => {
      const rows: { id: string; status: string }[] = await t.dataSource.query(
        `SELECT id, status FROM deliveries WHERE organization_id = $1 AND event_id = $2 AND endpoint_id = $3`,
        [organizationId, event, endpoint],
      );
      expect(rows.map((r) => r.status)).toEqual(['succeeded']);
      id = rows[0].id;
    }, 15_000);
    return id;
  };

  const makeTenant = async (name: string): Promise<Tenant> => {
    const { organizationId, apiKey: key } = await t.createOrganization(name);
    const paths = ['native', 'featurebase', 'platform'].map((d) => `/ok?${name}-${d}`);
    const native = await created(
      'POST',
      '/v1/endpoints',
      key,
      endpointBody({ url: receiver.url(paths[0]), topics: ['post.created'] }),
    );
    const featurebase = await created('POST', '/featurebase/v2/webhooks', key, {
      name: 'fb',
      url: 'https://example.com/fb',
      topics: ['post.created'],
    });
    // The dialect takes https only; pointed at the receiver as featurebase.e2e-spec does.
    await t.dataSource.query('UPDATE endpoints SET url = $1 WHERE id = $2', [
      receiver.url(paths[1]),
      featurebase.id,
    ]);
    const platform = await created('POST', '/platform/v1/webhooks', key, {
      name: 'platform',
      url: receiver.url(paths[2]),
      reference: name,
      included_actions: ['POST.CREATED'],
    });
    const event = await created(
      'POST',
      '/v1/events',
      key,
      {
        topic: 'post.created',
        data: { tenant: name },
      },
      202,
    );
    const apiKey = await created('POST', '/v1/api-keys', key, {
      name: 'spare',
      permissions: ['WEBHOOK.READ'],
    });
    const session = await created('POST', '/v1/portal-sessions', key, {
      permissions: ['WEBHOOK.READ'],
    });
    const delivery = await delivered(organizationId, event.id, native.id);
    for (const endpoint of [featurebase.id, platform.id])
      await delivered(organizationId, event.id, endpoint);
    return {
      organizationId,
      key,
      endpoints: { native: native.id, featurebase: featurebase.id, platform: platform.id },
      event: event.id,
      delivery,
      apiKey: apiKey.id,
      portalSession: session.id,
      paths,
    };
  };

  const fill = (route: Route, ids: Omit<Tenant, 'organizationId' | 'key'>) => {
    const entry = MATRIX[route.key];
    const dialect = dialectOf(route.path);
    const value = (
      {
        endpoint: ids.endpoints[dialect],
        event: ids.event,
        delivery: ids.delivery,
        apiKey: ids.apiKey,
        portalSession: ids.portalSession,
      } satisfies Record<Resource, string>
    )[entry.id];
    return route.path.replace(/[:*](\w+)/g, (_, name: string) =>
      name in NOT_IDS ? NOT_IDS[name] : value,
    );
  };

  /**
   * The id-bearing routes (of one dialect); deletions last, a sub-resource's before its resource's,
   * so that a leaking one hides nothing and the owner's own calls all find their resource.
   */
  const idRoutes = () => routes.filter((r) => namesResource(r) && !(r.key in OPERATOR_ROUTES));
  /** The id-bearing routes the matrix knows how to fill (the first test fails on any other). */
  const matrixRoutes = (dialect?: Dialect) =>
    idRoutes()
      .filter((r) => r.key in MATRIX && (!dialect || dialectOf(r.path) === dialect))
      .sort(
        (x, y) =>
          Number(x.method === 'DELETE') - Number(y.method === 'DELETE') ||
          (x.method === 'DELETE' ? y.path.length - x.path.length : 0),
      );

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(DELIVERY_ENV, { worker: true });
    operatorKey = (await t.app.get(ApiKeyService).create(null, 'operator', ['*'], new Date())).key;
    routes = routeTable(t.app);
    a = await makeTenant('tenant-a');
    b = await makeTenant('tenant-b');
    const named = await t.request('PATCH', `/v1/organizations/${b.organizationId}`, {
      key: operatorKey,
      body: { uid: B_UID },
    });
    if (named.status !== 200) throw new Error(`uid for B: ${named.status} ${named.text}`);

    const second = await created(
      'POST',
      '/v1/endpoints',
      a.key,
      endpointBody({ url: receiver.url('/ok?tenant-a-second'), topics: ['post.updated'] }),
    );
    const event = await created(
      'POST',
      '/v1/events',
      a.key,
      {
        topic: 'post.updated',
        data: { endpoint: 'second' },
      },
      202,
    );
    outside = {
      id: second.id,
      endpoints: { native: second.id, featurebase: second.id, platform: second.id },
      event: event.id,
      delivery: await delivered(a.organizationId, event.id, second.id),
      apiKey: a.apiKey,
      portalSession: a.portalSession,
      paths: ['/ok?tenant-a-second'],
    };
    // Failed, so that a recover or retry leaking across the boundary would requeue and resend them.
    await t.dataSource.query(`UPDATE deliveries SET status = 'failed' WHERE id = ANY($1)`, [
      [b.delivery, outside.delivery],
    ]);
    portalToken = (
      await created('POST', '/v1/portal-sessions', a.key, {
        permissions: ['WEBHOOK.READ', 'WEBHOOK.VIEW', 'EVENT.READ', 'WEBHOOK.UPDATE'],
        endpointIds: [a.endpoints.native],
      })
    ).token;
    before = {
      b: await organizationRows(b.organizationId),
      outside: await endpointRows(outside.id),
      receipts: receiptsAt([...b.paths, ...outside.paths]),
    };
  }, 60_000);

  afterAll(async () => {
    const unchanged = bUnchanged ? 'unchanged' : 'CHANGED';
    const line = (name: string, ids: string, answer: string, { ok, of }: Tally) =>
      `isolation ${name}: ${of} routes × ${ids} -> ${answer} ${ok}/${of}, ${unchanged}\n`;
    for (const dialect of ['native', 'featurebase', 'platform'] as const)
      process.stdout.write(line(dialect, "B's ids", '404', results[dialect]));
    process.stdout.write(line('portal', "B's + out-of-scope ids", '404|403', results.portal));
    await t?.close();
    await receiver?.stop();
  });

  it('knows how to fill every id-bearing route the router serves, and lists none it no longer serves', () => {
    const served = idRoutes().map((r) => r.key);
    expect(served.filter((key) => !(key in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((key) => !served.includes(key))).toEqual([]);
    expect(new Set(matrixRoutes().map((r) => dialectOf(r.path)))).toEqual(
      new Set(['native', 'featurebase', 'platform']),
    );
  });

  it('fills each reading route with ids its owner reads (200)', async () => {
    for (const route of matrixRoutes().filter((r) => r.method === 'GET')) {
      const response = await t.request('GET', fill(route, b), { key: b.key });
      expect({ route: route.key, status: response.status }).toEqual({
        route: route.key,
        status: 200,
      });
    }
  });

  /** What each dialect answers for another tenant's resource. */
  const notFound: Record<Dialect, (path: string) => unknown> = {
    native: () => ({
      contentType: expect.stringContaining('application/problem+json'),
      body: expect.objectContaining({ status: 404, code: 'NOT_FOUND' }),
    }),
    featurebase: () => ({
      body: {
        error: {
          type: 'invalid_request',
          code: 'not_found',
          message: expect.any(String),
          param: null,
          status: 404,
        },
      },
    }),
    platform: (path) => ({
      body: expect.objectContaining({
        type: 'INVALID_REQUEST',
        code: 'RESOURCE_NOT_FOUND',
        resource_id: path.split('/')[4],
        resource_type: 'WEBHOOK',
      }),
    }),
  };

  /**
   * The callers A acts as in a dialect: its key, and an operator key acting for A by the dialect's
   * header (`x-platform-id` for the platform, `X-Hookyard-Organization` elsewhere).
   */
  const callersOf = (dialect: Dialect): Record<string, Record<string, string>> => ({
    'tenant key': { authorization: `Bearer ${a.key}` },
    'operator key for A': {
      authorization: `Bearer ${operatorKey}`,
      [dialect === 'platform' ? 'x-platform-id' : 'x-hookyard-organization']: a.organizationId,
    },
  });

  it.each(['native', 'featurebase', 'platform'] as const)(
    'answers A 404 in the %s dialect on every route with B’s ids',
    async (dialect) => {
      const leaks: unknown[] = [];
      const dialectRoutes = matrixRoutes(dialect);
      expect(dialectRoutes.length).toBeGreaterThan(0);
      for (const route of dialectRoutes) {
        const path = fill(route, b);
        let ok = true;
        for (const [caller, headers] of Object.entries(callersOf(dialect))) {
          const response = await t.request(route.method, path, {
            headers,
            body: MATRIX[route.key].body?.(),
          });
          const answer = {
            status: response.status,
            contentType: response.contentType,
            body: response.body,
          };
          const expected = { status: 404, ...(notFound[dialect](path) as object) };
          try {
            expect(answer).toMatchObject(expected);
          } catch {
            ok = false;
            leaks.push({ route: route.key, caller, path, ...answer });
          }
        }
        results[dialect].of += 1;
        if (ok) results[dialect].ok += 1;
      }
      expect(leaks).toEqual([]);
    },
  );

  it('answers a portal session of A 404 for B’s ids and its own endpoints outside it, 403 off the portal', async () => {
    const wrong: unknown[] = [];
    for (const route of matrixRoutes()) {
      const expected = MATRIX[route.key].portal;
      let ok = true;
      for (const [whose, ids] of [
        ["B's", b],
        ['out of scope', outside],
      ] as const) {
        const response = await t.request(route.method, fill(route, ids), {
          key: portalToken,
          body: MATRIX[route.key].body?.(),
        });
        if (response.status !== expected) {
          ok = false;
          wrong.push({ route: route.key, whose, expected, status: response.status });
        }
      }
      results.portal.of += 1;
      if (ok) results.portal.ok += 1;
    }
    expect(wrong).toEqual([]);
  });

  it('reads its own endpoint through the same portal session (200), so the 404s are the scope’s', async () => {
    for (const route of matrixRoutes('native').filter(
      (r) => r.method === 'GET' && MATRIX[r.key].portal === 404,
    )) {
      const response = await t.request('GET', fill(route, a), { key: portalToken });
      expect({ route: route.key, status: response.status }).toEqual({
        route: route.key,
        status: 200,
      });
    }
  });

  it('answers A’s key 403 OPERATOR_ONLY and A’s portal session 403 on every operator route', async () => {
    const served = routes.filter(
      (r) => r.path.startsWith('/v1/organizations') || r.path.startsWith('/v1/operator-keys'),
    );
    expect(served.map((r) => r.key).sort()).toEqual(Object.keys(OPERATOR_ROUTES).sort());
    const answers = [];
    for (const route of served) {
      const path = route.path
        .replace(':organization', B_UID)
        .replace(':uid', B_UID)
        .replace(':id', b.apiKey);
      const body = OPERATOR_ROUTES[route.key].body?.();
      const callers: Record<string, Record<string, string>> = {
        'tenant key': { authorization: `Bearer ${a.key}` },
        'tenant key naming B': {
          authorization: `Bearer ${a.key}`,
          'x-hookyard-organization': b.organizationId,
          'x-platform-id': b.organizationId,
        },
        'portal session': { authorization: `Bearer ${portalToken}` },
      };
      for (const [caller, headers] of Object.entries(callers)) {
        const response = await t.request(route.method, path, { headers, body });
        answers.push({
          route: route.key,
          caller,
          status: response.status,
          code: response.body?.code,
        });
      }
    }
    expect(answers).toEqual(
      answers.map(({ route, caller }) => ({
        route,
        caller,
        status: 403,
        code: caller === 'portal session' ? 'FORBIDDEN' : 'OPERATOR_ONLY',
      })),
    );
  });

  it('answers A 404 when it names B (by id or uid) in any dialect’s organization header', async () => {
    const calls = [
      ['GET', '/v1/endpoints', 'x-hookyard-organization'],
      ['POST', '/v1/events', 'x-hookyard-organization'],
      ['GET', '/v1/whoami', 'x-hookyard-organization'],
      ['GET', '/featurebase/v2/webhooks', 'x-hookyard-organization'],
      ['GET', '/platform/v1/webhooks', 'x-platform-id'],
    ] as const;
    const answers = [];
    for (const [method, path, header] of calls) {
      for (const named of [b.organizationId, B_UID]) {
        for (const [caller, key] of [
          ['tenant key', a.key],
          ['portal session', portalToken],
        ] as const) {
          const response = await t.request(method, path, {
            headers: { authorization: `Bearer ${key}`, [header]: named },
            body: method === 'POST' ? { topic: 'post.created', data: { leak: true } } : undefined,
          });
          answers.push({ path, named, caller, status: response.status });
        }
      }
    }
    // The key is answered as if B did not exist; the session is refused one way or the other (the
    // dialects and whole-organization routes are closed to it: 403).
    expect(answers).toEqual(
      answers.map((answer) => ({
        ...answer,
        status: answer.caller === 'tenant key' || answer.status === 404 ? 404 : 403,
      })),
    );
  });

  it('changed none of B’s rows nor those of the endpoint outside the session, and sent nothing to them', async () => {
    expect(await organizationRows(b.organizationId)).toEqual(before.b);
    expect(await endpointRows(outside.id)).toEqual(before.outside);
    expect(receiptsAt([...b.paths, ...outside.paths])).toBe(before.receipts);
    bUnchanged = true;
  });

  it('lets B make each of the same calls on its own ids, so the 404s above are the tenancy’s', async () => {
    const answers = [];
    for (const route of matrixRoutes()) {
      const response = await t.request(route.method, fill(route, b), {
        key: b.key,
        body: MATRIX[route.key].body?.(),
      });
      const reached = response.status >= 200 && response.status < 300;
      const status = reached || OWNER_ALSO[route.key] === response.status ? '2xx' : response.status;
      answers.push({ route: route.key, status });
    }
    expect(answers).toEqual(
      answers.map(({ route }) => ({ route, status: OWNER_ANSWERS[route] ?? '2xx' })),
    );
  });
});

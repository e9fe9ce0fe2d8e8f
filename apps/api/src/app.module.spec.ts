import { type INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SecretCipher } from '@hookyard/data-access';
import { ApiKeyGuard, PermissionGuard, type RouteEntry, routeTable } from '@hookyard/api';
import { loadConfig } from '@hookyard/config';
import { createApp } from './app.factory';

/** The routes anyone may call: probes, metrics (its own token check), the console's pages. */
const PUBLIC_CONTROLLERS = /^(HealthController|MetricsController|ConsoleController)\./;
/** The one route any authenticated caller may use, whatever its permissions. */
const AUTHENTICATED_ONLY = ['WhoamiController.whoami'];
/**
 * Routes the app serves outside Nest's controllers, so outside its guards: the API docs, which
 * `SwaggerModule.setup` mounts (public by design: the document and its UI hold no tenant data).
 */
const NON_NEST_ROUTES = [
  'GET /docs',
  'GET /docs/',
  'GET /docs/index.html',
  'GET /docs/LICENSE',
  'GET /docs/swagger-ui-init.js',
  'GET /docs/docs/swagger-ui-init.js',
  'GET /docs-yaml',
  'GET /openapi.json',
];

interface ExpressLayer {
  readonly route?: { readonly path: string; readonly methods: Record<string, boolean> };
}

/** Every route the HTTP server answers, as `METHOD /path`, from Express's own router. */
function expressRoutes(app: INestApplication): string[] {
  const server = app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  return server.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods).map(
          (method) => `${method.toUpperCase()} ${layer.route?.path}`,
        )
      : [],
  );
}

/**
 * The route table of the real app (every module, nested imports and dialects included): each route
 * declares its access, and the declaration carries the guards that enforce it. The app is built
 * over a database it never connects to, as `npm run openapi:write` does.
 */
describe('route guards', () => {
  let app: INestApplication;
  let table: RouteEntry[];

  beforeAll(async () => {
    const key = Buffer.alloc(32);
    ({ app } = await createApp(
      loadConfig({ HOOKYARD_ENCRYPTION_KEY: key.toString('base64') }),
      { dataSource: new DataSource({ type: 'postgres' }), cipher: SecretCipher.fromKey(key) },
      { logger: false },
    ));
    await app.init();
    table = routeTable(app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('X9 finds every route, those of the dialect modules too', () => {
    const routes = table.map((r) => r.route);
    expect(routes).toEqual(expect.arrayContaining(['GET /v1/portal-sessions', 'GET /healthz']));
    expect(routes.some((r) => r.startsWith('POST /featurebase/'))).toBe(true);
    expect(routes.some((r) => r.startsWith('POST /platform/'))).toBe(true);
    expect(table.length).toBeGreaterThanOrEqual(40);
  });

  it('X9 every route declares a permission, authentication alone, or public, with the guards that enforce it', () => {
    const faults = table.flatMap((route) => {
      const fault = faultOf(route);
      return fault ? [`${route.name} (${route.route}): ${fault}`] : [];
    });
    expect(faults).toEqual([]);
  });

  it('X9 the HTTP server answers no route outside the table but the API docs', () => {
    const mapped = new Set(table.map((r) => r.route));
    const outside = [...new Set(expressRoutes(app))].filter((r) => !mapped.has(r));
    expect(outside.sort()).toEqual([...NON_NEST_ROUTES].sort());
  });
});

/** Why a route is not properly declared; null when it is. */
function faultOf(route: RouteEntry): string | null {
  switch (route.access?.kind) {
    case undefined:
      return 'declares no access (RequirePermission, RequireAuthentication or Public)';
    case 'public':
      return PUBLIC_CONTROLLERS.test(route.name) ? null : 'public outside the probes and console';
    case 'authenticated':
      if (!AUTHENTICATED_ONLY.includes(route.name)) return 'authentication alone, no permission';
      return sameGuards(route.guards, [ApiKeyGuard]) ? null : 'not guarded by ApiKeyGuard alone';
    case 'permission':
      if (!/^[A-Z_]+\.[A-Z]+$/.test(route.access.permission)) return 'malformed permission';
      return sameGuards(route.guards, [ApiKeyGuard, PermissionGuard])
        ? null
        : 'not guarded by ApiKeyGuard then PermissionGuard';
  }
}

function sameGuards(actual: readonly unknown[], expected: readonly unknown[]): boolean {
  return actual.length === expected.length && actual.every((guard, i) => guard === expected[i]);
}

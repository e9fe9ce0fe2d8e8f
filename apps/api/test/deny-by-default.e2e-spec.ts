import { randomBytes } from 'node:crypto';
import {
  type ArgumentsHost,
  Controller,
  type ExceptionFilter,
  Get,
  type INestApplication,
  Module,
  UseGuards,
} from '@nestjs/common';
import { type Response } from 'express';
import { type DataSource } from 'typeorm';
import {
  ApiKeyGuard,
  createApp,
  OrganizationsService,
  routeTable,
  statusOf,
  toApiError,
} from '@hookyard/api';
import { loadConfig } from '@hookyard/config';
import {
  createTestDatabase,
  openDatabase,
  SecretCipher,
  type TestDatabase,
} from '@hookyard/data-access';
import { DIALECTS } from '../src/app.factory';

/** A route someone forgot to declare, and one that authenticates but declares nothing. */
@Controller('test-only')
class UndeclaredController {
  @Get('undeclared')
  undeclared() {
    return { leaked: true };
  }

  @Get('key-only')
  @UseGuards(ApiKeyGuard)
  keyOnly() {
    return { leaked: true };
  }
}

@Module({ controllers: [UndeclaredController] })
class InnerTestModule {}

/** The controller sits one import down, where a walk of the root's imports alone missed routes. */
@Module({ imports: [InnerTestModule] })
class OuterTestModule {}

/** The test-only dialect's error shape: status and code. */
const testOnlyErrors: ExceptionFilter = {
  catch(exception: unknown, host: ArgumentsHost) {
    const error = toApiError(exception);
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(statusOf(error.code))
      .json({ code: error.code, detail: error.message });
  },
};

/**
 * The global guard refuses a route that declares no access, whatever module it comes from; the
 * probes, the docs and declared routes keep working.
 */
describe('deny by default', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let app: INestApplication;
  let base: string;
  let key: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openDatabase({ url: database.url, poolSize: 3 });
    const encryptionKey = randomBytes(32);
    ({ app } = await createApp(
      loadConfig({
        HOOKYARD_ENCRYPTION_KEY: encryptionKey.toString('base64'),
        HOOKYARD_RATE_LIMIT_PER_SECOND: '0',
      }),
      { dataSource, cipher: SecretCipher.fromKey(encryptionKey) },
      {
        dialects: [
          ...DIALECTS,
          {
            module: OuterTestModule,
            dialect: { name: 'test-only', mountPath: '/test-only/', errorFilter: testOnlyErrors },
          },
        ],
      },
    ));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    key = (await app.get(OrganizationsService).create('deny-by-default')).apiKey;
  });

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
    await database?.drop();
  });

  const get = async (path: string, withKey = false) => {
    const response = await fetch(`${base}${path}`, {
      headers: withKey ? { authorization: `Bearer ${key}` } : {},
    });
    return { status: response.status, text: await response.text() };
  };

  it('X9 the route table names the undeclared routes of a nested test-only module', () => {
    const undeclared = routeTable(app).filter((route) => route.access === null);
    expect(undeclared.map((route) => route.route).sort()).toEqual([
      'GET /test-only/key-only',
      'GET /test-only/undeclared',
    ]);
  });

  it.each([
    ['without a key', false],
    ['with an all-permission key', true],
  ])('X9 refuses a route that declares no access (403), %s', async (_, withKey) => {
    for (const path of ['/test-only/undeclared', '/test-only/key-only']) {
      const response = await get(path, withKey);
      expect(response.status).toBe(403);
      expect(JSON.parse(response.text)).toEqual({
        code: 'FORBIDDEN',
        detail: 'this route declares no access rule',
      });
    }
  });

  it('X9 keeps the probes, metrics, docs and declared routes working', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/docs', '/openapi.json'])
      expect([path, (await get(path)).status]).toEqual([path, 200]);
    expect((await get('/v1/whoami', true)).status).toBe(200);
    expect((await get('/v1/endpoints', true)).status).toBe(200);
    expect((await get('/v1/endpoints')).status).toBe(401);
  });
});

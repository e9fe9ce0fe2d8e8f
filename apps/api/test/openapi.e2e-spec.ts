import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from './harness';

const COMMITTED = join(__dirname, '..', 'openapi.json');

describe('API documentation', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await fetch(`${t.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger');
  });

  it('serves the committed OpenAPI document (run `npm run openapi:write` after changing the API)', async () => {
    const served = (await t.request('GET', '/openapi.json')).body;
    expect(served.paths['/v1/endpoints']).toBeDefined();
    const text = `${JSON.stringify(served, null, 2)}\n`;
    if (process.env['UPDATE_OPENAPI'] === '1') writeFileSync(COMMITTED, text);
    expect(text).toBe(readFileSync(COMMITTED, 'utf8'));
  });

  it('answers /healthz and /readyz without a key', async () => {
    expect((await t.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await t.request('GET', '/readyz')).body).toEqual({ status: 'ready', database: 'up' });
  });

  it('serves /metrics without a key unless HOOKYARD_METRICS_TOKEN is set', async () => {
    const open = await fetch(`${t.baseUrl}/metrics`);
    expect(open.status).toBe(200);
    expect(await open.text()).toContain('hookyard_deliveries_pending');

    const token = 'metrics_token_0123456789';
    const guarded = await startTestApp({ HOOKYARD_METRICS_TOKEN: token });
    try {
      const without = await fetch(`${guarded.baseUrl}/metrics`);
      expect(without.status).toBe(401);
      expect(without.headers.get('content-type')).toContain('application/problem+json');
      const wrong = await fetch(`${guarded.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${token}x` },
      });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${guarded.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('hookyard_endpoints');
    } finally {
      await guarded.close();
    }
  });
});

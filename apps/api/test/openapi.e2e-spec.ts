import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startTestApp, type TestApp } from './harness';

const COMMITTED = join(__dirname, '..', 'openapi.json');
const REPOSITORY = join(__dirname, '..', '..', '..');

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

  it('X13 serves /docs under a CSP that allows only its own scripts, and every asset the page names loads', async () => {
    const page = await fetch(`${t.baseUrl}/docs`);
    const csp = page.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    // Renders under script-src 'self': no inline script, no script or style from elsewhere.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const [, attributes = '', body = ''] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body.trim()).toBe('');
    }
    const assets = [...html.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      const url = new URL(asset, page.url);
      expect(url.origin).toBe(t.baseUrl);
      const response = await fetch(url);
      expect([asset, response.status]).toEqual([asset, 200]);
      expect(response.headers.get('content-security-policy')).toBe(csp);
      await response.arrayBuffer();
    }
    // The init script runs the UI on the document it carries (no fetch of another origin, no eval).
    const init = await (await fetch(`${t.baseUrl}/docs/swagger-ui-init.js`)).text();
    expect(init).toContain('SwaggerUIBundle(');
    expect(init).not.toMatch(/\beval\(|new Function\(/);
  });

  it('serves the committed OpenAPI document (run `npm run openapi:write` after changing the API)', async () => {
    const served = (await t.request('GET', '/openapi.json')).body;
    expect(served.paths['/v1/endpoints']).toBeDefined();
    const text = `${JSON.stringify(served, null, 2)}\n`;
    const committed = readFileSync(COMMITTED, 'utf8');
    if (text !== committed) {
      throw new Error(
        `${relative(REPOSITORY, COMMITTED)} differs from the document the API serves ` +
          `(${firstDifference(committed, text)}): run \`npm run openapi:write\` and commit the result`,
      );
    }
  });

  it('answers /healthz and /readyz without a key', async () => {
    expect((await t.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await t.request('GET', '/readyz');
    expect([ready.status, ready.body]).toEqual([
      200,
      { status: 'ready', checks: { database: 'up', migrations: 'applied', worker: 'none' } },
    ]);
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

/** Where two texts first differ, as `line N: committed "…", served "…"`, for the drift message. */
function firstDifference(committed: string, served: string): string {
  const [committedLines, servedLines] = [committed.split('\n'), served.split('\n')];
  const found = committedLines.findIndex((line, i) => line !== servedLines[i]);
  const at = found === -1 ? committedLines.length : found;
  const quote = (line: string | undefined) =>
    line === undefined ? 'end of file' : JSON.stringify(line);
  return `line ${at + 1}: committed ${quote(committedLines[at])}, served ${quote(servedLines[at])}`;
}

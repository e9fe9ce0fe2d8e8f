import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from './harness';

const INDEX = '<!doctype html><title>Hookyard console</title><div id="root"></div>';
const ASSET = 'console.log("console build 1a2b3c");';
const NO_FRAMING =
  "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/** A fetch that keeps the response headers, which the harness's `request` leaves out. */
async function get(t: TestApp, path: string): Promise<{ response: Response; text: string }> {
  const response = await fetch(`${t.baseUrl}${path}`, { redirect: 'manual' });
  return { response, text: await response.text() };
}

/** A GET with the path sent exactly as written (fetch would resolve its dot segments first). */
function rawGet(t: TestApp, path: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(t.baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpGet({ hostname, port, path }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on('error', reject);
  });
}

/** The console served from a directory that stands in for `apps/console/dist`. */
describe('the console at /console', () => {
  let t: TestApp;
  let dir: string;
  let key: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookyard-console-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), INDEX);
    await writeFile(join(dir, 'assets', 'index-1a2b3c.js'), ASSET);
    await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(dir, '.env'), 'SECRET=1');
    t = await startTestApp({ HOOKYARD_CONSOLE_DIR: dir });
    ({ apiKey: key } = await t.createOrganization());
  });

  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at /console, revalidated on every load and never framed', async () => {
    for (const path of ['/console', '/console/']) {
      const { response, text } = await get(t, path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(text).toBe(INDEX);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toBe(NO_FRAMING);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers the SPA’s own routes with index.html', async () => {
    for (const path of [
      '/console/endpoints',
      '/console/endpoints/0123456789abcdef01234567/edit',
      '/console/events/abc?x=1',
      '/console/portal',
    ]) {
      const { response, text } = await get(t, path);
      expect(response.status).toBe(200);
      expect(text).toBe(INDEX);
      expect(response.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable, and a missing one as a 404, not as HTML', async () => {
    const asset = await get(t, '/console/assets/index-1a2b3c.js');
    expect(asset.response.status).toBe(200);
    expect(asset.response.headers.get('content-type')).toContain('javascript');
    expect(asset.text).toBe(ASSET);
    expect(asset.response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.response.headers.get('content-security-policy')).toBe(NO_FRAMING);
    const missing = await get(t, '/console/assets/index-000000.js');
    expect(missing.response.status).toBe(404);
    expect(missing.response.headers.get('content-type')).toContain('application/problem+json');
    const other = await get(t, '/console/favicon.svg');
    expect(other.response.headers.get('content-type')).toContain('image/svg+xml');
    expect(other.response.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves nothing outside its directory, and no dotfile', async () => {
    for (const path of [
      '/console/../../package.json',
      '/console/%2e%2e/%2e%2e/package.json',
      '/console/..%2f..%2f..%2f..%2fpackage.json',
      '/console/assets/..%2f..%2fpackage.json',
      '/console/.env',
      '/console/%2eenv',
    ]) {
      const { status, text } = await rawGet(t, path);
      // The SPA's page in place of the file, or a 404 where a router already refused the path.
      expect({ path, answer: status === 404 ? 'not found' : text }).toEqual({
        path,
        answer: status === 404 ? 'not found' : INDEX,
      });
    }
  });

  it('leaves the API, the docs and the probes as they were', async () => {
    const api = await t.request('GET', '/v1/endpoints');
    expect(api.status).toBe(401);
    expect(api.body.code).toBe('UNAUTHENTICATED');
    expect((await t.request('GET', '/v1/endpoints', { key })).status).toBe(200);
    expect((await t.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const openapi = await t.request('GET', '/openapi.json');
    expect(openapi.status).toBe(200);
    expect(Object.keys(openapi.body.paths).some((p) => p.startsWith('/console'))).toBe(false);
    expect((await t.request('GET', '/v1/nothing-here', { key })).status).toBe(404);
    const { response } = await get(t, '/consoles');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBeNull();
  });

  describe('the portal page', () => {
    const frameAncestors = (response: Response) =>
      /frame-ancestors ([^;]+)$/.exec(response.headers.get('content-security-policy') ?? '')?.[1];

    it('may be framed by the allowed origins of a live session’s organization only', async () => {
      const origins = ['https://app.example.com', 'http://localhost:5173'];
      expect(
        (
          await t.request('PATCH', '/v1/organization', {
            key,
            body: { portalAllowedOrigins: origins },
          })
        ).status,
      ).toBe(200);
      const session = await t.request('POST', '/v1/portal-sessions', {
        key,
        body: { permissions: ['WEBHOOK.READ'] },
      });
      const url = new URL(session.body.url);
      const portal = await get(t, `${url.pathname}${url.search}`);
      expect(portal.response.status).toBe(200);
      expect(portal.text).toBe(INDEX);
      expect(frameAncestors(portal.response)).toBe('https://app.example.com http://localhost:5173');
      expect(portal.response.headers.get('x-frame-options')).toBeNull();
      // Only the portal's page: the rest of the console is never framed.
      const elsewhere = await get(t, `/console/endpoints?session=${session.body.id}`);
      expect(frameAncestors(elsewhere.response)).toBe("'none'");

      await t.request('DELETE', `/v1/portal-sessions/${session.body.id}`, { key });
      const revoked = await get(t, `/console/portal?session=${session.body.id}`);
      expect(frameAncestors(revoked.response)).toBe("'none'");
      expect(revoked.response.headers.get('x-frame-options')).toBe('DENY');
    });

    it('X13 gives the organization’s frame-ancestors to /console/portal alone, never to an admin screen below it', async () => {
      await t.request('PATCH', '/v1/organization', {
        key,
        body: { portalAllowedOrigins: ['https://app.example.com'] },
      });
      const session = await t.request('POST', '/v1/portal-sessions', {
        key,
        body: { permissions: ['WEBHOOK.READ'] },
      });
      expect(session.status).toBe(201);
      const id = session.body.id as string;
      expect(frameAncestors((await get(t, `/console/portal?session=${id}`)).response)).toBe(
        'https://app.example.com',
      );
      for (const path of ['portal/api-keys', 'portal/endpoints/new', 'portal/']) {
        const { response, text } = await get(t, `/console/${path}?session=${id}`);
        expect(response.status).toBe(200);
        expect(text).toBe(INDEX); // the SPA, which would route to an admin screen
        expect(response.headers.get('content-security-policy')).toBe(NO_FRAMING);
        expect(response.headers.get('x-frame-options')).toBe('DENY');
      }
    });

    it('may not be framed for an unknown, malformed or expired session, or an organization that allows none', async () => {
      const other = await t.createOrganization();
      const session = await t.request('POST', '/v1/portal-sessions', {
        key: other.apiKey,
        body: { permissions: ['WEBHOOK.READ'] },
      });
      expect(session.status).toBe(201);
      const expiring = await t.request('POST', '/v1/portal-sessions', {
        key,
        body: { permissions: ['WEBHOOK.READ'] },
      });
      await t.dataSource.query(
        `UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [expiring.body.id],
      );
      for (const query of [
        `?session=${session.body.id}`,
        `?session=${expiring.body.id}`,
        '?session=ffffffffffffffffffffffff',
        '?session=nope',
        `?session=${expiring.body.id}&session=${session.body.id}`,
        '',
      ]) {
        const { response } = await get(t, `/console/portal${query}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-security-policy')).toBe(NO_FRAMING);
      }
    });
  });
});

describe('the console before it is built', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookyard-console-empty-'));
    t = await startTestApp({ HOOKYARD_CONSOLE_DIR: dir });
  });

  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 404 CONSOLE_NOT_BUILT, saying how to build it', async () => {
    for (const path of ['/console', '/console/endpoints', '/console/assets/index.js']) {
      const response = await t.request('GET', path);
      expect(response.status).toBe(404);
      expect(response.contentType).toContain('application/problem+json');
      expect(response.body.code).toBe('CONSOLE_NOT_BUILT');
      expect(response.body.detail).toContain('npx nx run console:build');
    }
  });

  it('serves the console once it is built, without a restart', async () => {
    await writeFile(join(dir, 'index.html'), INDEX);
    const response = await t.request('GET', '/console/endpoints');
    expect(response.status).toBe(200);
    expect(response.text).toBe(INDEX);
  });
});

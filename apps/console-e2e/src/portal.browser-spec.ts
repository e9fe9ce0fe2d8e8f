import { type Browser, type Page } from 'playwright-core';
import { eventually } from './eventually';
import { FramingPage } from './framing-page';
import { launchBrowser, newPage, startStack, type Stack } from './harness';
import { action, checkScreen, reloadUntilVisible, storage } from './page-helpers';

interface PortalSession {
  readonly id: string;
  readonly url: string;
  readonly token: string;
  readonly expiresAt: string;
}

const REFRESH_URL = 'https://partner.example/webhooks/portal-refresh';
/** How long the server may trust a looked-up session (PORTAL_SESSION_CACHE_MS, 5 s) plus slack. */
const SESSION_CACHE_WINDOW_MS = 8_000;
/** What a session limited to reading may not do: none of these controls may show. */
const EDIT_CONTROLS = [
  'New endpoint',
  'Edit',
  'Delete',
  'Pause',
  'Reactivate',
  'Rotate secret',
  'Send test',
  'Retry',
  'Recover',
];

/**
 * The tenant portal: a session made through the API for one endpoint of an organization that has two,
 * with read permissions only, opened from its URL as a partner's user would.
 */
describe('the portal, for a read-only session limited to one endpoint', () => {
  let stack: Stack;
  let browser: Browser;
  let shop: { id: string; url: string };
  let billing: { id: string; url: string };
  let foreign: { endpointId: string; eventId: string; key: string };

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    const create = async (path: string, name: string, key?: string) => {
      const url = stack.receiver.url(path);
      const created = await stack.api('POST', '/v1/endpoints', {
        key,
        body: { url, name, topics: ['post.created'] },
      });
      expect(created.status).toBe(201);
      return { id: created.body.id as string, url };
    };
    shop = await create('/portal-shop', 'Shop');
    billing = await create('/portal-billing', 'Billing');
    // A failed delivery to the shop endpoint: a Retry button would show if the session allowed it.
    stack.receiver.answer('/portal-shop', 500);
    const published = await stack.api('POST', '/v1/events', {
      body: { topic: 'post.created', data: { title: 'Portal test' } },
    });
    expect(published.status).toBe(202);
    await eventually(async () => {
      const deliveries = await stack.api('GET', `/v1/events/${published.body.id}/deliveries`);
      const toShop = (deliveries.body.data as { endpointId: string; status: string }[]).find(
        (delivery) => delivery.endpointId === shop.id,
      );
      expect(toShop?.status).toBe('failed');
    }, 20_000);

    const other = await stack.createOrganization('Other tenant');
    const otherEndpoint = await create('/other-tenant', 'Other tenant', other.apiKey);
    const otherEvent = await stack.api('POST', '/v1/events', {
      key: other.apiKey,
      body: { topic: 'post.created', data: { title: 'Not yours' } },
    });
    expect(otherEvent.status).toBe(202);
    foreign = {
      endpointId: otherEndpoint.id,
      eventId: otherEvent.body.id as string,
      key: other.apiKey,
    };
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function createSession(
    theme: Record<string, string> = { accentColor: '#1d4ed8', mode: 'light' },
  ): Promise<PortalSession> {
    const created = await stack.api('POST', '/v1/portal-sessions', {
      body: {
        permissions: ['WEBHOOK.READ', 'EVENT.READ'],
        endpointIds: [shop.id],
        expiresInSeconds: 3600,
        theme,
        refreshUrl: REFRESH_URL,
      },
    });
    expect(created.status).toBe(201);
    const session = created.body as PortalSession;
    expect(session.token).toMatch(/^hkp_/);
    expect(session.url).toBe(
      `${stack.base}/console/portal?session=${session.id}#token=${session.token}`,
    );
    return session;
  }

  /** Opens the session's URL in a fresh tab and waits for its endpoint list. */
  async function openPortal(session: PortalSession): Promise<Page> {
    const page = await newPage(browser);
    await page.goto(session.url);
    await page.getByRole('heading', { name: 'Endpoints', level: 1 }).waitFor();
    return page;
  }

  /** The open page, reloaded, says the session has expired (within the server's cache window). */
  async function expectExpiredScreen(page: Page): Promise<void> {
    await page.reload();
    await reloadUntilVisible(
      page,
      page.getByRole('heading', { name: 'This session has expired' }),
      SESSION_CACHE_WINDOW_MS,
    );
    const refresh = page.getByRole('link', { name: 'Get a new session' });
    expect(await refresh.getAttribute('href')).toBe(REFRESH_URL);
  }

  it('moves the token out of the URL and shows only its endpoint, without edit controls', async () => {
    const session = await createSession();
    const page = await openPortal(session);
    expect(page.url()).not.toContain('#');
    expect(page.url()).not.toContain(session.token);
    expect(await storage(page)).toEqual({
      apiKey: null,
      portalToken: session.token,
      organization: null,
      localStorageKeys: 0,
    });

    await page.getByRole('link', { name: shop.url }).waitFor();
    expect(await page.getByRole('link', { name: billing.url }).count()).toBe(0);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Endpoints', exact: true }).waitFor();
    expect(await nav.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    expect(await action(page, 'New endpoint').count()).toBe(0);
    await checkScreen(page, 'portal');

    await page.getByRole('link', { name: shop.url }).click();
    await page.getByRole('heading', { name: 'Shop', level: 1 }).waitFor();
    const deliveries = page.getByRole('region', { name: 'Deliveries' });
    await reloadUntilVisible(page, deliveries.getByRole('row').filter({ hasText: 'failed' }));
    for (const name of EDIT_CONTROLS)
      expect([name, await action(page, name).count()]).toEqual([name, 0]);
    await checkScreen(page, 'portal-endpoint');

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Events' })
      .click();
    await page.getByRole('heading', { name: 'Events', level: 1 }).waitFor();
    await page.getByLabel('Event ID').waitFor();
    expect(await page.getByRole('region', { name: 'Publish a test event' }).count()).toBe(0);
    await page.close();
  });

  it("wears the session's theme: its accent colour, dark mode and logo", async () => {
    const logoUrl = 'https://partner.example/logo.png';
    const page = await openPortal(
      await createSession({ accentColor: '#5b21b6', mode: 'dark', logoUrl }),
    );
    const look = await page.evaluate(() => ({
      mode: document.documentElement.dataset['theme'],
      accent: document.documentElement.style.getPropertyValue('--accent'),
    }));
    expect(look).toEqual({ mode: 'dark', accent: '#5b21b6' });
    expect(await page.getByRole('img', { name: 'Logo' }).getAttribute('src')).toBe(logoUrl);
    await page.close();
  });

  it('answers 404 for endpoints and events outside the session, through the API and the console', async () => {
    const session = await createSession();
    const asPortal = (method: string, path: string, body?: unknown) =>
      stack.api(method, path, { key: session.token, body });

    const whoami = await asPortal('GET', '/v1/whoami');
    expect(whoami.status).toBe(200);
    expect(whoami.body).toMatchObject({
      endpointIds: [shop.id],
      portal: { sessionId: session.id, refreshUrl: REFRESH_URL },
    });
    expect((await asPortal('GET', `/v1/endpoints/${shop.id}`)).status).toBe(200);
    const listed = await asPortal('GET', '/v1/endpoints');
    expect((listed.body.data as { id: string }[]).map((endpoint) => endpoint.id)).toEqual([
      shop.id,
    ]);
    for (const path of [
      `/v1/endpoints/${billing.id}`,
      `/v1/endpoints/${foreign.endpointId}`,
      `/v1/endpoints/${foreign.endpointId}/deliveries`,
      `/v1/events/${foreign.eventId}`,
    ])
      expect([path, (await asPortal('GET', path)).status]).toEqual([path, 404]);
    for (const [method, path] of [
      ['POST', '/v1/endpoints'],
      ['POST', '/v1/events'],
      ['GET', '/v1/api-keys'],
      ['POST', '/v1/portal-sessions'],
    ] as const)
      expect([
        path,
        (await asPortal(method, path, method === 'GET' ? undefined : {})).status,
      ]).toEqual([path, 403]);

    const page = await openPortal(session);
    for (const id of [foreign.endpointId, billing.id]) {
      await page.goto(`${stack.base}/console/endpoints/${id}`);
      await page
        .getByText(/not found/i)
        .first()
        .waitFor();
      expect(await page.getByRole('heading', { name: /Other tenant|Billing/ }).count()).toBe(0);
    }
    await page.close();
  });

  it('can be framed by the origins the organization allows, and by no other', async () => {
    const allowed = await new FramingPage().start();
    const denied = await new FramingPage().start();
    try {
      const updated = await stack.api('PATCH', '/v1/organization', {
        body: { portalAllowedOrigins: [allowed.origin] },
      });
      expect(updated.status).toBe(200);
      expect(updated.body.portalAllowedOrigins).toEqual([allowed.origin]);
      const session = await createSession();

      const portal = await fetch(session.url);
      expect(portal.headers.get('content-security-policy')).toContain(
        `frame-ancestors ${allowed.origin}`,
      );
      expect(portal.headers.get('x-frame-options')).toBeNull();
      const consoleScreen = await fetch(`${stack.base}/console/endpoints`);
      expect(consoleScreen.headers.get('content-security-policy')).toContain(
        "frame-ancestors 'none'",
      );
      expect(consoleScreen.headers.get('x-frame-options')).not.toBeNull();

      const page = await newPage(browser);
      await page.goto(allowed.framing(session.url));
      const framed = page.getByTitle('Webhook portal').contentFrame();
      await framed.getByRole('heading', { name: 'Endpoints', level: 1 }).waitFor();
      await framed.getByRole('link', { name: shop.url }).waitFor();

      await page.goto(denied.framing(session.url));
      // Chromium replaces a frame that frame-ancestors refuses with its error page.
      await eventually(() => {
        const child = page.mainFrame().childFrames()[0];
        expect(child?.url()).toMatch(/^chrome-error:/);
      });
      expect(
        await page
          .getByTitle('Webhook portal')
          .contentFrame()
          .getByRole('heading', { name: 'Endpoints' })
          .count(),
      ).toBe(0);
      await page.close();
    } finally {
      await allowed.stop();
      await denied.stop();
    }
  });

  it('has its token refused by the API after revocation and after expiry', async () => {
    const revoked = await createSession();
    const expired = await createSession();
    for (const session of [revoked, expired])
      expect((await stack.api('GET', '/v1/whoami', { key: session.token })).status).toBe(200);

    // Another tenant cannot revoke it: its id answers 404 there.
    const foreignRevoke = await stack.api('DELETE', `/v1/portal-sessions/${revoked.id}`, {
      key: foreign.key,
    });
    expect(foreignRevoke.status).toBe(404);
    expect((await stack.api('DELETE', `/v1/portal-sessions/${revoked.id}`)).status).toBe(204);
    await stack.sql(
      `UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [expired.id],
    );

    const expectRefused = async (session: PortalSession) => {
      for (const path of ['/v1/whoami', `/v1/endpoints/${shop.id}`]) {
        const refused = await stack.api('GET', path, { key: session.token });
        expect([path, refused.status]).toEqual([path, 401]);
        expect(refused.body).toMatchObject({
          code: 'PORTAL_SESSION_EXPIRED',
          refreshUrl: REFRESH_URL,
        });
      }
    };
    // A revocation through this server takes effect at once.
    await expectRefused(revoked);
    // The expiry moved in the database: within the server's session cache window (5 s).
    await eventually(() => expectRefused(expired), SESSION_CACHE_WINDOW_MS);
    const unknown = await stack.api('GET', '/v1/whoami', { key: `hkp_${'x'.repeat(43)}` });
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('UNAUTHENTICATED');
  });

  it('tells an open page that its session was revoked, with the refresh link', async () => {
    const session = await createSession();
    const page = await openPortal(session);
    expect((await stack.api('DELETE', `/v1/portal-sessions/${session.id}`)).status).toBe(204);
    await expectExpiredScreen(page);
    await checkScreen(page, 'portal-expired');
    await page.close();
  });

  it('tells an open page that its session expired, with the refresh link', async () => {
    const session = await createSession();
    const page = await openPortal(session);
    await stack.sql(
      `UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [session.id],
    );
    await expectExpiredScreen(page);
    await page.close();
  });
});

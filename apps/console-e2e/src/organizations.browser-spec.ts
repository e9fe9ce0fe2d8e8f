import { type Browser, type Page } from 'playwright-core';
import { eventually } from './eventually';
import {
  expectNoSeriousA11yViolations,
  launchBrowser,
  newPage,
  screenshot,
  startStack,
  type Stack,
} from './harness';
import {
  action,
  checkScreen,
  choose,
  keepSignedIn,
  lastPathSegment,
  storage,
} from './page-helpers';

/** The receiver path of the endpoint the console creates for the new organization. */
const PATH = '/acme';

/**
 * The console signed in with an operator key against the built server and a real PostgreSQL: it
 * makes an organization, configures it, acts as it through the tenant screens, gives it a key and
 * deletes it. The steps share one signed-in page and build on one another.
 */
describe('the console, signed in with an operator key', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let organizationId: string;

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    page = await newPage(browser);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Calls the API as the operator. */
  const operator = (method: string, path: string, options: { body?: unknown } = {}) =>
    stack.api(method, path, { ...options, key: stack.operatorKey });

  /** The organization the console created; made through the API if that step failed. */
  async function organization(): Promise<string> {
    if (organizationId) return organizationId;
    const created = await operator('POST', '/v1/organizations', {
      body: { name: 'Acme', uid: 'acme' },
    });
    expect(created.status).toBe(201);
    organizationId = created.body.id as string;
    return organizationId;
  }

  async function openOrganization(): Promise<void> {
    await page.goto(`${stack.base}/console/organizations/${await organization()}`);
    await page.getByRole('heading', { name: 'Acme', level: 1 }).waitFor();
  }

  it('signs in with an operator key and asks which organization to act for', async () => {
    await page.goto(`${stack.base}/console/`);
    await page.getByLabel('API key').fill(stack.operatorKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose an organization', level: 1 }).waitFor();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Organizations', exact: true })
      .waitFor();
    await page.getByRole('combobox', { name: 'Organization' }).waitFor();
    expect(await storage(page)).toEqual({
      apiKey: stack.operatorKey,
      portalToken: null,
      organization: null,
      localStorageKeys: 0,
    });
    await checkScreen(page, 'choose-organization');
  });

  it('shows a tenant key neither the Organizations link nor the picker', async () => {
    const tenant = await newPage(browser);
    try {
      await tenant.goto(`${stack.base}/console/sign-in`);
      await tenant.getByLabel('API key').fill(stack.apiKey);
      await tenant.getByRole('button', { name: 'Sign in' }).click();
      await tenant.getByRole('heading', { name: 'Endpoints', level: 1 }).waitFor();
      const nav = tenant.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'API keys', exact: true }).waitFor();
      expect(await nav.getByRole('link', { name: 'Organizations' }).count()).toBe(0);
      expect(await tenant.getByRole('combobox', { name: 'Organization' }).count()).toBe(0);
    } finally {
      await tenant.context().close();
    }
  });

  describe('once signed in', () => {
    beforeEach(() => keepSignedIn(page, stack.base, stack.operatorKey));

    it('creates an organization, showing a taken uid beside its field first', async () => {
      expect(
        (await operator('POST', '/v1/organizations', { body: { name: 'Taken', uid: 'taken' } }))
          .status,
      ).toBe(201);
      const refusal = await operator('POST', '/v1/organizations', {
        body: { name: 'Again', uid: 'taken' },
      });
      expect(refusal.status).toBe(409);
      expect(refusal.body.errors[0]).toMatchObject({ path: 'uid' });

      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Organizations' })
        .click();
      await page.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
      await page.getByRole('row').filter({ hasText: 'taken' }).waitFor();
      await checkScreen(page, 'organizations');

      await page.getByRole('button', { name: 'New organization' }).click();
      const dialog = page.getByRole('dialog', { name: 'New organization' });
      await dialog.getByLabel('Name').fill('Acme');
      const uid = dialog.getByLabel('UID');
      await uid.fill('taken');
      await dialog.getByRole('button', { name: 'Create organization' }).click();
      const message = refusal.body.errors[0].message as string;
      await dialog.getByRole('alert').filter({ hasText: message }).waitFor();
      await eventually(async () => expect(await uid.getAttribute('aria-invalid')).toBe('true'));
      await expectNoSeriousA11yViolations(page);

      await uid.fill('acme');
      await dialog.getByRole('button', { name: 'Create organization' }).click();
      await page.getByRole('heading', { name: 'Acme', level: 1 }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Organization created.' }).waitFor();
      organizationId = lastPathSegment(page);
      const stored = await operator('GET', '/v1/organizations/acme');
      expect(stored.body).toMatchObject({ id: organizationId, name: 'Acme', uid: 'acme' });
    });

    it('changes its settings, showing the API’s refusal of a bad origin first', async () => {
      const id = await organization();
      await openOrganization();
      const refusal = await operator('PATCH', `/v1/organizations/${id}`, {
        body: { settings: { portalAllowedOrigins: ['ftp://example.com'] } },
      });
      expect(refusal.status).toBe(400);
      const message = refusal.body.errors[0].message as string;

      const settings = page.getByRole('region', { name: 'Settings' });
      await settings.getByLabel('Name', { exact: true }).fill('Acme Corp');
      await settings.getByLabel('Endpoint limit').fill('5');
      await settings.getByLabel('Management rate (calls per second)').fill('20');
      await settings.getByLabel('Management burst').fill('40');
      await settings.getByLabel('Retry schedule (seconds)').fill('5, 30, 120');
      await settings.getByLabel('Pause after (failures)').fill('25');
      await settings.getByLabel('Outbound allow-list').fill('10.1.0.0/16\nhooks.internal');
      const origins = settings.getByLabel('Portal allowed origins');
      await origins.fill('ftp://example.com');
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByRole('alert').filter({ hasText: message }).first().waitFor();
      await eventually(async () => expect(await origins.getAttribute('aria-invalid')).toBe('true'));

      await origins.fill('https://app.example.com');
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
      await page.getByRole('heading', { name: 'Acme Corp', level: 1 }).waitFor();
      const stored = await operator('GET', `/v1/organizations/${id}`);
      expect(stored.body).toMatchObject({
        name: 'Acme Corp',
        settings: {
          endpointLimit: 5,
          rateLimits: { management: { perSecond: 20, burst: 40 }, publishing: null },
          retryScheduleSeconds: [5, 30, 120],
          thresholds: { pauseAfter: 25, penaltyAfter: null },
          outboundAllow: ['10.1.0.0/16', 'hooks.internal'],
          portalAllowedOrigins: ['https://app.example.com'],
        },
      });

      // Back to its name, so the later steps find it as "Acme".
      await settings.getByLabel('Name', { exact: true }).fill('Acme');
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await page.getByRole('heading', { name: 'Acme', level: 1 }).waitFor();
      await checkScreen(page, 'organization');
    });

    it('acts as the organization: an endpoint made in the tenant screens is its own', async () => {
      const id = await organization();
      await openOrganization();
      await choose(page.getByRole('combobox', { name: 'Organization' }), 'Acme (acme)');
      await eventually(async () => expect((await storage(page)).organization).toBe(id));

      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Endpoints' }).click();
      await page.getByRole('heading', { name: 'Endpoints', level: 1 }).waitFor();
      await page.getByText('No endpoints yet').waitFor();
      await action(page, 'New endpoint').first().click();
      await page.getByLabel('URL', { exact: true }).fill(stack.receiver.url(PATH));
      await page.getByLabel('Name', { exact: true }).fill('Acme orders');
      await page.getByRole('checkbox', { name: 'post.created', exact: true }).check();
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      await page.getByRole('heading', { name: 'Acme orders', level: 1 }).waitFor();
      const endpointId = lastPathSegment(page);

      await nav.getByRole('link', { name: 'Endpoints' }).click();
      await page.getByRole('link', { name: stack.receiver.url(PATH) }).waitFor();
      await checkScreen(page, 'endpoints-as-organization');

      const asAcme = await stack.api('GET', `/v1/endpoints/${endpointId}`, {
        key: stack.operatorKey,
        organization: id,
      });
      expect(asAcme.status).toBe(200);
      expect((await stack.api('GET', `/v1/endpoints/${endpointId}`)).status).toBe(404);

      // A reload keeps the choice for the tab.
      await page.reload();
      await page.getByRole('link', { name: stack.receiver.url(PATH) }).waitFor();
      expect(await page.getByRole('combobox', { name: 'Organization' }).inputValue()).toBe(id);
    });

    it('makes an API key for the organization, shows it once, and revokes it', async () => {
      const id = await organization();
      await openOrganization();
      const keys = page.getByRole('region', { name: 'API keys' });
      await keys.getByRole('button', { name: 'New API key' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name').fill('Acme backend');
      await dialog.getByRole('checkbox', { name: 'WEBHOOK.READ', exact: true }).check();
      await dialog.getByRole('button', { name: 'Create key' }).click();
      const shown = page.getByRole('textbox', { name: 'New API key' });
      await shown.waitFor();
      const key = await shown.inputValue();
      expect(key).toMatch(/^hk_/);
      await expectNoSeriousA11yViolations(page);
      await screenshot(page, 'organization-key-created');

      const whoami = await stack.api('GET', '/v1/whoami', { key });
      expect(whoami.body).toMatchObject({ organizationId: id, permissions: ['WEBHOOK.READ'] });
      const endpoints = await stack.api('GET', '/v1/endpoints', { key });
      expect(endpoints.body.data.map((e: { url: string }) => e.url)).toEqual([
        stack.receiver.url(PATH),
      ]);

      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      const row = keys.getByRole('row').filter({ hasText: 'Acme backend' });
      await row.getByText('WEBHOOK.READ').waitFor();
      await row.getByRole('button', { name: 'Revoke' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
      await row.waitFor({ state: 'detached' });
      expect((await stack.api('GET', '/v1/whoami', { key })).status).toBe(401);
    });

    it('deletes the organization after a confirm and stops acting for it', async () => {
      const id = await organization();
      await openOrganization();
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      const confirm = page.getByRole('dialog');
      await confirm.getByText('This cannot be undone.').waitFor();
      await expectNoSeriousA11yViolations(page);
      await confirm.getByRole('button', { name: 'Delete organization' }).click();

      await page.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Organization “Acme” deleted.' }).waitFor();
      await page.getByRole('row').filter({ hasText: 'taken' }).waitFor();
      // The list refetches after the notice shows: wait for the deleted row to leave it.
      await page.getByRole('link', { name: 'Acme', exact: true }).waitFor({ state: 'detached' });
      expect(await page.getByRole('link', { name: 'Acme', exact: true }).count()).toBe(0);
      expect((await operator('GET', `/v1/organizations/${id}`)).status).toBe(404);
      expect((await storage(page)).organization).toBeNull();

      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Endpoints' })
        .click();
      await page.getByRole('heading', { name: 'Choose an organization', level: 1 }).waitFor();
    });
  });
});

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
  reloadUntilVisible,
  storage,
} from './page-helpers';

/** The receiver path of the endpoint the console creates. */
const PATH = '/orders';

/**
 * The console against the built server, its worker, a real PostgreSQL and a receiver on 127.0.0.1,
 * step by step as an operator uses it. The steps share one signed-in page and build on one another.
 */
describe('the console, signed in with an API key', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let endpointId: string;
  let eventId: string;

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    page = await newPage(browser);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** The endpoint the console created; made through the API if that step failed, so later steps still report. */
  async function endpoint(): Promise<string> {
    if (endpointId) return endpointId;
    const created = await stack.api('POST', '/v1/endpoints', {
      body: {
        url: stack.receiver.url(PATH),
        name: 'Orders',
        topics: ['post.created', 'post.updated'],
      },
    });
    expect(created.status).toBe(201);
    endpointId = created.body.id as string;
    return endpointId;
  }

  async function openEndpoint(): Promise<void> {
    await page.goto(`${stack.base}/console/endpoints/${await endpoint()}`);
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
  }

  it('signs in with an API key that it keeps in sessionStorage only', async () => {
    await page.goto(`${stack.base}/console/`);
    await page.getByRole('heading', { name: 'Sign in to Hookyard' }).waitFor();
    await checkScreen(page, 'sign-in');

    const wrongKey = 'hk_not_a_key_of_this_server_0123456789';
    const refused = await stack.api('GET', '/v1/endpoints', { key: wrongKey });
    expect(refused.status).toBe(401);
    await page.getByLabel('API key').fill(wrongKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: refused.body.detail as string })
      .waitFor();

    await page.getByLabel('API key').fill(stack.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Endpoints', level: 1 }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Endpoints', 'Events', 'API keys'])
      await nav.getByRole('link', { name, exact: true }).waitFor();
    expect(await storage(page)).toEqual({
      apiKey: stack.apiKey,
      portalToken: null,
      organization: null,
      localStorageKeys: 0,
    });
    expect(page.url()).not.toContain(stack.apiKey);
  });

  describe('once signed in', () => {
    beforeEach(() => keepSignedIn(page, stack.base, stack.apiKey));

    it('creates an endpoint pointing at the receiver, showing the API field errors first', async () => {
      await page.goto(`${stack.base}/console/endpoints`);
      await action(page, 'New endpoint').first().click();
      await page.getByLabel('URL', { exact: true }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/console/endpoints/new');
      await checkScreen(page, 'endpoint-new');

      // A scheme the API refuses: its message shows beside the field and in the alert summary.
      const refusal = await stack.api('POST', '/v1/endpoints', {
        body: { url: 'ftp://example.com/hooks', topics: ['post.created'] },
      });
      expect(refusal.body.errors[0]).toMatchObject({ path: 'url' });
      const url = page.getByLabel('URL', { exact: true });
      await url.fill('ftp://example.com/hooks');
      await page.getByLabel('Name', { exact: true }).fill('Orders');
      await page.getByLabel('Description').fill('Order events for the fulfilment service');
      await page.getByRole('checkbox', { name: 'post.created', exact: true }).check();
      await page.getByRole('checkbox', { name: 'post.updated', exact: true }).check();
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      const message = refusal.body.errors[0].message as string;
      await page.getByRole('alert').filter({ hasText: message }).first().waitFor();
      await eventually(async () => expect(await url.getAttribute('aria-invalid')).toBe('true'));
      const describedBy = (await url.getAttribute('aria-describedby')) ?? '';
      const description = await Promise.all(
        describedBy
          .split(/\s+/)
          .filter(Boolean)
          .map((id) => page.locator(`[id="${id}"]`).textContent()),
      );
      expect(description.join(' ')).toContain(message);

      await url.fill(stack.receiver.url(PATH));
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
      endpointId = lastPathSegment(page);

      const stored = await stack.api('GET', `/v1/endpoints/${endpointId}`);
      expect(stored.status).toBe(200);
      expect(stored.body).toMatchObject({
        url: stack.receiver.url(PATH),
        name: 'Orders',
        status: 'active',
        topics: expect.arrayContaining(['post.created', 'post.updated']),
      });

      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Endpoints' })
        .click();
      await page.getByRole('heading', { name: 'Endpoints', level: 1 }).waitFor();
      await page.getByRole('link', { name: stack.receiver.url(PATH) }).waitFor();
      await page.getByLabel('Status').waitFor();
      await checkScreen(page, 'endpoints');
    });

    it('publishes an event from the Events screen and shows it with its delivery', async () => {
      const id = await endpoint();
      await page.goto(`${stack.base}/console/events`);
      await page.getByRole('heading', { name: 'Events', level: 1 }).waitFor();
      await checkScreen(page, 'events');

      const publish = page.getByRole('region', { name: 'Publish a test event' });
      await choose(publish.getByLabel('Topic'), 'post.created');
      await publish.getByLabel('Payload (JSON)').fill('{"title": "Order 1001 placed"}');
      await publish.getByRole('button', { name: 'Publish' }).click();
      await page.waitForURL(/\/console\/events\/[^/]+$/);
      eventId = lastPathSegment(page);

      await stack.receiver.received(PATH, 200);
      const deliveries = await stack.api('GET', `/v1/events/${eventId}/deliveries`);
      expect(deliveries.body.data).toEqual([expect.objectContaining({ endpointId: id })]);
      await page.getByText('post.created').first().waitFor();
      await page.getByText('Order 1001 placed').first().waitFor();
      await reloadUntilVisible(page, page.getByText('succeeded'));
      const toEndpoint = page.getByRole('link', { name: /Orders|127\.0\.0\.1/ });
      expect(await toEndpoint.first().getAttribute('href')).toMatch(
        new RegExp(`/endpoints/${id}$`),
      );
      await checkScreen(page, 'event-detail');

      // The lookup finds the same event by its id.
      await page.goto(`${stack.base}/console/events`);
      await page.getByLabel('Event ID').fill(eventId);
      await page.getByRole('button', { name: 'Look up' }).click();
      await page.waitForURL(new RegExp(`/console/events/${eventId}$`));
      await page.getByText('Order 1001 placed').first().waitFor();
    });

    it('shows the delivery on the endpoint and expands its attempt', async () => {
      await openEndpoint();
      const deliveries = page.getByRole('region', { name: 'Deliveries' });
      const row = deliveries.getByRole('row').filter({ hasText: 'post.created' });
      await reloadUntilVisible(page, row.filter({ hasText: 'succeeded' }));
      await row.first().getByRole('link', { name: 'View event' }).waitFor();
      await row.first().getByRole('button', { name: 'Attempts' }).click();
      // The attempt: the receiver's status and the request headers that were sent.
      await deliveries
        .getByText(/\b200\b/)
        .first()
        .waitFor();
      await deliveries
        .getByText(/webhook-id/i)
        .first()
        .waitFor();
      await expectNoSeriousA11yViolations(page);
      await screenshot(deliveries, 'endpoint-deliveries');
    });

    it('sends a test and shows what the receiver answered', async () => {
      await openEndpoint();
      const before = stack.receiver.receipts(PATH).length;
      const test = page.getByRole('region', { name: 'Send a test event' });
      await test.getByLabel('Topic').waitFor();
      await test.getByRole('button', { name: 'Send test' }).click();
      await test.getByText('Receiver answered 200').waitFor();
      expect(stack.receiver.receipts(PATH).length).toBe(before + 1);
      await page
        .getByRole('region', { name: 'Health' })
        .getByRole('img', { name: 'Success rate and response time' })
        .waitFor();
      await checkScreen(page, 'endpoint-detail');
    });

    it('rotates the signing secret, keeping the old one for the hours asked', async () => {
      await openEndpoint();
      const before = await stack.api('GET', `/v1/endpoints/${endpointId}/secret`);
      const region = page.getByRole('region', { name: 'Signing secret' });
      await region.getByRole('button', { name: 'Reveal secret' }).click();
      const shown = region.getByRole('textbox');
      await shown.waitFor();
      expect(await shown.inputValue()).toBe(before.body.secret);

      await region.getByRole('button', { name: 'Rotate secret' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Keep the old secret for (hours)').fill('2');
      await expectNoSeriousA11yViolations(page);
      const asked = Date.now();
      await dialog.getByRole('button', { name: 'Rotate', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });

      const after = await eventually(async () => {
        const secret = await stack.api('GET', `/v1/endpoints/${endpointId}/secret`);
        expect(secret.body.secret).not.toBe(before.body.secret);
        return secret;
      });
      expect(after.body.previousSecrets).toEqual([
        expect.objectContaining({ secret: before.body.secret }),
      ]);
      const keptMs = Date.parse(after.body.previousSecrets[0].expiresAt as string) - asked;
      expect(Math.abs(keptMs - 2 * 3600_000)).toBeLessThan(60_000);
      // The page shows the new secret, and the old one among those still signing.
      await eventually(async () => expect(await shown.inputValue()).toBe(after.body.secret));
      await region.getByText(before.body.secret as string).waitFor();
    });

    it('pauses the endpoint and reactivates it', async () => {
      await openEndpoint();
      await page.getByRole('button', { name: 'Pause', exact: true }).click();
      await page.getByRole('button', { name: 'Reactivate' }).waitFor();
      await page.getByText('paused', { exact: true }).first().waitFor();
      expect((await stack.api('GET', `/v1/endpoints/${endpointId}`)).body.status).toBe('paused');

      await page.getByRole('button', { name: 'Reactivate' }).click();
      await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
      await page.getByText('active', { exact: true }).first().waitFor();
      expect((await stack.api('GET', `/v1/endpoints/${endpointId}`)).body.status).toBe('active');
    });

    it('retries a failed delivery once the receiver is back', async () => {
      const id = await endpoint();
      stack.receiver.answer(PATH, 500);
      const published = await stack.api('POST', '/v1/events', {
        body: { topic: 'post.updated', data: { title: 'Order 1001 changed' } },
      });
      expect(published.status).toBe(202);
      const failedEvent = published.body.id as string;
      // Two tries a second apart (HOOKYARD_RETRY_SCHEDULE=1s), then the delivery is failed.
      const failed = await eventually(async () => {
        const listed = await stack.api('GET', `/v1/events/${failedEvent}/deliveries`);
        const [delivery] = listed.body.data as { id: string; status: string; endpointId: string }[];
        expect(delivery).toMatchObject({ status: 'failed', endpointId: id });
        return delivery;
      }, 20_000);
      stack.receiver.answer(PATH, 200);

      await openEndpoint();
      const row = page
        .getByRole('region', { name: 'Deliveries' })
        .getByRole('row')
        .filter({ hasText: 'post.updated' });
      await reloadUntilVisible(page, row.filter({ hasText: 'failed' }));
      await row.getByRole('button', { name: 'Retry' }).click();

      await eventually(async () => {
        const delivery = await stack.api('GET', `/v1/events/${failedEvent}/deliveries`);
        expect(delivery.body.data[0]).toMatchObject({ id: failed?.id, status: 'succeeded' });
      }, 20_000);
      expect(
        stack.receiver
          .receipts(PATH)
          .filter((r) => r.webhookId === failedEvent)
          .map((r) => r.status),
      ).toEqual([500, 500, 200]);
      await reloadUntilVisible(page, row.filter({ hasText: 'succeeded' }));
      expect(await row.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    });

    it('creates an API key, shows it once, and revokes it', async () => {
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'API keys' })
        .click();
      await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
      await page.getByRole('table').waitFor();
      await checkScreen(page, 'api-keys');

      await page.getByRole('button', { name: 'New API key' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name').fill('Deploy pipeline');
      await dialog.getByRole('checkbox', { name: 'EVENT.PUBLISH', exact: true }).check();
      await dialog.getByRole('button', { name: 'Create key' }).click();
      const shown = page.getByRole('textbox', { name: 'New API key' });
      await shown.waitFor();
      expect(await shown.getAttribute('readonly')).not.toBeNull();
      const key = await shown.inputValue();
      expect(key).toMatch(/^hk_/);
      await expectNoSeriousA11yViolations(page);
      await screenshot(page, 'api-key-created');

      const whoami = await stack.api('GET', '/v1/whoami', { key });
      expect(whoami.status).toBe(200);
      expect(whoami.body.permissions).toEqual(['EVENT.PUBLISH']);

      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      const row = page.getByRole('row').filter({ hasText: 'Deploy pipeline' });
      await row.getByText('EVENT.PUBLISH').waitFor();
      await row.getByRole('button', { name: 'Revoke' }).click();
      const confirm = page.getByRole('dialog');
      await confirm.getByRole('button', { name: 'Revoke key' }).click();
      // While the modal is open the rows are aria-hidden (out of reach of role locators): wait for it to close first.
      await confirm.waitFor({ state: 'hidden' });
      await row.waitFor({ state: 'detached' });
      expect((await stack.api('GET', '/v1/whoami', { key })).status).toBe(401);
    });

    it('signs out and forgets the key', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Hookyard' }).waitFor();
      expect(await storage(page)).toEqual({
        apiKey: null,
        portalToken: null,
        organization: null,
        localStorageKeys: 0,
      });
    });
  });
});

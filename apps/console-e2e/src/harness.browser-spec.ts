import { type Browser } from 'playwright-core';
import { expectNoSeriousA11yViolations, launchBrowser, newPage } from './harness';

/** The accessibility check the screens rely on must be able to fail. */
describe('expectNoSeriousA11yViolations', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('fails on a page with critical violations, naming the rules and the nodes', async () => {
    const page = await newPage(browser);
    await page.setContent(
      '<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>' +
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="logo">' +
        '<button id="mystery"></button></main></body></html>',
    );
    const failure = await expectNoSeriousA11yViolations(page).then(
      () => null,
      (error: unknown) => String(error),
    );
    expect(failure).toContain('image-alt (critical)');
    expect(failure).toContain('button-name (critical)');
    expect(failure).toContain('#logo');
    expect(failure).toContain('#mystery');
  });

  it('passes a page with accessible names and a landmark', async () => {
    const page = await newPage(browser);
    await page.setContent(
      '<!doctype html><html lang="en"><head><title>Good</title></head><body><main>' +
        '<h1>Endpoints</h1><button>New endpoint</button></main></body></html>',
    );
    await expect(expectNoSeriousA11yViolations(page)).resolves.toBeUndefined();
  });
});

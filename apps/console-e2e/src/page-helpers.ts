import { type Locator, type Page } from 'playwright-core';
import { eventually } from './eventually';
import { expectNoSeriousA11yViolations, screenshot } from './harness';

/** The checks every screen gets: axe finds nothing serious or critical, then its screenshot. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  await expectNoSeriousA11yViolations(page);
  await screenshot(page, name);
}

/**
 * Waits for `locator` to show, reloading the page between waits: for state the worker writes after
 * the page has loaded (a delivery that succeeds, fails or is retried).
 */
export async function reloadUntilVisible(
  page: Page,
  locator: Locator,
  timeoutMs = 20_000,
): Promise<void> {
  await eventually(
    async () => {
      try {
        await locator.first().waitFor({ state: 'visible', timeout: 2_000 });
      } catch (error) {
        await page.reload();
        throw error;
      }
    },
    timeoutMs,
    0,
  );
}

/** Picks `option` in a select, native (`<select>`) or a listbox-style combobox. */
export async function choose(control: Locator, option: string): Promise<void> {
  const tag = await control.evaluate((element) => element.tagName);
  if (tag === 'SELECT') {
    await control.selectOption({ label: option });
    return;
  }
  await control.click();
  await control.page().getByRole('option', { name: option, exact: true }).click();
}

/** A link or a button with this accessible name (a link styled as a button counts as either). */
export function action(scope: Page | Locator, name: string): Locator {
  return scope
    .getByRole('link', { name, exact: true })
    .or(scope.getByRole('button', { name, exact: true }));
}

/** The id at the end of the page's path (`/console/endpoints/<id>`). */
export function lastPathSegment(page: Page): string {
  const segment = new URL(page.url()).pathname.split('/').pop();
  if (!segment) throw new Error(`no id in ${page.url()}`);
  return segment;
}

/** What this tab keeps in its storage: the console's credentials must never reach localStorage. */
export async function storage(page: Page): Promise<{
  apiKey: string | null;
  portalToken: string | null;
  organization: string | null;
  localStorageKeys: number;
}> {
  return page.evaluate(() => ({
    apiKey: window.sessionStorage.getItem('hookyard.apiKey'),
    portalToken: window.sessionStorage.getItem('hookyard.portalToken'),
    organization: window.sessionStorage.getItem('hookyard.organization'),
    localStorageKeys: window.localStorage.length,
  }));
}

/**
 * Signs the tab in with `key` unless it already is: the steps after a sign-in step need a signed-in
 * tab, not that step's success, so each step reports its own findings when the sign-in failed.
 */
export async function keepSignedIn(page: Page, base: string, key: string): Promise<void> {
  const held = await storage(page).catch(() => null);
  if (held?.apiKey === key) return;
  await page.goto(`${base}/console/sign-in`);
  await page.evaluate((value) => window.sessionStorage.setItem('hookyard.apiKey', value), key);
}

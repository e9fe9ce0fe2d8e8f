import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AxeBuilder } from '@axe-core/playwright';
import { Client } from 'pg';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { createTestDatabase, freePort } from '@hookyard/data-access';
import { eventually } from './eventually';
import { Receiver } from './receiver';

const ROOT = join(__dirname, '..', '..', '..');
/** The built server (`nx run api:build`): the API and the delivery worker in one process. */
export const SERVER_MAIN = join(ROOT, 'apps', 'api', 'dist', 'main.js');
/** The built CLI, which makes the second tenant. */
const CLI_MAIN = join(ROOT, 'apps', 'api', 'dist', 'cli.js');
/** The built console (`nx run console:build`) that the server serves at /console. */
export const CONSOLE_DIST =
  process.env['HOOKYARD_CONSOLE_DIR'] || join(ROOT, 'apps', 'console', 'dist');
/** Debian's chromium, which tools/scripts/ensure-chromium.sh installs. */
export const CHROMIUM = process.env['HOOKYARD_CHROMIUM'] || '/usr/bin/chromium';
/**
 * Where the screenshots go: an ignored folder, so `npm test` changes no tracked file.
 * `npm run screenshots` points HOOKYARD_SCREENSHOT_DIR at the committed ones (docs/screenshots/console).
 */
export const SCREENSHOT_DIR = resolve(
  ROOT,
  process.env['HOOKYARD_SCREENSHOT_DIR'] || join('apps', 'console-e2e', 'dist', 'screenshots'),
);

const BOOTSTRAP_KEY = `hk_console_e2e_${randomBytes(16).toString('hex')}`;
const OPERATOR_KEY = `hk_console_operator_${randomBytes(16).toString('hex')}`;

/** What a test sends to the API and what it gets back. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

/** The running product: the built server with its worker role, its own database, a receiver. */
export interface Stack {
  /** Where the server answers, `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** The bootstrap key: every permission in the default organization. */
  readonly apiKey: string;
  /** The bootstrap operator key: of no organization, it manages them and acts for one at a time. */
  readonly operatorKey: string;
  readonly receiver: Receiver;
  /**
   * Calls the API with `key` as the bearer token (the bootstrap key unless named; null = none),
   * acting for `organization` (`X-Hookyard-Organization`) when one is named.
   */
  api(
    method: string,
    path: string,
    options?: { key?: string | null; body?: unknown; organization?: string },
  ): Promise<ApiResponse>;
  /** Runs one statement on the server's database. */
  sql(statement: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Makes another organization (through the CLI) with an all-permission key. */
  createOrganization(name: string): Promise<{ organizationId: string; apiKey: string }>;
  /** The server's log so far (JSON lines), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1 and the built server on a free port over a fresh database of the
 * tests' PostgreSQL, with plain http to 127.0.0.1 allowed, retries a second apart (a delivery to a
 * failing receiver ends `failed` after two tries) and fast polling. Resolves once `/readyz` says 200,
 * which includes the worker loop.
 */
export async function startStack(): Promise<Stack> {
  assertBuilt();
  const receiver = await new Receiver().start();
  const database = await createTestDatabase();
  const scratch = mkdtempSync(join(tmpdir(), 'hookyard-console-e2e-'));
  const logFile = join(scratch, 'server.log');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    HOOKYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    HOOKYARD_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY,
    HOOKYARD_BOOTSTRAP_OPERATOR_KEY: OPERATOR_KEY,
    HOOKYARD_CONSOLE_DIR: CONSOLE_DIST,
    HOOKYARD_REQUIRE_HTTPS: 'false',
    HOOKYARD_OUTBOUND_ALLOW: '127.0.0.1/32',
    HOOKYARD_RETRY_SCHEDULE: '1s',
    HOOKYARD_POLL_INTERVAL_MS: '50',
    HOOKYARD_LOG_FORMAT: 'json',
    HOOKYARD_LOG_LEVEL: 'info',
    HOOKYARD_SHUTDOWN_GRACE_SECONDS: '2',
    // The browser tests sign in again and again from one address, with wrong keys on purpose too.
    HOOKYARD_RATE_LIMIT_PER_SECOND: '0',
    HOOKYARD_PUBLISH_RATE_LIMIT_PER_SECOND: '0',
    HOOKYARD_AUTH_FAILURE_RATE_LIMIT_PER_SECOND: '0',
  };
  // The JSON log goes to a file: a pipe nobody reads fills up and blocks the server.
  const out = openSync(logFile, 'a');
  const server = spawn(process.execPath, [SERVER_MAIN], {
    cwd: scratch,
    env,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const stop = async () => {
    await stopChild(server);
    await receiver.stop();
    await database.drop();
    rmSync(scratch, { recursive: true, force: true });
  };
  const exited = new Promise<never>((_, reject) =>
    server.once('exit', (code) => reject(new Error(`the server exited (${code})`))),
  );
  exited.catch(() => undefined); // only the start-up race below listens to it
  try {
    await Promise.race([
      exited,
      eventually(async () => {
        if (server.exitCode !== null || server.signalCode !== null) return; // `exited` says why
        const response = await fetch(`${base}/readyz`);
        if (response.status !== 200) throw new Error(`/readyz answered ${response.status}`);
      }, 60_000),
    ]);
  } catch (error) {
    const output = log();
    await stop();
    throw new Error(`the server did not become ready: ${String(error)}\n${output}`);
  }
  return {
    base,
    apiKey: BOOTSTRAP_KEY,
    operatorKey: OPERATOR_KEY,
    receiver,
    async api(method, path, options = {}) {
      const key = options.key === undefined ? BOOTSTRAP_KEY : options.key;
      const headers: Record<string, string> = {};
      if (key) headers['authorization'] = `Bearer ${key}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.organization) headers['x-hookyard-organization'] = options.organization;
      const response = await fetch(`${base}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, headers: response.headers, body };
    },
    async sql(statement, params = []) {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        return (await client.query<Record<string, unknown>>(statement, params)).rows;
      } finally {
        await client.end();
      }
    },
    async createOrganization(name) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [CLI_MAIN, 'org', 'create', '--name', name],
        { cwd: scratch, env: { ...env, HOOKYARD_LOG_LEVEL: 'silent' } },
      );
      const lastLine = stdout.trim().split('\n').pop() ?? '';
      return JSON.parse(lastLine) as { organizationId: string; apiKey: string };
    },
    log,
    stop,
  };
}

/** Fails with what to run when the server or the console has not been built. */
export function assertBuilt(): void {
  for (const [file, project] of [
    [SERVER_MAIN, 'api'],
    [CLI_MAIN, 'api'],
    [join(CONSOLE_DIST, 'index.html'), 'console'],
  ] as const)
    if (!existsSync(file))
      throw new Error(`${file} is missing: build it first (npx nx run ${project}:build)`);
}

/** Fails with how to install it when Debian's chromium is not there. */
export function assertChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM}, which is missing: run tools/scripts/ensure-chromium.sh ` +
        '(apt-get install -y chromium), or point HOOKYARD_CHROMIUM at a Chromium binary',
    );
}

/** Debian's chromium, headless, as a container runs it (no sandbox, no GPU, no background traffic). */
export async function launchBrowser(): Promise<Browser> {
  assertChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A fresh page in its own context (its own sessionStorage), 1280x800, 30 s for every wait: CI runs
 * this suite beside the API's e2e tests on two cores, where a first page load once took over 10 s.
 */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(30_000);
  return context.newPage();
}

/** Runs axe on the page and fails on any violation of impact serious or critical, naming each. */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  if (serious.length === 0) return;
  const report = serious
    .map((violation) => {
      const nodes = violation.nodes
        .slice(0, 5)
        .map((node) => `    ${node.target.join(' ')}: ${node.failureSummary ?? ''}`)
        .concat(violation.nodes.length > 5 ? [`    … and ${violation.nodes.length - 5} more`] : [])
        .join('\n');
      return `  ${violation.id} (${violation.impact}): ${violation.help}\n${nodes}`;
    })
    .join('\n');
  throw new Error(`serious accessibility violations on ${page.url()}:\n${report}`);
}

/** Writes a PNG of the whole page (or of one part of it) to `SCREENSHOT_DIR/<name>.png`. */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`screenshot names are kebab-case: ${name}`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  const options = { path, animations: 'disabled', caret: 'hide' } as const;
  if ('goto' in target) await target.screenshot({ ...options, fullPage: true });
  else await target.screenshot(options);
  return path;
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

import { randomBytes } from 'node:crypto';
import { Agent, get as httpGet } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKeyRepository, freePort } from '@hookyard/data-access';
import { eventually, startTestApp, type TestApp } from './harness';
import { collectApart } from './json-logs';
import { spawnApi, stopChild } from './worker-process';

/**
 * The rate limits as an attacker meets them: the shipped defaults bind one key well below what one
 * API process serves, publishing and management count apart, and guessing keys from one address
 * meets 429 before it meets the database, per client address as a trusted proxy names it.
 */

/** The shipped defaults: an empty variable reads as unset (the harness turns every limit off). */
const DEFAULT_LIMITS = {
  HOOKYARD_RATE_LIMIT_PER_SECOND: '',
  HOOKYARD_RATE_LIMIT_BURST: '',
  HOOKYARD_PUBLISH_RATE_LIMIT_PER_SECOND: '',
  HOOKYARD_PUBLISH_RATE_LIMIT_BURST: '',
  HOOKYARD_AUTH_FAILURE_RATE_LIMIT_PER_SECOND: '',
  HOOKYARD_AUTH_FAILURE_RATE_LIMIT_BURST: '',
};

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

async function send(
  t: Pick<TestApp, 'baseUrl'>,
  method: string,
  path: string,
  key: string | null,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (key) headers['authorization'] = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${t.baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, headers: response.headers, body };
}

/** A GET through `agent`, read whole: its status, headers and JSON body. */
function getOver(agent: Agent, url: string, key: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers))
          if (typeof value === 'string') headers.set(name, value);
        resolve({ status: res.statusCode ?? 0, headers, body: JSON.parse(text) });
      });
    });
    request.on('error', reject);
  });
}

const guessedKey = () => `hk_${randomBytes(32).toString('base64url')}`;

/** A 429 as every refusal must be: RATE_LIMITED, with whole seconds to wait. */
function expectRefusal(answer: Answer | undefined): void {
  expect(answer?.status).toBe(429);
  expect(answer?.body).toMatchObject({ code: 'RATE_LIMITED' });
  expect(answer?.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
}

/** Sends `request` in batches of 10 until one answer is 429; answers that one (or undefined). */
async function untilRefused(request: () => Promise<Answer>): Promise<Answer | undefined> {
  for (let batch = 0; batch < 50; batch += 1) {
    const answers = await Promise.all(Array.from({ length: 10 }, request));
    const refused = answers.find((a) => a.status === 429);
    if (refused) return refused;
  }
  return undefined;
}

describe('X6 X7 rate limits with the shipped defaults', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp(DEFAULT_LIMITS);
    key = (await t.createOrganization()).apiKey;
  });

  afterAll(async () => {
    await t?.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('X6 holds 600 concurrent management calls from one key to the default bucket (200 at once, 100/s), the rest 429 with Retry-After, and lets the key in again', async () => {
    // The built API in a process of its own, as deployed: the test's own requests do not share its
    // event loop, so the 600 arrive faster than the default 100/s refills.
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = spawnApi(t, { PORT: String(port), ...DEFAULT_LIMITS });
    const output = collectApart(api);
    // 300 kept-alive connections (below the server's listen backlog of 511, so no connection waits
    // a second for a SYN retry), two calls on each: all 600 are sent at once.
    const agent = new Agent({ keepAlive: true, maxSockets: 300 });
    try {
      await eventually(
        () => expect(output.stdout() + output.stderr()).toContain('API docs:'),
        30_000,
      );
      const at = { baseUrl: base };
      expect((await send(at, 'GET', '/v1/endpoints', key)).status).toBe(200); // the key is known now
      const started = performance.now();
      const answers = await Promise.all(
        Array.from({ length: 600 }, () => getOver(agent, `${base}/v1/endpoints`, key)),
      );
      const elapsedS = (performance.now() - started) / 1000;
      const allowed = answers.filter((a) => a.status === 200);
      const refused = answers.filter((a) => a.status === 429);
      console.log(
        `X6: 600 concurrent GET /v1/endpoints in ${elapsedS.toFixed(2)} s: ${allowed.length} x 200, ${refused.length} x 429`,
      );
      expect(allowed.length + refused.length).toBe(600);
      // The default bucket: 199 left after the first call, 100 a second after that, and a token of
      // slack for timing.
      const bound = 199 + Math.ceil(100 * elapsedS) + 1;
      expect(allowed.length).toBeLessThanOrEqual(bound);
      expect(refused.length).toBeGreaterThanOrEqual(600 - bound);
      expect(refused.length).toBeGreaterThan(0);
      expect(new Set(answers.map((a) => a.headers.get('ratelimit-limit')))).toEqual(
        new Set(['200']),
      );
      for (const answer of refused) expectRefusal(answer);

      // Waiting as long as RateLimit-Reset says (it is never shorter than Retry-After) lets the key
      // in again with its whole burst.
      const resetS = Math.max(...answers.map((a) => Number(a.headers.get('ratelimit-reset'))));
      await sleep(resetS * 1000);
      const again = await send(at, 'GET', '/v1/endpoints', key);
      expect(again.status).toBe(200);
      expect(again.headers.get('ratelimit-remaining')).toBe('199');
    } finally {
      agent.destroy();
      await stopChild(api);
    }
  }, 60_000);

  it('X7 answers 300 guessed keys from one address 429 before 300 database lookups, and a known key still passes', async () => {
    expect((await send(t, 'GET', '/v1/endpoints', key)).status).toBe(200); // cached: no lookup later
    const lookups = jest.spyOn(ApiKeyRepository.prototype, 'findActiveByHash');
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 300 }, () => send(t, 'GET', '/v1/endpoints', guessedKey())),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const unauthenticated = answers.filter((a) => a.status === 401).length;
    const refused = answers.filter((a) => a.status === 429);
    console.log(
      `X7: 300 guessed keys in ${elapsedS.toFixed(2)} s: ${unauthenticated} x 401, ${refused.length} x 429, ` +
        `${lookups.mock.calls.length} database lookups`,
    );
    expect(unauthenticated + refused.length).toBe(300);
    // Each 401 cost one lookup; every other guess was refused before any (default 10/s, burst 20).
    expect(lookups.mock.calls.length).toBe(unauthenticated);
    expect(lookups.mock.calls.length).toBeLessThanOrEqual(20 + Math.ceil(10 * elapsedS) + 1);
    for (const answer of refused) expectRefusal(answer);
    // A key already known valid is not held up by its address's failures (it needs no lookup).
    expect((await send(t, 'GET', '/v1/endpoints', key)).status).toBe(200);
  });
});

describe('X6 X7 separate buckets', () => {
  const PER_SECOND = 2;
  const BURST = 5;
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      HOOKYARD_RATE_LIMIT_PER_SECOND: String(PER_SECOND),
      HOOKYARD_RATE_LIMIT_BURST: String(BURST),
      HOOKYARD_PUBLISH_RATE_LIMIT_PER_SECOND: String(PER_SECOND),
      HOOKYARD_PUBLISH_RATE_LIMIT_BURST: String(BURST * 2),
      HOOKYARD_AUTH_FAILURE_RATE_LIMIT_PER_SECOND: String(PER_SECOND),
      HOOKYARD_AUTH_FAILURE_RATE_LIMIT_BURST: String(BURST),
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('X6 lets a key whose management bucket is empty publish, and refuses publishing in its own bucket', async () => {
    const { apiKey } = await t.createOrganization();
    const event = { topic: 'post.created', data: { n: 1 } };
    expectRefusal(await untilRefused(() => send(t, 'GET', '/v1/endpoints', apiKey)));
    const published = await send(t, 'POST', '/v1/events', apiKey, { body: event });
    expect(published.status).toBe(202);
    expect(published.headers.get('ratelimit-limit')).toBe(String(BURST * 2));
    const batch = await send(t, 'POST', '/v1/events/batch', apiKey, { body: { events: [event] } });
    expect(batch.status).toBe(200);

    const refused = await untilRefused(() =>
      send(t, 'POST', '/v1/events', apiKey, { body: event }),
    );
    expectRefusal(refused);
    expect(refused?.headers.get('ratelimit-limit')).toBe(String(BURST * 2));
  });

  it("X7 refuses an address past its failed authentications in each dialect's 429 shape, without a lookup", async () => {
    const { apiKey } = await t.createOrganization();
    expect((await send(t, 'GET', '/v1/endpoints', apiKey)).status).toBe(200);
    expectRefusal(await untilRefused(() => send(t, 'GET', '/v1/endpoints', guessedKey())));
    const lookups = jest.spyOn(ApiKeyRepository.prototype, 'findActiveByHash');
    const featurebase = await send(t, 'GET', '/featurebase/v2/webhooks', guessedKey());
    expect(featurebase.status).toBe(429);
    expect(featurebase.body).toMatchObject({ error: { type: 'rate_limit', code: 'rate_limited' } });
    expect(Number(featurebase.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const platform = await send(t, 'GET', '/platform/v1/webhooks', guessedKey());
    expect(platform.status).toBe(429);
    expect(platform.body).toMatchObject({ type: 'INVALID_REQUEST', code: 'TOO_MANY_REQUESTS' });
    expect(Number(platform.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // No key at all is a failed authentication too.
    expectRefusal(await send(t, 'GET', '/v1/endpoints', null));
    // Refused before the database: none of these guesses was looked up.
    expect(lookups).not.toHaveBeenCalled();
    lookups.mockRestore();
  });
});

describe('X7 client addresses behind a proxy', () => {
  const LIMITS = {
    HOOKYARD_AUTH_FAILURE_RATE_LIMIT_PER_SECOND: '1',
    HOOKYARD_AUTH_FAILURE_RATE_LIMIT_BURST: '3',
  };
  const behind = (address: string) => ({ headers: { 'x-forwarded-for': address } });

  /** Client A guesses until refused; answers what client B's first guess gets. */
  async function secondClientAfterFirstIsRefused(t: TestApp): Promise<Answer> {
    const refused = await untilRefused(() =>
      send(t, 'GET', '/v1/endpoints', guessedKey(), behind('203.0.113.1')),
    );
    expectRefusal(refused);
    return send(t, 'GET', '/v1/endpoints', guessedKey(), behind('203.0.113.2'));
  }

  it('X7 gives two clients behind a trusted proxy (HOOKYARD_TRUST_PROXY=1) a bucket each', async () => {
    const t = await startTestApp({ ...LIMITS, HOOKYARD_TRUST_PROXY: '1' });
    try {
      expect((await secondClientAfterFirstIsRefused(t)).status).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('X7 ignores X-Forwarded-For without HOOKYARD_TRUST_PROXY: both clients share the connection address', async () => {
    const t = await startTestApp(LIMITS);
    try {
      expectRefusal(await secondClientAfterFirstIsRefused(t));
    } finally {
      await t.close();
    }
  });
});

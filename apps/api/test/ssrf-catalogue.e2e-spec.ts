import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { loadConfig } from '@hookyard/config';
import { SecretCipher } from '@hookyard/data-access';
import { createDeliveryWorker, type DeliveryRuntime } from '@hookyard/delivery';
import { describeDenyReason } from '@hookyard/webhook-core';
import {
  SSRF_DNS,
  SSRF_LITERALS,
  type SsrfLiteralRow,
  scriptedResolver,
  ssrfUrl,
} from '@hookyard/webhook-core/testing';
import {
  DELIVERY_ENV,
  endpointBody,
  eventually,
  startTestApp,
  type TestApp,
  type TestResponse,
} from './harness';

/*
 * Catalogue rows S1–S5 and S8 (docs/reliability.md) through the HTTP API: every literal spelling of
 * the SSRF catalogue as an endpoint URL, at create and at update, in the three dialects; then,
 * through a delivery worker with an injected resolver, every refused spelling and DNS answer at
 * connect time. The guard allows exactly 127.0.0.2/32; a receiver on 127.0.0.1 (every URL's port)
 * must see 0 connections.
 */

/** The one address the guard lets through: the control receiver's. 127.0.0.1 stays refused. */
const ALLOWED = '127.0.0.2';
const ENV = { ...DELIVERY_ENV, HOOKYARD_OUTBOUND_ALLOW: `${ALLOWED}/32` };
/** Write-time endpoints listen to a topic that is never published, so nothing is sent to them. */
const WRITE_TOPIC = 'post.deleted';
const DELIVERY_TOPIC = 'post.created';
const BATCH = 8;

/** A receiver on a loopback address: counts connections, records paths, answers `/redirect?to=`. */
interface CountingServer {
  readonly server: Server;
  connections: number;
  readonly paths: string[];
}

async function listen(host: string, port: number): Promise<CountingServer> {
  const counting: CountingServer = {
    server: createServer((request, response) => {
      const path = request.url ?? '/';
      counting.paths.push(path);
      request.resume();
      const to = new URL(path, 'http://receiver').searchParams.get('to');
      if (path.startsWith('/redirect') && to !== null) {
        response.writeHead(302, { location: to }).end();
      } else {
        response.end('ok');
      }
    }),
    connections: 0,
    paths: [],
  };
  counting.server.on('connection', () => (counting.connections += 1));
  counting.server.listen(port, host);
  await Promise.race([
    once(counting.server, 'listening'),
    once(counting.server, 'error').then(([error]) => Promise.reject(error as Error)),
  ]);
  return counting;
}

async function stop(counting: CountingServer | undefined): Promise<void> {
  if (counting === undefined) return;
  counting.server.closeAllConnections();
  await new Promise<void>((resolve) => counting.server.close(() => resolve()));
}

/** The receiver on 127.0.0.1 and the allowed one on 127.0.0.2, on the same port number. */
let loopback: CountingServer;
let allowed: CountingServer;
let port: number;

beforeAll(async () => {
  for (let tries = 0; allowed === undefined; tries++) {
    loopback = await listen('127.0.0.1', 0);
    port = (loopback.server.address() as AddressInfo).port;
    try {
      allowed = await listen(ALLOWED, port);
    } catch (error) {
      await stop(loopback);
      if (tries === 4) throw error;
    }
  }
});

afterAll(async () => {
  const hits = loopback?.connections;
  await stop(loopback);
  await stop(allowed);
  console.log([...groupSummary(hits), ...summary].map((line) => `[ssrf] ${line}`).join('\n'));
});

/** Runs `work` over `items` in parallel groups of `BATCH`, keeping their order. */
async function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += BATCH) {
    results.push(...(await Promise.all(items.slice(i, i + BATCH).map(work))));
  }
  return results;
}

type RefusalCode =
  'TARGET_NOT_ALLOWED' | 'URL_INVALID' | 'URL_SCHEME_NOT_ALLOWED' | 'URL_CREDENTIALS_NOT_ALLOWED';

interface Dialect {
  readonly name: 'native' | 'featurebase' | 'platform';
  /** Featurebase endpoints are https only. */
  readonly scheme: 'http' | 'https';
  create(t: TestApp, key: string, url: string): Promise<TestResponse>;
  update(t: TestApp, key: string, id: string, url: string): Promise<TestResponse>;
  /** True when `response` is the dialect's 400 for `code` on the `url` field, its message holding `detail`. */
  refused(response: TestResponse, code: RefusalCode, detail: string): boolean;
}

const NATIVE: Dialect = {
  name: 'native',
  scheme: 'http',
  create: (t, key, url) =>
    t.request('POST', '/v1/endpoints', { key, body: endpointBody({ url, topics: [WRITE_TOPIC] }) }),
  update: (t, key, id, url) => t.request('PATCH', `/v1/endpoints/${id}`, { key, body: { url } }),
  refused: ({ status, contentType, body }, code, detail) =>
    status === 400 &&
    contentType.includes('application/problem+json') &&
    body?.code === code &&
    body.errors?.[0]?.path === 'url' &&
    String(body.detail).includes(detail),
};

const FEATUREBASE: Dialect = {
  name: 'featurebase',
  scheme: 'https',
  create: (t, key, url) =>
    t.request('POST', '/featurebase/v2/webhooks', {
      key,
      body: { name: 'ssrf', url, topics: [WRITE_TOPIC] },
    }),
  update: (t, key, id, url) =>
    t.request('PATCH', `/featurebase/v2/webhooks/${id}`, { key, body: { url } }),
  refused: ({ status, body }, code, detail) =>
    status === 400 &&
    body?.error?.type === 'invalid_request' &&
    body.error.code === code.toLowerCase() &&
    body.error.param === 'url' &&
    body.error.status === 400 &&
    String(body.error.message).includes(detail),
};

const PLATFORM: Dialect = {
  name: 'platform',
  scheme: 'http',
  create: (t, key, url) =>
    t.request('POST', '/platform/v1/webhooks', {
      key,
      body: { url, name: 'ssrf', reference: 'ssrf', included_actions: [WRITE_TOPIC.toUpperCase()] },
    }),
  update: (t, key, id, url) =>
    t.request('PATCH', `/platform/v1/webhooks/${id}`, { key, body: { url } }),
  // The platform has one code for every invalid field; the message says which rule refused it.
  refused: ({ status, body }, _code, detail) =>
    status === 400 &&
    body?.type === 'INVALID_REQUEST' &&
    body.code === 'INVALID_FIELD' &&
    body.field === 'url' &&
    String(body.message).includes(detail),
};

/** What a dialect must answer for a row: the code and a phrase of the message. */
function refusalOf(row: SsrfLiteralRow): { code: RefusalCode; detail: string } {
  return row.parsed === null
    ? { code: 'URL_INVALID', detail: 'not a valid URL' }
    : {
        code: 'TARGET_NOT_ALLOWED',
        detail: `not allowed (${row.expect && describeDenyReason(row.expect)})`,
      };
}

const REFUSED = SSRF_LITERALS.filter((row) => row.expect !== null);
const PUBLIC = SSRF_LITERALS.filter((row) => row.expect === null);
const GROUPS = [...new Set(SSRF_LITERALS.map((row) => row.group))];

/** Passing rows per group, dialect and operation, for the summary. */
const tally = new Map<string, { passed: number; total: number }>();
const summary: string[] = [];

function count(key: string, passed: boolean): void {
  const entry = tally.get(key) ?? { passed: 0, total: 0 };
  tally.set(key, { passed: entry.passed + (passed ? 1 : 0), total: entry.total + 1 });
}

function ratio(keys: readonly string[]): string {
  const sum = keys
    .map((key) => tally.get(key) ?? { passed: 0, total: 0 })
    .reduce((a, b) => ({ passed: a.passed + b.passed, total: a.total + b.total }), {
      passed: 0,
      total: 0,
    });
  return `${sum.passed}/${sum.total}`;
}

const DIALECTS = [NATIVE, FEATUREBASE, PLATFORM];

function describeDialect(dialect: Dialect, connectTime?: (app: () => AppUnderTest) => void): void {
  describe(`${dialect.name} dialect, allow-list ${ALLOWED}/32`, () => {
    const under: AppUnderTest = {} as AppUnderTest;
    const urlOf = (host: string, path = '/ssrf') => ssrfUrl(host, dialect.scheme, port, path);
    const endpointCount = async () =>
      Number((await under.t.dataSource.query(`SELECT count(*) AS n FROM endpoints`))[0].n);
    const stored = async (id: string) =>
      (
        await under.t.dataSource.query(`SELECT url, updated_at FROM endpoints WHERE id = $1`, [id])
      )[0];

    /** The refused rows whose response is not the dialect's refusal (tallied for the summary). */
    const misjudged = (responses: readonly TestResponse[], op: 'create' | 'update') =>
      REFUSED.flatMap((row, i) => {
        const { code, detail } = refusalOf(row);
        const { status, body } = responses[i];
        const ok = dialect.refused(responses[i], code, detail);
        count(`${row.group}|${dialect.name}|${op}`, ok);
        return ok ? [] : [{ host: row.host, status, body }];
      });

    beforeAll(async () => {
      under.t = await startTestApp(ENV);
      under.key = (await under.t.createOrganization()).apiKey;
      const made = await dialect.create(under.t, under.key, urlOf('example.com', '/control'));
      expect(made.status).toBe(201);
      under.controlId = made.body.id;
    });

    afterAll(() => under.t?.close());

    it(`S1 S2 refuses each of the ${REFUSED.length} refused spellings at create, creating nothing`, async () => {
      const before = await endpointCount();
      const responses = await inBatches(REFUSED, (row) =>
        dialect.create(under.t, under.key, urlOf(row.host)),
      );
      expect(misjudged(responses, 'create')).toEqual([]);
      expect(await endpointCount()).toBe(before);
    });

    it(`S1 S2 refuses each of the ${REFUSED.length} refused spellings at update, changing nothing`, async () => {
      const before = await stored(under.controlId);
      const responses = await inBatches(REFUSED, (row) =>
        dialect.update(under.t, under.key, under.controlId, urlOf(row.host)),
      );
      expect(misjudged(responses, 'update')).toEqual([]);
      expect(await stored(under.controlId)).toEqual(before);
    });

    it(`accepts each of the ${PUBLIC.length} public addresses at create and at update`, async () => {
      const before = await endpointCount();
      const created = await inBatches(PUBLIC, (row) =>
        dialect.create(under.t, under.key, urlOf(row.host)),
      );
      const updated = await inBatches(PUBLIC, async (row) => {
        const made = await dialect.create(under.t, under.key, urlOf('example.com', '/p'));
        return dialect.update(under.t, under.key, made.body.id, urlOf(row.host));
      });
      PUBLIC.forEach((row, i) => {
        count(`${row.group}|${dialect.name}|create`, created[i].status === 201);
        count(`${row.group}|${dialect.name}|update`, updated[i].status === 200);
      });
      expect(created.map((r) => r.status)).toEqual(PUBLIC.map(() => 201));
      expect(updated.map((r) => r.status)).toEqual(PUBLIC.map(() => 200));
      expect(await endpointCount()).toBe(before + 2 * PUBLIC.length);
      await under.t.dataSource.query(`DELETE FROM endpoints WHERE id <> $1`, [under.controlId]);
    });

    it('S8 refuses other schemes and credentials in the URL at create and at update', async () => {
      const cases: [string, RefusalCode, string][] = [
        ['file:///etc/passwd', 'URL_SCHEME_NOT_ALLOWED', 'scheme "file:"'],
        [`gopher://127.0.0.1:${port}/`, 'URL_SCHEME_NOT_ALLOWED', 'scheme "gopher:"'],
        [`ftp://127.0.0.1:${port}/`, 'URL_SCHEME_NOT_ALLOWED', 'scheme "ftp:"'],
        [`https://u:p@example.com:${port}/`, 'URL_CREDENTIALS_NOT_ALLOWED', 'credentials'],
        [`https://example.com@127.0.0.1:${port}/`, 'URL_CREDENTIALS_NOT_ALLOWED', 'credentials'],
        [`https://127.0.0.1:${port}#@example.com/`, 'TARGET_NOT_ALLOWED', 'not allowed (loopback)'],
      ];
      const before = await stored(under.controlId);
      const endpointsBefore = await endpointCount();
      for (const [url, code, detail] of cases) {
        const made = await dialect.create(under.t, under.key, url);
        const changed = await dialect.update(under.t, under.key, under.controlId, url);
        const verdict = {
          create: dialect.refused(made, code, detail),
          update: dialect.refused(changed, code, detail),
        };
        count(`S8|${dialect.name}|create`, verdict.create);
        count(`S8|${dialect.name}|update`, verdict.update);
        expect({ url, ...verdict }).toEqual({ url, create: true, update: true });
      }
      expect(await endpointCount()).toBe(endpointsBefore);
      expect(await stored(under.controlId)).toEqual(before);
    });

    connectTime?.(() => under);
  });
}

interface AppUnderTest {
  t: TestApp;
  key: string;
  controlId: string;
}

describeDialect(NATIVE, (app) => {
  describe('at connect time, through a worker with an injected resolver', () => {
    const dnsRefused = SSRF_DNS.filter((row) => row.expect !== null);
    const names = SSRF_LITERALS.filter((row) => row.group === 'loopback names');
    const resolver = scriptedResolver([
      ...dnsRefused,
      ...names.map((row) => ({ name: row.parsed ?? row.host, answers: [['127.0.0.1']] })),
      { name: 'control.test', answers: [[ALLOWED]] },
      // Checked on the first lookup; a second lookup would send it to 127.0.0.1.
      { name: 'rebind-local.test', answers: [[ALLOWED], ['127.0.0.1']] },
    ]);
    const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'];
    const savedProxy = PROXY_VARIABLES.map((name) => [name, process.env[name]] as const);
    let runtime: DeliveryRuntime | undefined;
    /** Every endpoint the worker must try once, and what its first attempt must be. */
    const expected: {
      id: string;
      label: string;
      group: string | null;
      errorClass: string;
      status: number | null;
    }[] = [];
    let firstAttempts = new Map<
      string,
      { error_class: string | null; status_code: number | null }
    >();

    const connectClass = (row: SsrfLiteralRow): string => {
      if (row.parsed === null) return 'protocol'; // the worker cannot parse it either
      return row.expect === 'invalid' ? 'dns' : 'ssrf_blocked'; // `127.0.0.1..` is a name no one knows
    };

    const create = async (url: string): Promise<string> => {
      const made = await app().t.request('POST', '/v1/endpoints', {
        key: app().key,
        body: endpointBody({ url, topics: [DELIVERY_TOPIC] }),
      });
      expect({ url, status: made.status }).toEqual({ url, status: 201 });
      return made.body.id as string;
    };

    beforeAll(async () => {
      const { t } = app();
      // Refused literals cannot be written through the API: write them past it, as a stale row would be.
      const literalIds = await inBatches(REFUSED, () => create(`http://control.test:${port}/x`));
      await t.dataSource.query(
        `UPDATE endpoints SET url = data.url FROM unnest($1::text[], $2::text[]) AS data(id, url)
          WHERE endpoints.id = data.id`,
        [literalIds, REFUSED.map((row) => ssrfUrl(row.host, 'http', port, '/connect'))],
      );
      REFUSED.forEach((row, i) =>
        expected.push({
          id: literalIds[i],
          label: row.host,
          group: row.group,
          errorClass: connectClass(row),
          status: null,
        }),
      );
      // DNS names pass the write-time check (it does not resolve); the connect-time check decides.
      const dnsIds = await inBatches(dnsRefused, (row) =>
        create(ssrfUrl(row.name, 'http', port, '/dns')),
      );
      dnsRefused.forEach((row, i) =>
        expected.push({
          id: dnsIds[i],
          label: row.name,
          group: row.group,
          errorClass: 'ssrf_blocked',
          status: null,
        }),
      );
      const to = (target: string) => `/redirect?to=${encodeURIComponent(target)}`;
      const controls: [string, string, string, number][] = [
        ['control', `http://control.test:${port}/control`, 'http_ok', 200],
        ['control-literal', `http://${ALLOWED}:${port}/control-literal`, 'http_ok', 200],
        ['rebind', `http://rebind-local.test:${port}/rebind`, 'http_ok', 200],
        [
          'redirect-loopback',
          `http://${ALLOWED}:${port}${to(`http://127.0.0.1:${port}/redirected`)}`,
          'http_status',
          302,
        ],
        [
          'redirect-metadata',
          `http://${ALLOWED}:${port}${to('http://169.254.169.254/latest/meta-data/')}`,
          'http_status',
          302,
        ],
      ];
      for (const [label, url, errorClass, status] of controls) {
        expected.push({ id: await create(url), label, group: null, errorClass, status });
      }

      // S8: deliveries must not go through a proxy named in the environment (here: the 127.0.0.1
      // receiver, whose connection count would show it).
      for (const name of PROXY_VARIABLES) process.env[name] = `http://127.0.0.1:${port}`;
      runtime = createDeliveryWorker(
        loadConfig({ HOOKYARD_ENCRYPTION_KEY: t.encryptionKey, ...ENV }),
        {
          dataSource: t.dataSource,
          cipher: SecretCipher.fromKey(Buffer.from(t.encryptionKey, 'base64')),
        },
        { lookup: resolver.lookup },
      );
      runtime.worker.start();
      const published = await t.request('POST', '/v1/events', {
        key: app().key,
        body: { topic: DELIVERY_TOPIC, data: { ssrf: true } },
      });
      expect(published.status).toBe(202);
      await eventually(async () => {
        const rows: {
          endpoint_id: string;
          error_class: string | null;
          status_code: number | null;
        }[] = await t.dataSource.query(
          `SELECT DISTINCT ON (endpoint_id) endpoint_id, error_class, status_code
               FROM attempts ORDER BY endpoint_id, created_at, id`,
        );
        firstAttempts = new Map(rows.map((row) => [row.endpoint_id, row]));
        expect(firstAttempts.size).toBe(expected.length);
      }, 20_000);
    });

    afterAll(async () => {
      await runtime?.worker.stop();
      runtime?.close();
      for (const [name, value] of savedProxy) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    const outcome = (id: string) => {
      const attempt = firstAttempts.get(id);
      const errorClass = attempt?.status_code === 200 ? 'http_ok' : attempt?.error_class;
      return { errorClass, status: attempt?.status_code ?? null };
    };
    const outcomeOf = (label: string) => outcome(expected.find((e) => e.label === label)?.id ?? '');

    it('S1 S2 S3 S4 refuses every refused literal and every refused DNS answer, sending nothing', () => {
      const wrong = expected.flatMap((want) => {
        const got = outcome(want.id);
        const ok = got.errorClass === want.errorClass && got.status === want.status;
        if (want.group !== null) count(`${want.group}|native|connect`, ok);
        return ok ? [] : [{ endpoint: want.label, want: want.errorClass, got }];
      });
      expect(wrong).toEqual([]);
      expect(loopback.connections).toBe(0);
    });

    it('X5 names the rule of a refused DNS answer in the attempt, never the address it resolved to', async () => {
      const ids = dnsRefused.map((row) => expected.find((e) => e.label === row.name)?.id);
      const rows: { endpoint_id: string; error_message: string }[] = await app().t.dataSource.query(
        `SELECT endpoint_id, error_message FROM attempts WHERE endpoint_id = ANY($1::char(24)[])`,
        [ids],
      );
      expect(rows.length).toBeGreaterThanOrEqual(dnsRefused.length);
      const leaks = rows.flatMap((row) => {
        const answers = dnsRefused[ids.indexOf(row.endpoint_id)]?.answers.flat() ?? [];
        const leaked = answers.filter((address) => row.error_message.includes(address));
        return leaked.length > 0 ? [{ message: row.error_message, leaked }] : [];
      });
      expect(leaks).toEqual([]);
      expect(rows.every((row) => row.error_message.includes('is not allowed: '))).toBe(true);
    });

    it('S4 connects a name to the address it checked, never to what a second lookup says', () => {
      expect(outcomeOf('rebind')).toEqual({ errorClass: 'http_ok', status: 200 });
      expect(allowed.paths.filter((path) => path === '/rebind')).toHaveLength(1);
      expect(resolver.calls('rebind-local.test')).toBe(1);
      expect(loopback.connections).toBe(0);
      summary.push(
        `S4 rebinding: delivered to the checked ${ALLOWED} 1/1, lookups 1, 127.0.0.1 hits ${loopback.connections}`,
      );
    });

    it('S5 records a redirect to an internal address as a 302 and never follows it', () => {
      for (const label of ['redirect-loopback', 'redirect-metadata']) {
        expect({ label, ...outcomeOf(label) }).toEqual({
          label,
          errorClass: 'http_status',
          status: 302,
        });
      }
      const redirects = allowed.paths.filter((path) => path.startsWith('/redirect'));
      expect(redirects.length).toBeGreaterThanOrEqual(2); // retried as failures, never followed
      expect(allowed.paths).not.toContain('/redirected');
      expect(loopback.connections).toBe(0);
      summary.push(
        `S5 redirects: 2/2 recorded as 302, followed 0, 127.0.0.1 hits ${loopback.connections}`,
      );
    });

    it('S8 delivers directly with HTTP(S)_PROXY set, never through the proxy', () => {
      expect(outcomeOf('control')).toEqual({ errorClass: 'http_ok', status: 200 });
      expect(outcomeOf('control-literal')).toEqual({ errorClass: 'http_ok', status: 200 });
      expect(allowed.paths).toEqual(expect.arrayContaining(['/control', '/control-literal']));
      expect(loopback.connections).toBe(0);
      summary.push(
        `S8 proxy env: delivered direct 2/2, proxy (127.0.0.1) hits ${loopback.connections}`,
      );
    });
  });
});
describeDialect(FEATUREBASE);
describeDialect(PLATFORM);

it('left the receiver on 127.0.0.1 without a single connection', () => {
  expect(loopback.connections).toBe(0);
  expect(loopback.paths).toEqual([]);
});

/** One line per catalogue group: how many rows each check refused (or allowed) out of how many. */
function groupSummary(hits: number | undefined): string[] {
  const lines: string[] = [];
  const connect = (group: string) =>
    tally.has(`${group}|native|connect`)
      ? `, ${ratio([`${group}|native|connect`])} at connect`
      : '';
  for (const group of GROUPS) {
    const keys = (op: string) => DIALECTS.map((d) => `${group}|${d.name}|${op}`);
    const verb = group === 'public (must be allowed)' ? 'allowed' : 'blocked';
    lines.push(
      `${group}: ${verb} ${ratio(keys('create'))} at create, ${ratio(keys('update'))} at update ` +
        `(3 dialects)${connect(group)}, receiver hits ${hits}`,
    );
  }
  const s8 = (op: string) => ratio(DIALECTS.map((d) => `S8|${d.name}|${op}`));
  lines.push(
    `S8 schemes and userinfo: refused ${s8('create')} at create, ${s8('update')} at update`,
  );
  for (const group of new Set(SSRF_DNS.map((row) => row.group))) {
    lines.push(
      `${group}: accepted at write (names are judged at connect)${connect(group)}, receiver hits ${hits}`,
    );
  }
  return lines;
}

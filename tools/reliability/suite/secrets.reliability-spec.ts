import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dumpDatabase } from '@hookyard/data-access';
import { type LedgerEntry } from '../src';
import {
  Canaries,
  describeHits,
  hitCount,
  hitsIn,
  type HeaderCapture,
  readLogs,
  startHeaderCapture,
} from './lib/canaries';
import { type ChildApp, killApp, spawnApp, stopApp, untilReady } from './lib/child-app';
import { freePort } from './lib/database';
import { deliveredAll, keysOf } from './lib/ledger-checks';
import { acknowledged, publish, type Published } from './lib/publisher';
import { fanOut, reportRow, rowFigures } from './lib/row-report';
import { API_MAIN, Stack, SUITE_ENV } from './lib/stack';

/**
 * Catalogue rows K1–K4 (secrets and redaction, docs/reliability.md). One stack whose every app logs
 * at debug level, started on encryption key version 1 (K4 rotates it to version 2). Each row uses
 * topics no other row subscribes to. The canaries carry one mark (`CNRY<hex>`) and are looked for
 * as they are, base64, base64url and hex.
 */
const OLD_KEK = randomBytes(32).toString('base64');
const NEW_KEK = randomBytes(32).toString('base64');
/** How long an API process trusts a cached key lookup (API_KEY_CACHE_MS, libs/api/src/auth/api-key.service.ts). */
const API_KEY_CACHE_S = 5;
/** The re-encryption interval of K4's workers (the product's minimum). */
const REENCRYPT_INTERVAL_S = 10;
/** What a loaded two-core machine may add to the TTL before a peer API process sees a revocation. */
const REVOKE_MARGIN_S = 3;

const canaries = new Canaries();
let stack: Stack;
let capture: HeaderCapture;
/** Apps a row started: killed after it, whatever happened. */
const rowApps = new Set<ChildApp>();

beforeAll(async () => {
  capture = await startHeaderCapture();
  stack = await Stack.start(undefined, {
    HOOKYARD_LOG_LEVEL: 'debug',
    HOOKYARD_ENCRYPTION_KEY: `1:${OLD_KEK}`,
  });
}, 120_000);

afterEach(async () => {
  for (const app of rowApps) await killApp(app);
  rowApps.clear();
});

afterAll(async () => {
  await stack?.stop();
  await capture?.close();
}, 60_000);

/** One API answer the rows keep: where it came from and its whole body. */
interface Snapshot {
  readonly label: string;
  readonly status: number;
  readonly text: string;
  /**
   * What the answer may carry: `signing` (create, rotate, GET …/secret), `issued` (the API key or
   * portal token it issues, once), `dialect-read` (a dialect's webhook object, which carries its
   * signing secret by the dialect's contract), `none`.
   */
  readonly allows: 'signing' | 'issued' | 'dialect-read' | 'none';
}

/** A request to the API that keeps its answer as a snapshot. */
async function snap(
  snapshots: Snapshot[],
  allows: Snapshot['allows'],
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.key}`,
      'content-type': 'application/json',
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  snapshots.push({ label: `${method} ${path}`, status: response.status, text, allows });
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // an empty 204 body
  }
  return { status: response.status, body: parsed };
}

function expectStatus(answer: { status: number; body: unknown }, status: number, what: string) {
  if (answer.status !== status)
    throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 400)}`);
}

/** The endpoints and credentials K1 and K2 look for: made once, through every dialect. */
interface Fixture {
  /** Outbound passwords (and `user:password`) and outbound API keys, current and replaced. */
  readonly credentials: string[];
  /** Values of auth-like custom headers (`X-API-Key`, `X-Auth-Token`). */
  readonly headerValues: string[];
  /** Every signing secret given or received. */
  readonly signingSecrets: string[];
  /** Org API keys, the bootstrap key and a portal token. */
  readonly tokens: string[];
  /** The org API keys among them (the bootstrap key and one issued). */
  readonly apiKeys: string[];
  readonly native: string[];
  readonly platform: string[];
  readonly featurebase: string[];
  /** The answers of the creates, rotations and patches that made it. */
  readonly snapshots: Snapshot[];
}

let fixtureMade: Promise<Fixture> | null = null;

/** The K1/K2 fixture, made by the first row that needs it. */
function fixture(): Promise<Fixture> {
  fixtureMade ??= makeFixture();
  return fixtureMade;
}

async function makeFixture(): Promise<Fixture> {
  const s: Snapshot[] = [];
  const topics = ['audit_log.created']; // published by no row
  const pw1 = canaries.value('basicpw');
  const pw2 = canaries.value('platformpw');
  const key1 = canaries.value('outkey');
  const key2 = canaries.value('outkeyreplacement');
  const key3 = canaries.value('platformkey');
  const hdr1 = canaries.value('hdrapikey');
  const hdr2 = canaries.value('hdrauthtoken');
  const hdr3 = canaries.value('hdrfeaturebase');
  const given = canaries.signingSecret();
  const givenRotation = canaries.signingSecret();
  const signing: string[] = [given, givenRotation];

  const issued = await snap(s, 'issued', 'POST', '/v1/api-keys', {
    name: 'k1-org-key',
    permissions: ['*'],
  });
  expectStatus(issued, 201, 'issue an API key');
  const portal = await snap(s, 'issued', 'POST', '/v1/portal-sessions', {
    permissions: ['WEBHOOK.READ'],
  });
  expectStatus(portal, 201, 'open a portal session');

  const basic = await snap(s, 'signing', 'POST', '/v1/endpoints', {
    url: capture.url('/k12/native-basic'),
    name: `k12 native basic ${canaries.mark}`, // not secret: the dump's positive control
    topics,
    secret: given,
    authentication: { type: 'basic', username: 'k1user', password: pw1 },
    requestConfig: { headers: { 'X-API-Key': hdr1, 'X-Trace-Source': 'k12' } },
  });
  expectStatus(basic, 201, 'create a native endpoint with basic auth');
  const keyed = await snap(s, 'signing', 'POST', '/v1/endpoints', {
    url: capture.url('/k12/native-keyed'),
    name: `k12 native keyed ${canaries.mark}`,
    topics,
    authentication: { type: 'api_key', headerName: 'X-Receiver-Key', apiKey: key1 },
    requestConfig: { headers: { 'X-Auth-Token': hdr2 } },
  });
  expectStatus(keyed, 201, 'create a native endpoint with an outbound API key');
  const basicId = String(basic.body['id']);
  const keyedId = String(keyed.body['id']);
  signing.push(String(basic.body['secret']), String(keyed.body['secret']));
  const rotated = await snap(s, 'signing', 'POST', `/v1/endpoints/${basicId}/secret/rotate`, {
    secret: givenRotation,
    gracePeriodSeconds: 3600,
  });
  expectStatus(rotated, 200, 'rotate with a given secret');
  const rotatedKeyed = await snap(s, 'signing', 'POST', `/v1/endpoints/${keyedId}/secret/rotate`, {
    gracePeriodSeconds: 3600,
  });
  expectStatus(rotatedKeyed, 200, 'rotate');
  signing.push(String(rotatedKeyed.body['secret']));
  // The outbound API key replaced: the PATCH answer must not echo the new one, the old must be gone.
  const replaced = await snap(s, 'none', 'PATCH', `/v1/endpoints/${keyedId}`, {
    authentication: { type: 'api_key', headerName: 'X-Receiver-Key', apiKey: key2 },
  });
  expectStatus(replaced, 200, 'replace the outbound API key');
  // A refused create that carries the canaries: the error answer must not echo them.
  const refused = await snap(s, 'none', 'POST', '/v1/endpoints', {
    url: 'http://10.0.0.1/k12',
    topics,
    secret: given,
    authentication: { type: 'basic', username: 'k1user', password: pw1 },
  });
  expectStatus(refused, 400, 'a create the SSRF guard refuses');

  const platformBasic = await snap(s, 'signing', 'POST', '/platform/v1/webhooks', {
    url: capture.url('/k12/platform-basic'),
    name: `k12 platform basic ${canaries.mark}`,
    reference: 'k12-platform-basic',
    included_actions: topics,
    authentication_type: 'PASSWORD',
    username: 'puser',
    password: pw2,
  });
  expectStatus(platformBasic, 201, 'create a platform webhook with a password');
  const platformKeyed = await snap(s, 'signing', 'POST', '/platform/v1/webhooks', {
    url: capture.url('/k12/platform-keyed'),
    name: `k12 platform keyed ${canaries.mark}`,
    reference: 'k12-platform-keyed',
    included_actions: topics,
    authentication_type: 'API_KEY',
    api_header_field: 'X-Platform-Key',
    api_key: key3,
  });
  expectStatus(platformKeyed, 201, 'create a platform webhook with an API key');
  signing.push(String(platformBasic.body['secret_key']), String(platformKeyed.body['secret_key']));
  const featurebase = await snap(s, 'signing', 'POST', '/featurebase/v2/webhooks', {
    name: `k12 featurebase ${canaries.mark}`,
    // The Featurebase dialect takes https URLs only; nothing is ever delivered to this one.
    url: capture.url('/k12/featurebase').replace('http:', 'https:'),
    topics,
    requestConfig: { headers: { 'X-API-Key': hdr3 } },
  });
  expectStatus(featurebase, 201, 'create a Featurebase webhook');
  signing.push(String(featurebase.body['secret']));

  return {
    credentials: [pw1, `k1user:${pw1}`, key1, key2, pw2, `puser:${pw2}`, key3],
    headerValues: [hdr1, hdr2, hdr3],
    signingSecrets: signing.filter((x) => x.startsWith('whsec_')),
    tokens: [stack.key, String(issued.body['key']), String(portal.body['token'])],
    apiKeys: [stack.key, String(issued.body['key'])],
    native: [basicId, keyedId],
    platform: [String(platformBasic.body['id']), String(platformKeyed.body['id'])],
    featurebase: [String(featurebase.body['id'])],
    snapshots: s,
  };
}

/** Rows on an encryption key other than `version`, in both encrypted columns. */
async function rowsOffKey(version: number): Promise<number> {
  const [row] = await stack.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM endpoint_secrets
              WHERE key_version <> $1 OR secret_enc NOT LIKE $2)::int
          + (SELECT count(*) FROM endpoints
              WHERE auth_secret_enc IS NOT NULL AND auth_secret_enc NOT LIKE $2)::int AS n`,
    [version, `v${version}.%`],
  );
  return row?.n ?? -1;
}

/** Failed attempts (no 2xx, or an error) the attempt log holds for `endpointIds`. */
async function failedAttempts(endpointIds: readonly string[]): Promise<number> {
  const [row] = await stack.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM attempts WHERE endpoint_id = ANY($1)
        AND (error_class IS NOT NULL OR status_code IS NULL OR status_code NOT BETWEEN 200 AND 299)`,
    [endpointIds],
  );
  return row?.n ?? -1;
}

/** Polls `probe` until it holds or `timeoutMs` passes; resolves with whether it held. */
async function until(probe: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

/** The fields of a dialect's webhook object that hold its signing secrets by contract. */
const DIALECT_SECRET_FIELDS = new Set(['secret', 'secret_key', 'previous_secret_key']);

/** `value` with every property named in `fields` removed, at any depth. */
function withoutFields(value: unknown, fields: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutFields(v, fields));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([name]) => !fields.has(name))
      .map(([name, v]) => [name, withoutFields(v, fields)]),
  );
}

function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function ids(published: readonly Published[]): string[] {
  return acknowledged(published).map((p) => p.id ?? '');
}

describe('secrets and redaction (catalogue K rows)', () => {
  it('K1 leaves no signing secret, outbound credential or API key in clear in a dump of the database', async () => {
    const f = await fixture();
    const dump = await dumpDatabase(stack.database.url);
    const atRest = [...f.credentials, ...f.signingSecrets, ...f.tokens, OLD_KEK];
    const hits = hitsIn(dump.text, atRest);
    // Custom header values are configuration the catalogue does not ask to encrypt: counted apart.
    const headerValuesAtRest = hitCount(hitsIn(dump.text, f.headerValues));
    const endpointIds = [...f.native, ...f.platform, ...f.featurebase];
    const missingRows = endpointIds.filter((id) => !dump.text.includes(id)).length;
    // Each org API key is there as its prefix and its SHA-256, nothing more.
    const storedKeys = await stack.query<{ prefix: string; hash: string }>(
      `SELECT prefix, key_hash AS hash FROM api_keys`,
    );
    const asHash = f.apiKeys.filter((key) =>
      storedKeys.some(
        (row) =>
          row.hash === createHash('sha256').update(key).digest('hex') &&
          key.startsWith(row.prefix) &&
          row.prefix.length <= key.length / 2,
      ),
    ).length;
    reportRow({
      id: 'K1',
      title: 'no plaintext at rest',
      figures: rowFigures([], [], []),
      extra: {
        hits: hitCount(hits),
        canaries: atRest.length,
        tables_scanned: dump.tables.length,
        dump_kb: Math.round(dump.text.length / 1024),
        tool: dump.tool.includes('pg_dump') ? 'pg_dump' : 'row-export',
        api_keys_as_hash: `${asHash}/${f.apiKeys.length}`,
        custom_header_values_at_rest: headerValuesAtRest,
      },
    });

    // A real dump of this run: its tables, its rows, and the mark in the (public) endpoint names.
    for (const table of ['endpoints', 'endpoint_secrets', 'api_keys', 'portal_sessions'])
      expect(dump.tables).toContain(table);
    expect(missingRows).toBe(0);
    expect(asHash).toBe(f.apiKeys.length);
    expect(dump.text).toContain(canaries.mark);
    // The grep finds a canary in any of its forms (so hits=0 means something).
    expect(
      hitCount(hitsIn(`x${Buffer.from(f.credentials[0] ?? '').toString('hex')}x`, atRest)),
    ).toBe(1);
    expect(describeHits(hits)).toBe('');
    expect(hitCount(hits)).toBe(0);
  }, 60_000);

  it('K2 never answers an outbound credential, and the signing secret only where it is asked for', async () => {
    const f = await fixture();
    const s: Snapshot[] = [];
    const nativeIds = [...f.native, ...f.platform, ...f.featurebase];
    expectStatus(await snap(s, 'none', 'GET', '/v1/endpoints?limit=100'), 200, 'native list');
    for (const id of nativeIds) {
      expectStatus(await snap(s, 'none', 'GET', `/v1/endpoints/${id}`), 200, 'native get');
      const patched = await snap(s, 'none', 'PATCH', `/v1/endpoints/${id}`, {
        description: 'k2 native patch',
      });
      expectStatus(patched, 200, 'native patch');
      expectStatus(await snap(s, 'signing', 'GET', `/v1/endpoints/${id}/secret`), 200, 'secret');
    }
    for (const id of f.native) {
      const tested = await snap(s, 'none', 'POST', `/v1/endpoints/${id}/test`, {});
      expectStatus(tested, 200, 'test send');
    }
    const platform = '/platform/v1/webhooks';
    expectStatus(await snap(s, 'dialect-read', 'GET', `${platform}?limit=100`), 200, 'list');
    for (const id of nativeIds) {
      expectStatus(await snap(s, 'dialect-read', 'GET', `${platform}/${id}`), 200, 'platform get');
      const patched = await snap(s, 'dialect-read', 'PATCH', `${platform}/${id}`, {
        name: `k2 platform patch ${id.slice(-6)}`,
      });
      expectStatus(patched, 200, 'platform patch');
    }
    const featurebase = '/featurebase/v2/webhooks';
    expectStatus(await snap(s, 'dialect-read', 'GET', `${featurebase}?limit=100`), 200, 'list');
    for (const id of nativeIds) {
      expectStatus(await snap(s, 'dialect-read', 'GET', `${featurebase}/${id}`), 200, 'fb get');
      const patched = await snap(s, 'dialect-read', 'PATCH', `${featurebase}/${id}`, {
        description: 'k2 featurebase patch',
      });
      expectStatus(patched, 200, 'featurebase patch');
    }
    expectStatus(await snap(s, 'none', 'GET', '/v1/api-keys'), 200, 'API key list');

    const all = [...f.snapshots, ...s];
    const never = [...f.credentials, ...f.headerValues];
    const credentialHits = all.flatMap((x) => hitsIn(x.text, never));
    const tokenHits = all
      .filter((x) => x.allows !== 'issued')
      .flatMap((x) => hitsIn(x.text, f.tokens));
    const signingHits = all
      .filter((x) => x.allows === 'none')
      .flatMap((x) => hitsIn(x.text, f.signingSecrets));
    // A dialect's webhook object carries its signing secret by the dialect's contract (Featurebase
    // `secret`, platform `secret_key` and `previous_secret_key`): anywhere else in it is a hit.
    const dialectReads = all.filter((x) => x.allows === 'dialect-read');
    const dialectSecretReads = dialectReads.filter(
      (x) => hitsIn(x.text, f.signingSecrets).length > 0,
    ).length;
    const strayHits = dialectReads.flatMap((x) =>
      hitsIn(
        JSON.stringify(withoutFields(JSON.parse(x.text), DIALECT_SECRET_FIELDS)),
        f.signingSecrets,
      ),
    );
    const hits = hitCount([...credentialHits, ...tokenHits, ...signingHits, ...strayHits]);
    // The masking shows: the header names and the auth types are there, their values are not.
    const masked = s.filter((x) => x.text.includes('[redacted]')).length;
    reportRow({
      id: 'K2',
      title: 'API never returns credentials',
      figures: rowFigures([], [], []),
      extra: {
        hits,
        credential_hits: hitCount(credentialHits),
        token_hits: hitCount(tokenHits),
        signing_secret_hits: hitCount(signingHits),
        stray_dialect_secret_hits: hitCount(strayHits),
        responses: all.length,
        redacted_responses: masked,
        dialect_reads_with_signing_secret: `${dialectSecretReads}/${dialectReads.length}`,
      },
    });

    expect(masked).toBeGreaterThan(0);
    // The snapshots are real: the secret routes answered the secrets the rows look for.
    expect(
      all.filter((x) => x.allows === 'signing' && hitsIn(x.text, f.signingSecrets).length > 0)
        .length,
    ).toBeGreaterThan(nativeIds.length);
    expect(describeHits(credentialHits)).toBe('');
    expect(describeHits(tokenHits)).toBe('');
    expect(describeHits(signingHits)).toBe('');
    expect(describeHits(strayHits)).toBe('');
    expect(hits).toBe(0);
  }, 60_000);

  it('K3 keeps credentials and auth-like header values out of every debug log line and attempt record', async () => {
    const topic = 'conversation.admin.noted';
    const pw = canaries.value('k3basicpw');
    const outKey = canaries.value('k3outkey');
    const failPw = canaries.value('k3failpw');
    const hdrKey = canaries.value('k3hdrapikey');
    const hdrToken = canaries.value('k3hdrtoken');
    const basicAuth = { type: 'basic', username: 'k3user', password: pw };
    const keyAuth = { type: 'api_key', headerName: 'X-Receiver-Key', apiKey: outKey };
    const basicHeaders = { headers: { 'X-API-Key': hdrKey, 'X-Request-Source': 'k3' } };
    const keyHeaders = { headers: { 'X-Auth-Token': hdrToken } };
    const ledgerBasic = await stack.endpoint('/k3/a/ok', [topic], {
      authentication: basicAuth,
      requestConfig: basicHeaders,
    });
    const ledgerKeyed = await stack.endpoint('/k3/b/ok', [topic], {
      authentication: keyAuth,
      requestConfig: keyHeaders,
    });
    const capBasic = await stack.endpoint('/k3/cap-basic', [topic], {
      url: capture.url('/k3/cap-basic'),
      authentication: basicAuth,
      requestConfig: basicHeaders,
    });
    const capKeyed = await stack.endpoint('/k3/cap-keyed', [topic], {
      url: capture.url('/k3/cap-keyed'),
      authentication: keyAuth,
      requestConfig: keyHeaders,
    });
    // Failing attempts (500, then a reset) take the error paths of the worker's logging.
    const failing = await stack.endpoint('/k3/fail/status/500', [topic], {
      authentication: { type: 'basic', username: 'k3fail', password: failPw },
      requestConfig: basicHeaders,
    });
    const resetting = await stack.endpoint('/k3/cut/reset', [topic], {
      authentication: keyAuth,
      requestConfig: keyHeaders,
    });
    const endpoints = [ledgerBasic, ledgerKeyed, capBasic, capKeyed, failing, resetting];
    const issued = await stack.call('POST', '/v1/api-keys', { name: 'k3', permissions: ['*'] });
    const orgKey = ((await issued.json()) as { key: string }).key;
    // Inbound credentials in both headers the API reads, and a wrong key (a 401 line).
    const viaHeader = await fetch(`${stack.base}/v1/endpoints`, {
      headers: { 'x-api-key': orgKey },
    });
    const wrongKey = `hk_${canaries.value('wrongkey')}`;
    const wrong = await stack.call('GET', '/v1/endpoints', undefined, wrongKey);
    const worker = await stack.startWorker();
    rowApps.add(worker);
    const published = await publish({
      base: stack.base,
      key: orgKey,
      count: 20,
      topic: () => topic,
    });
    const tested = await stack.call('POST', `/v1/endpoints/${capBasic.id}/test`, {});

    const expected = fanOut([ledgerBasic.path, ledgerKeyed.path], ids(published));
    await stack.waitForLedger('/k3', deliveredAll(keysOf(expected)), 60_000);
    const sentIds = new Set(ids(published));
    const capturedAll = await until(
      () =>
        [capBasic, capKeyed].every(
          (e) =>
            new Set(capture.received(e.path).map((r) => r.webhookId)).size >=
            sentIds.size + (e === capBasic ? 1 : 0),
        ),
      60_000,
    );
    const drained = await stack.drained(
      endpoints.map((e) => e.id),
      30_000,
    );
    // The canaries went out: the receiver got each credential and header value as configured.
    const wrongHeaders =
      capture
        .received(capBasic.path)
        .filter(
          (r) =>
            r.headers['authorization'] !== basicHeader('k3user', pw) ||
            r.headers['x-api-key'] !== hdrKey,
        ).length +
      capture
        .received(capKeyed.path)
        .filter(
          (r) => r.headers['x-receiver-key'] !== outKey || r.headers['x-auth-token'] !== hdrToken,
        ).length;

    const attemptIds = endpoints.map((e) => e.id);
    const [{ n: attemptRows } = { n: 0 }] = await stack.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM attempts WHERE endpoint_id = ANY($1)`,
      [attemptIds],
    );
    // The stored headers are the real request's: each auth-like header is there, as [redacted].
    const [{ n: notRedacted } = { n: -1 }] = await stack.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM attempts a JOIN endpoints e ON e.id = a.endpoint_id
        WHERE a.endpoint_id = ANY($1) AND NOT coalesce(
          CASE e.auth_type WHEN 'basic' THEN a.request_headers->>'authorization' = '[redacted]'
                                          AND a.request_headers->>'X-API-Key' = '[redacted]'
                           ELSE a.request_headers->>'X-Receiver-Key' = '[redacted]'
                            AND a.request_headers->>'X-Auth-Token' = '[redacted]' END, false)`,
      [attemptIds],
    );
    const attemptDump = (
      await stack.query<{ line: string }>(`SELECT row_to_json(a)::text AS line FROM attempts a`)
    )
      .map((r) => r.line)
      .join('\n');
    // The attempt log as the API shows it.
    const shown: string[] = [];
    const shownStatuses: number[] = [];
    for (const e of endpoints) {
      const answer = await stack.call('GET', `/v1/endpoints/${e.id}/attempts?limit=100`);
      shownStatuses.push(answer.status);
      shown.push(await answer.text());
    }
    // Every attempt's debug line is written before the logs are read.
    const attemptLines = () =>
      readLogs(stack.logDir)
        .text.split('\n')
        .filter((l) => l.includes('"delivery attempt"') && attemptIds.some((id) => l.includes(id)))
        .length;
    await until(() => attemptLines() >= attemptRows - 1, 10_000); // the test send is the API's
    const logs = readLogs(stack.logDir);
    const debugLines = logs.text.split('\n').filter((l) => l.includes('"level":"debug"')).length;

    const f = await fixture();
    const secrets = [
      pw,
      `k3user:${pw}`,
      outKey,
      failPw,
      `k3fail:${failPw}`,
      hdrKey,
      hdrToken,
      orgKey,
      wrongKey,
      ...endpoints.map((e) => e.secret),
      ...f.credentials,
      ...f.headerValues,
      ...f.signingSecrets,
      ...f.tokens,
      OLD_KEK,
    ];
    const logHits = hitsIn(logs.text, secrets);
    const attemptHits = hitsIn(attemptDump, secrets);
    const shownHits = hitsIn(shown.join('\n'), secrets);
    const entries = (await stack.ledger('/k3')).filter(
      (e) => e.endpoint === ledgerBasic.path || e.endpoint === ledgerKeyed.path,
    );
    const figures = rowFigures(entries, expected, published);
    reportRow({
      id: 'K3',
      title: 'logs and attempts redacted',
      figures,
      extra: {
        hits: hitCount([...logHits, ...attemptHits, ...shownHits]),
        log_hits: hitCount(logHits),
        attempt_hits: hitCount(attemptHits),
        api_attempt_hits: hitCount(shownHits),
        log_files: logs.files.length,
        log_lines: logs.lines,
        debug_lines: debugLines,
        attempt_rows: attemptRows,
        not_redacted_rows: notRedacted,
        wrong_headers_at_receiver: wrongHeaders,
      },
    });

    expect(viaHeader.status).toBe(200);
    expect(wrong.status).toBe(401);
    expect(tested.status).toBe(200);
    expect(figures.sent).toBe(20);
    expect(figures.lost).toBe(0);
    expect(capturedAll).toBe(true);
    expect(drained).toBe(true);
    expect(wrongHeaders).toBe(0);
    // 20 events to 6 endpoints, the failing two tried 4 times each (1s,1s,1s), plus the test send.
    expect(attemptRows).toBeGreaterThanOrEqual(20 * 4 + 20 * 4 * 2 + 1);
    expect(notRedacted).toBe(0);
    expect(shownStatuses).toEqual(endpoints.map(() => 200));
    expect(shown.every((text) => text.includes('[redacted]'))).toBe(true);
    // The logs are at debug level and hold a line per attempt, so the grep could find a leak.
    expect(debugLines).toBeGreaterThan(0);
    expect(attemptLines()).toBeGreaterThanOrEqual(attemptRows - 1);
    expect(describeHits(logHits)).toBe('');
    expect(describeHits(attemptHits)).toBe('');
    expect(describeHits(shownHits)).toBe('');
  }, 120_000);

  it('K4 moves every secret to a new key under load, delivers on without the old key, and a revoked key gets 401 within the cache TTL', async () => {
    const topic = 'conversation.read';
    // The README's rotation: the new key added as previous everywhere, then swapped in, then the old
    // one dropped. Each step restarts the API and replaces the worker.
    const addNew = {
      HOOKYARD_ENCRYPTION_KEY: `1:${OLD_KEK}`,
      HOOKYARD_ENCRYPTION_KEYS_PREVIOUS: `2:${NEW_KEK}`,
    };
    const swapped = {
      HOOKYARD_ENCRYPTION_KEY: `2:${NEW_KEK}`,
      HOOKYARD_ENCRYPTION_KEYS_PREVIOUS: `1:${OLD_KEK}`,
      HOOKYARD_REENCRYPT_INTERVAL_SECONDS: String(REENCRYPT_INTERVAL_S),
    };
    const dropped = { HOOKYARD_ENCRYPTION_KEY: `2:${NEW_KEK}` };
    const pw = canaries.value('k4pw');
    const outKey = canaries.value('k4outkey');
    const given = canaries.signingSecret();
    const basicAuth = { type: 'basic', username: 'k4user', password: pw };
    const keyAuth = { type: 'api_key', headerName: 'X-Receiver-Key', apiKey: outKey };
    const a = await stack.endpoint('/k4/a/ok', [topic], {
      secret: given,
      authentication: basicAuth,
    });
    const b = await stack.endpoint('/k4/b/ok', [topic], { authentication: keyAuth });
    const capBasic = await stack.endpoint('/k4/cap-basic', [topic], {
      url: capture.url('/k4/cap-basic'),
      authentication: basicAuth,
    });
    const capKeyed = await stack.endpoint('/k4/cap-keyed', [topic], {
      url: capture.url('/k4/cap-keyed'),
      authentication: keyAuth,
    });
    const endpoints = [a, b, capBasic, capKeyed];
    // The receiver verifies every signature: a secret that did not decrypt would show as invalid.
    await stack.receiver.setSecret('/k4/a', a.secret);
    await stack.receiver.setSecret('/k4/b', b.secret);
    const onOldKeyBefore = await rowsOffKey(2);

    // Step 1: every process reads the new key, still writes with the old one.
    await killApp(stack.api);
    await stack.startApi(addNew);
    const firstStartedAt = Date.now();
    const first = await startRowWorker({
      ...addNew,
      HOOKYARD_REENCRYPT_INTERVAL_SECONDS: String(REENCRYPT_INTERVAL_S),
    });
    // Step 2 under a steady load: a worker on the swapped keys re-encrypts at its start while the
    // first still delivers; then the first stops. The load runs until every row is on key 2.
    let rotated = false;
    const load = steadyLoad(topic, () => rotated, 100);
    // The first worker is delivering before the swap starts.
    await until(
      async () => (await stack.ledger('/k4')).filter((e) => e.acked).length >= 20,
      30_000,
    );
    const swapAt = Date.now();
    const second = await startRowWorker(swapped);
    const allMoved = await until(async () => (await rowsOffKey(2)) === 0, 30_000);
    const reencryptS = (Date.now() - swapAt) / 1000;
    // A rolling swap overlaps the two configurations: the first worker runs on beside the second
    // through one tick of its own re-encryption job (the overlap is the provocation). A worker that
    // only reads the new key must leave the rows on it.
    let movedBack = 0;
    const overlapEnds = firstStartedAt + (REENCRYPT_INTERVAL_S + 2) * 1000;
    await until(
      async () => {
        movedBack = Math.max(movedBack, await rowsOffKey(2));
        return Date.now() > overlapEnds;
      },
      (REENCRYPT_INTERVAL_S + 10) * 1000,
    );
    await stopApp(first, 20_000);
    rotated = true;
    const duringRotation = await load;
    await killApp(stack.api);
    await stack.startApi(swapped);
    const afterSwap = await steadyLoad(topic, () => true, 50);
    // An endpoint made now is written with the new key.
    const late = await stack.endpoint('/k4/late/ok', ['ticket.deleted'], {
      authentication: keyAuth,
    });
    const [lateRow] = await stack.query<{ secret: string; auth: string; version: number }>(
      `SELECT s.secret_enc AS secret, e.auth_secret_enc AS auth, s.key_version AS version
         FROM endpoints e JOIN endpoint_secrets s ON s.endpoint_id = e.id WHERE e.id = $1`,
      [late.id],
    );

    // Step 3: the old key dropped everywhere; the secrets still decrypt, deliveries still go out.
    const third = await startRowWorker(dropped);
    await stopApp(second, 20_000);
    await killApp(stack.api);
    await stack.startApi(dropped);
    const afterDrop = await steadyLoad(topic, () => true, 50);
    const secretAnswer = await stack.call('GET', `/v1/endpoints/${a.id}/secret`);
    const secretNow = ((await secretAnswer.json()) as { secret?: string }).secret;

    const published = [...duringRotation, ...afterSwap, ...afterDrop];
    const sent = ids(published);
    const expected = fanOut([a.path, b.path], sent);
    await stack.waitForLedger('/k4', deliveredAll(keysOf(expected)), 60_000);
    const captured = await until(
      () =>
        [capBasic, capKeyed].every(
          (e) => new Set(capture.received(e.path).map((r) => r.webhookId)).size >= sent.length,
        ),
      60_000,
    );
    const drained = await stack.drained(
      endpoints.map((e) => e.id),
      30_000,
    );
    const entries = (await stack.ledger('/k4')).filter((e) => e.endpoint !== '/k4/late/ok');
    const f = rowFigures(entries, expected, published);
    const badSignatures = entries.filter((e: LedgerEntry) => e.signatureValid !== true).length;
    const badAuth =
      capture
        .received(capBasic.path)
        .filter((r) => r.headers['authorization'] !== basicHeader('k4user', pw)).length +
      capture.received(capKeyed.path).filter((r) => r.headers['x-receiver-key'] !== outKey).length;
    const failedTries = await failedAttempts(endpoints.map((e) => e.id));
    const [{ n: notOnce } = { n: -1 }] = await stack.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM deliveries
        WHERE endpoint_id = ANY($1) AND (status <> 'succeeded' OR attempt_count <> 1)`,
      [endpoints.map((e) => e.id)],
    );
    const failures = failedTries + notOnce + badSignatures + badAuth + f.lost;
    const onOldKeyAfter = await rowsOffKey(2);
    const reencryptedTo = (worker: ChildApp, version: number) =>
      [
        ...worker
          .tail(10_000)
          .matchAll(
            new RegExp(`re-encrypted (\\d+) secrets with encryption key version ${version}`, 'g'),
          ),
      ].reduce((sum, m) => sum + Number(m[1]), 0);
    const reencrypted = reencryptedTo(second, 2);
    const reencryptedBack = reencryptedTo(first, 1);

    // Everything after the drop went out through the worker that holds the new key only.
    const byThird = await stack.deliveredBy(third);
    const revocation = await measureRevocation(dropped);
    // No log line of the rotation (any app, any start) holds a key or a secret of this row.
    const logHits = hitsIn(readLogs(stack.logDir).text, [
      OLD_KEK,
      NEW_KEK,
      pw,
      `k4user:${pw}`,
      outKey,
      given,
      b.secret,
      revocation.key,
    ]);
    reportRow({
      id: 'K4',
      title: 'KEK rotation; key revocation',
      figures: f,
      extra: {
        delivery_failures: failures,
        bad_signatures: badSignatures,
        bad_auth: badAuth,
        rows_on_old_key_before: onOldKeyBefore,
        moved_back_during_overlap: movedBack,
        reencrypted_back_by_first: reencryptedBack,
        rows_on_old_key_after: onOldKeyAfter,
        reencrypted,
        reencrypt_s: reencryptS.toFixed(1),
        sent_during_rotation: acknowledged(duringRotation).length,
        delivered_by_new_key_only_worker: byThird,
        log_hits: hitCount(logHits),
        revoke_latency_s: revocation.peer === null ? 'never' : revocation.peer.toFixed(2),
        revoke_latency_same_process_s:
          revocation.same === null ? 'never' : revocation.same.toFixed(2),
        cache_ttl_s: API_KEY_CACHE_S,
      },
    });

    expect(onOldKeyBefore).toBeGreaterThan(0);
    expect(allMoved).toBe(true);
    expect(onOldKeyAfter).toBe(0);
    expect(reencrypted).toBeGreaterThanOrEqual(onOldKeyBefore);
    expect(lateRow?.version).toBe(2);
    expect(lateRow?.secret.startsWith('v2.')).toBe(true);
    expect(lateRow?.auth.startsWith('v2.')).toBe(true);
    expect(secretAnswer.status).toBe(200);
    expect(secretNow).toBe(given);
    expect(f.sent).toBe(published.length);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0);
    expect(captured).toBe(true);
    expect(drained).toBe(true);
    expect(failures).toBe(0);
    expect(byThird).toBeGreaterThanOrEqual(acknowledged(afterDrop).length * endpoints.length);
    expect(describeHits(logHits)).toBe('');
    expect(revocation.before).toEqual([200, 200]);
    expect(revocation.same).not.toBeNull();
    expect(revocation.peer).not.toBeNull();
    expect(revocation.same ?? Infinity).toBeLessThanOrEqual(REVOKE_MARGIN_S);
    expect(revocation.peer ?? Infinity).toBeLessThanOrEqual(API_KEY_CACHE_S + REVOKE_MARGIN_S);
    // Last, so every other claim is checked first: no row went back to the old key mid-rollout.
    expect(reencryptedBack).toBe(0);
    expect(movedBack).toBe(0);
  }, 150_000);
});

async function startRowWorker(env: Record<string, string>): Promise<ChildApp> {
  const worker = await stack.startWorker(env);
  rowApps.add(worker);
  return worker;
}

/**
 * Publishes `topic` in rounds of 10 (2 at a time), a round every 250 ms at most (a steady load of
 * some 40 events a second, whatever the machine), until `done()` holds and at least `min` were sent.
 */
async function steadyLoad(topic: string, done: () => boolean, min: number): Promise<Published[]> {
  const all: Published[] = [];
  while (all.length < min || !done()) {
    const roundStarted = Date.now();
    const round = await publish({
      base: stack.base,
      key: stack.key,
      count: 10,
      concurrency: 2,
      topic: () => topic,
    });
    all.push(...round);
    await sleep(Math.max(0, 250 - (Date.now() - roundStarted))); // the pace of the load
  }
  return all;
}

/**
 * Issues an org API key, has it looked up (and cached) by the stack's API and by a second API process
 * on the same database, revokes it through the first, then polls both until each answers 401.
 * Seconds from the revocation's answer to each 401; null when it never came within 20 s.
 */
async function measureRevocation(env: Record<string, string>): Promise<{
  key: string;
  before: number[];
  same: number | null;
  peer: number | null;
}> {
  const port = await freePort();
  const peer = spawnApp(
    'api-peer',
    API_MAIN,
    {
      PATH: process.env['PATH'] ?? '',
      ...SUITE_ENV,
      HOOKYARD_LOG_LEVEL: 'debug',
      DATABASE_URL: stack.database.url,
      HOOKYARD_METRICS_TOKEN: stack.metricsToken,
      ...env,
      HOOKYARD_ROLE: 'api',
      PORT: String(port),
    },
    join(stack.logDir, 'api-peer.log'),
    `http://127.0.0.1:${port}`,
  );
  rowApps.add(peer);
  await untilReady(peer);
  const issued = await stack.call('POST', '/v1/api-keys', {
    name: 'k4-revoked',
    permissions: ['*'],
  });
  const { id, key } = (await issued.json()) as { id: string; key: string };
  const statusAt = async (base: string) =>
    (
      await fetch(`${base}/v1/endpoints?limit=1`, {
        headers: { authorization: `Bearer ${key}` },
        signal: AbortSignal.timeout(5_000),
      })
    ).status;
  const before = [await statusAt(stack.base), await statusAt(peer.healthUrl)];
  const revoked = await stack.call('DELETE', `/v1/api-keys/${id}`);
  if (revoked.status !== 204) throw new Error(`DELETE /v1/api-keys/${id}: ${revoked.status}`);
  const at = Date.now();
  const latency = async (base: string): Promise<number | null> =>
    (await until(async () => (await statusAt(base)) === 401, 20_000))
      ? (Date.now() - at) / 1000
      : null;
  const [same, other] = await Promise.all([latency(stack.base), latency(peer.healthUrl)]);
  return { key, before, same, peer: other };
}

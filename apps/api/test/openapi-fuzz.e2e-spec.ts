import { DELIVERY_ENV, startTestApp, type TestApp } from './harness';
import { Receiver } from './receiver';
import {
  type Document,
  type Operation,
  operationsOf,
  resolveSchema,
  type Schema,
} from './openapi-document';

/*
 * X12: a seeded fuzz of every operation of the OpenAPI document the app serves (the native API and
 * both dialects). Bodies, queries, path ids and headers are made from the document's own schemas,
 * then mutated: types swapped, nulls, odd strings (NUL, lone surrogates, very long, other scripts),
 * deep nesting, unknown fields, missing required ones, wrong content types, malformed JSON. Ids are
 * the organization's real ones as often as random ones, so the routes behind the lookups run too.
 *
 * No answer may be a 5xx, and every 4xx carries a JSON error body in its dialect's shape. One run is
 * the fixed seed and one a new seed each time, printed; `HOOKYARD_FUZZ_SEED=<seed>` replays a seed
 * in place of the new one, and `HOOKYARD_FUZZ_REQUESTS=<n>` sends more (or fewer) per seed. The
 * request count keeps the file within about 30 s on a 2-core machine; a seed that runs past its time
 * budget (a loaded machine) stops early and says how many of its requests it sent.
 */

const FIXED_SEED = 20_261_207;
const REQUESTS_PER_SEED = Number(process.env['HOOKYARD_FUZZ_REQUESTS'] ?? 1500);
/** A seed stops early past this (a loaded machine), saying how many of its requests it sent. */
const SEED_BUDGET_MS = 15_000;
/** Requests in flight at once (the order of the generated requests does not depend on it). */
const IN_FLIGHT = 4;

// ---------------------------------------------------------------- a seeded generator

/** mulberry32: a small, fast PRNG whose whole state is one 32-bit number. */
class Random {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

// ---------------------------------------------------------------- the organization's real ids

interface Ids {
  endpoints: string[];
  events: string[];
  deliveries: string[];
  apiKeys: string[];
  portalSessions: string[];
}

/** Adds the id a create answered with to the ids later requests draw from. */
function remember(ids: Ids, url: string, text: string): void {
  let id: unknown;
  try {
    id = (JSON.parse(text) as { id?: unknown }).id;
  } catch {
    return;
  }
  if (typeof id !== 'string') return;
  if (/^\/(v1\/endpoints|featurebase\/v2\/webhooks|platform\/v1\/webhooks)(\?|$)/.test(url))
    ids.endpoints.push(id);
  else if (url.startsWith('/v1/api-keys')) ids.apiKeys.push(id);
  else if (url.startsWith('/v1/portal-sessions')) ids.portalSessions.push(id);
}

/** Which of the organization's ids a path parameter takes, by the path before it. */
function idsFor(ids: Ids, path: string): string[] {
  if (/\/(endpoints|webhooks)\/\{/.test(path)) return ids.endpoints;
  if (path.startsWith('/v1/deliveries/')) return ids.deliveries;
  if (path.startsWith('/v1/events/')) return ids.events;
  if (path.startsWith('/v1/api-keys/')) return ids.apiKeys;
  if (path.startsWith('/v1/portal-sessions/')) return ids.portalSessions;
  return [];
}

// ---------------------------------------------------------------- values

/** Fields a request may only send as null (the server sets them); left out of valid bodies. */
const SERVER_OWNED = new Set(['penalty_box_data']);

/** A URL every dialect takes (Featurebase wants https); nothing is delivered to it. */
const HTTPS_URL = 'https://example.com/hooks';

const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'tail\udfff',
  '\udc00\ud800',
  '😀',
  'ünïcödé ✓ 中文 العربية',
  '\u202eevil',
  'zero\u200bwidth',
  'x'.repeat(5000),
  '../../etc/passwd',
  "'; DROP TABLE endpoints; --",
  '<script>alert(1)</script>',
  'null',
  '-1',
  '1e309',
  'NaN',
  '0x10',
  '2026-13-45T99:99:99Z',
  '%00',
  '\\u0000',
  'line\r\nbreak',
  '__proto__',
  'constructor',
  '000000000000000000000000',
  'ffffffffffffffffffffffff',
  '00000000-0000-0000-0000-000000000000',
  'whsec_AAAA',
  'https://user:pw@127.0.0.1/x',
  'file:///etc/passwd',
];

/** Times at and past the ends of what JavaScript and PostgreSQL can hold, and not quite times. */
const ODD_TIMES: readonly string[] = [
  '-271821-04-20T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '-004714-11-23T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01',
  '2026-02-30T00:00:00Z',
  '1',
  'yesterday',
];

/** Numbers as a query string writes them, ends of ranges included. */
const ODD_NUMERIC: readonly string[] = [
  '0',
  '-0',
  '0.5',
  '1e3',
  '1e20',
  '1e309',
  '2147483648',
  '9007199254740993',
  '99999999999999999999',
  ' 5',
  '0x14',
];

/** Cursors of the shapes the API hands out, holding what it never would. */
const FORGED_CURSORS: readonly string[] = [
  ...ODD_TIMES.map((time) => `${time}|000000000000000000000000`),
  '2026-01-01T00:00:00.000Z|',
  '|',
  '{"id":"000000000000000000000000"}',
  '{"id":["000000000000000000000000"]}',
  '{"id":null}',
  '[]',
].map((text) => Buffer.from(text, 'utf8').toString('base64url'));

const ODD_NUMBERS: readonly number[] = [
  0,
  -1,
  1.5,
  -0.000001,
  2 ** 31,
  2 ** 53 + 1,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
];

const ODD_PATH_IDS: readonly string[] = [
  '000000000000000000000000',
  'ffffffffffffffffffffffff',
  '00000000-0000-0000-0000-000000000000',
  'abc',
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%FF',
  '%F0%9F%98%80',
  '..',
  '%2e%2e',
  'x'.repeat(300),
  '-1',
  '1e3',
  'null',
  '%20',
];

/** Makes values for a fuzzed request: valid ones from the schemas, and mutations of them. */
class Values {
  constructor(
    private readonly random: Random,
    private readonly document: Document,
    private readonly context: {
      readonly url: string;
      readonly ids: Ids;
      readonly organizationId: string;
    },
  ) {}

  resolve(schema: Schema): Schema {
    return resolveSchema(this.document, schema);
  }

  /** A value that the schema allows, most of the time; `name` hints at what the string means. */
  valid(raw: Schema, name = '', depth = 0): unknown {
    const schema = this.resolve(raw);
    const r = this.random;
    if (schema.enum && schema.enum.length > 0) return r.pick(schema.enum);
    if (schema.properties || schema.type === 'object') return this.object(schema, name, depth);
    switch (schema.type ?? 'string') {
      case 'array': {
        const min = Math.max(schema.minItems ?? 1, 1);
        const max = Math.min(schema.maxItems ?? 3, min + 2);
        const length = min + r.int(max - min + 1);
        const items = Array.from({ length }, () => this.valid(schema.items ?? {}, name, depth + 1));
        return [...new Set(items)];
      }
      case 'integer':
      case 'number': {
        if (schema.example !== undefined && r.chance(0.5)) return schema.example;
        const low = schema.minimum ?? 1;
        const high = schema.maximum ?? Math.max(low, 100);
        return Math.round(low + r.next() * (high - low));
      }
      case 'boolean':
        return r.chance(0.5);
      default:
        return this.string(schema, name);
    }
  }

  private object(schema: Schema, name: string, depth: number): unknown {
    const r = this.random;
    if (!schema.properties) {
      if (typeof schema.additionalProperties === 'object') {
        const value: Record<string, unknown> = {};
        for (let i = r.int(3); i > 0; i -= 1)
          value[`X-Fuzz-${r.int(100)}`] = this.valid(schema.additionalProperties, 'header');
        return value;
      }
      // Free-form JSON (event data): the example, or a small random document.
      return schema.example !== undefined && r.chance(0.4) ? schema.example : this.json(depth);
    }
    const value: Record<string, unknown> = {};
    const required = new Set(schema.required ?? []);
    for (const [key, property] of Object.entries(schema.properties)) {
      if (SERVER_OWNED.has(key)) continue;
      if (required.has(key) || r.chance(0.6)) value[key] = this.valid(property, key, depth + 1);
    }
    if (name === '' && r.chance(0.02)) value['__proto__'] = { polluted: true };
    return value;
  }

  private string(schema: Schema, name: string): string {
    const r = this.random;
    const key = name.toLowerCase();
    if (key === 'url') return r.chance(0.6) ? this.context.url : HTTPS_URL;
    if (key.endsWith('url')) return HTTPS_URL;
    if (key === 'email') return 'fuzz@example.com';
    if (key === 'secret') return `whsec_${Buffer.alloc(32, r.int(256)).toString('base64')}`;
    if (key === 'portalallowedorigins') return 'https://app.example.com';
    if (key === 'topic') return r.pick(['post.created', 'comment.created']);
    if (key.endsWith('topics')) return r.pick(['post.created', 'comment.created', 'post.*', '*']);
    if (key.endsWith('actions')) return r.pick(['POST.CREATED', 'POST.*', 'COMMENT.CREATED']);
    if (key === 'endpointids' || key === 'endpointid')
      return this.realOr(this.context.ids.endpoints);
    if (key === 'since' || key === 'until' || key.endsWith('at'))
      return new Date(Date.now() - r.int(7 * 86_400_000)).toISOString();
    if (key === 'cursor') return r.pick(['', 'eyJ9', 'AAAA', 'x']);
    if (typeof schema.example === 'string' && r.chance(0.6)) return schema.example;
    return `fuzz-${r.int(1_000_000)}`.slice(0, schema.maxLength ?? 100);
  }

  private realOr(ids: readonly string[]): string {
    return ids.length > 0 && this.random.chance(0.8)
      ? this.random.pick(ids)
      : this.random.pick(ODD_PATH_IDS);
  }

  /** A random JSON value, odd strings and keys included. */
  json(depth = 0): unknown {
    const r = this.random;
    const kind = depth > 4 ? r.int(4) : r.int(6);
    switch (kind) {
      case 0:
        return r.pick(ODD_NUMBERS);
      case 1:
        return r.chance(0.5) ? r.pick(ODD_STRINGS) : `text ${r.int(1000)}`;
      case 2:
        return r.chance(0.5) ? null : r.chance(0.5);
      case 3:
        return `plain ${r.int(1000)}`;
      case 4:
        return Array.from({ length: r.int(4) }, () => this.json(depth + 1));
      default: {
        const value: Record<string, unknown> = {};
        for (let i = r.int(4); i > 0; i -= 1) {
          const key = r.chance(0.15) ? r.pick(ODD_STRINGS).slice(0, 50) : `k${r.int(100)}`;
          value[key] = this.json(depth + 1);
        }
        return value;
      }
    }
  }

  /** An odd query value: for its kind (a number, a time, a cursor) or any odd string. */
  oddQuery(name: string, raw: Schema): string {
    const r = this.random;
    const schema = this.resolve(raw);
    if (r.chance(0.3)) return String(r.pick(ODD_STRINGS));
    if (name === 'cursor') return r.pick(FORGED_CURSORS);
    if (name === 'since' || name === 'until') return r.pick(ODD_TIMES);
    if (schema.type === 'number' || schema.type === 'integer') return r.pick(ODD_NUMERIC);
    return r.pick([...ODD_NUMERIC, ...ODD_TIMES]);
  }

  /** Something in place of a valid value: another type, null, an odd string, deep nesting. */
  odd(): unknown {
    const r = this.random;
    switch (r.int(9)) {
      case 0:
        return null;
      case 1:
      case 2:
        return r.pick(ODD_STRINGS);
      case 3:
        return r.pick(ODD_NUMBERS);
      case 4:
        return r.chance(0.5);
      case 5:
        return r.chance(0.5) ? [] : [r.pick(ODD_STRINGS), r.pick(ODD_NUMBERS)];
      case 6:
        return {};
      case 7:
        return nest(r.chance(0.7) ? 2 + r.int(28) : 31 + r.int(10));
      default:
        return this.json();
    }
  }

  /**
   * `value` with 1-3 mutations at random places: mostly one field's value swapped for odd text or
   * another type (the rest stays valid, so the request gets past the first check), else an unknown
   * or oddly named field, a field removed, or the whole value replaced.
   */
  mutate(value: unknown): unknown {
    const r = this.random;
    let result = structuredClone(value);
    for (let n = 1 + (r.chance(0.3) ? r.int(3) : 0); n > 0; n -= 1) {
      const holders = containers(result);
      if (holders.length === 0 || r.chance(0.05)) {
        result = this.odd();
        continue;
      }
      const holder = r.pick(holders) as Record<string, unknown>;
      const keys = Object.keys(holder);
      const action = r.int(10);
      if (keys.length > 0 && action < 4) {
        holder[r.pick(keys)] = r.pick(r.chance(0.7) ? ODD_STRINGS : ODD_TIMES);
      } else if (keys.length > 0 && action < 6) {
        holder[r.pick(keys)] = this.odd();
      } else if (keys.length > 0 && action < 7 && !Array.isArray(holder)) {
        delete holder[r.pick(keys)];
      } else if (keys.length > 0 && action < 8 && !Array.isArray(holder)) {
        const key = r.pick(keys);
        holder[r.pick(ODD_STRINGS).slice(0, 40)] = holder[key];
        delete holder[key];
      } else {
        const name = Array.isArray(holder) ? String(keys.length) : `unknown${r.int(10)}`;
        holder[name] = this.odd();
      }
    }
    return result;
  }
}

/** Every object and array inside `value` (itself included). */
function containers(value: unknown): object[] {
  if (typeof value !== 'object' || value === null) return [];
  return [value, ...Object.values(value).flatMap(containers)];
}

function nest(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

// ---------------------------------------------------------------- one request

interface FuzzRequest {
  readonly label: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
}

/** What one request gets wrong; the rest of it stays valid, so it reaches the code behind. */
type Target = 'nothing' | 'body' | 'query' | 'path' | 'headers' | 'encoding' | 'credentials';

function targetOf(operation: Operation, random: Random): Target {
  if (random.chance(0.2)) return 'nothing';
  const targets: Target[] = ['encoding', 'credentials'];
  for (const parameter of operation.parameters) {
    if (parameter.in === 'query') targets.push('query', 'query', 'query');
    if (parameter.in === 'path') targets.push('path');
    if (parameter.in === 'header') targets.push('headers');
  }
  if (operation.body) targets.push('body', 'body', 'body', 'body');
  return random.pick(targets);
}

function makeRequest(
  operation: Operation,
  values: Values,
  random: Random,
  context: { ids: Ids; key: string; organizationId: string },
): FuzzRequest {
  const target = targetOf(operation, random);
  let path = operation.path;
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  const queryParameters = operation.parameters.filter((p) => p.in === 'query');
  const oddQuery = target === 'query' ? random.pick(queryParameters) : undefined;
  for (const parameter of operation.parameters) {
    const schema = parameter.schema ?? {};
    switch (parameter.in) {
      case 'path': {
        const real = idsFor(context.ids, operation.path);
        let value: string;
        if (parameter.name === 'version')
          value = target === 'path' && random.chance(0.3) ? random.pick(['2', '0', '%00']) : '1';
        else if (real.length > 0 && (target !== 'path' || random.chance(0.3)))
          value = random.pick(real);
        else value = random.pick(ODD_PATH_IDS);
        path = path.replace(`{${parameter.name}}`, value);
        break;
      }
      case 'query': {
        if (parameter === oddQuery) {
          query.append(parameter.name, values.oddQuery(parameter.name, schema));
          if (random.chance(0.1)) query.append(parameter.name, String(values.valid(schema)));
        } else if (parameter.required || random.chance(0.5)) {
          const value = values.valid(schema, parameter.name);
          query.append(parameter.name, typeof value === 'string' ? value : JSON.stringify(value));
        }
        break;
      }
      case 'header': {
        if (target !== 'headers' && random.chance(0.6)) break;
        headers[parameter.name] = headerValue(
          target === 'headers' && random.chance(0.5)
            ? String(random.pick(ODD_STRINGS))
            : ['x-platform-id', 'x-hookyard-organization'].includes(parameter.name.toLowerCase())
              ? context.organizationId
              : String(values.valid(schema, parameter.name)),
        );
        break;
      }
    }
  }
  if (target === 'query' && random.chance(0.2))
    query.append(
      random.pick(['unknown', 'limit', '__proto__[x]', 'a[b][c]']),
      random.pick(ODD_STRINGS).slice(0, 100),
    );
  const queryText = query.toString();

  if (target !== 'credentials') headers['authorization'] = `Bearer ${context.key}`;
  else if (random.chance(0.3)) headers['x-api-key'] = context.key;
  else if (random.chance(0.8))
    headers['authorization'] = random.pick(['Bearer ', 'Bearer hy_nope', 'Basic Og==']);

  let body: string | Buffer | undefined;
  let kind = target === 'nothing' ? 'valid' : `odd ${target}`;
  if (operation.body || (target === 'encoding' && random.chance(0.3))) {
    const valid = operation.body ? values.valid(operation.body) : values.json();
    const text = JSON.stringify(target === 'body' ? values.mutate(valid) : valid) ?? 'null';
    headers['content-type'] = 'application/json';
    body = text;
    if (target === 'encoding') {
      const how = random.int(6);
      if (how === 0) {
        body = text.slice(0, Math.max(1, random.int(text.length)));
        kind = 'truncated JSON';
      } else if (how === 1) {
        headers['content-type'] = random.pick([
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
        ]);
      } else if (how === 2) {
        headers['content-type'] = 'application/merge-patch+json';
      } else if (how === 3) {
        headers['content-type'] = 'application/json; charset=utf-16le';
        body = Buffer.from(text, 'utf16le');
      } else if (how === 4) {
        headers['content-type'] = random.pick([
          'application/json; charset=latin1',
          'application/json; charset=bogus',
        ]);
      } else {
        body = undefined;
      }
      if (body !== undefined) kind = `${headers['content-type']} body`;
    }
  }
  if (operation.method === 'GET' || operation.method === 'HEAD') body = undefined;
  if (body === undefined) delete headers['content-type'];
  return {
    label: `${operation.method} ${operation.path} (${kind})`,
    method: operation.method,
    url: `${path}${queryText ? `?${queryText}` : ''}`,
    headers,
    body,
  };
}

/** A header value fetch will send: printable ASCII only. */
function headerValue(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '').trim();
  return printable.slice(0, 200) || 'x';
}

// ---------------------------------------------------------------- checking an answer

/** What is wrong with an answer; empty when it is fine. */
function faultsOf(path: string, status: number, contentType: string, text: string): string[] {
  if (status >= 500) return [`answered ${status}`];
  if (status < 400) return [];
  let body: Record<string, any>;
  try {
    body = JSON.parse(text);
  } catch {
    return [`a ${status} whose body is not JSON: ${text.slice(0, 80)}`];
  }
  const found: string[] = [];
  if (path.startsWith('/featurebase/')) {
    const e = body.error ?? {};
    if (typeof e.type !== 'string' || typeof e.code !== 'string' || typeof e.message !== 'string')
      found.push('not a Featurebase error body');
    if (e.status !== status) found.push(`Featurebase error status ${e.status}`);
  } else if (path.startsWith('/platform/')) {
    if (
      body.type !== 'INVALID_REQUEST' ||
      typeof body.code !== 'string' ||
      typeof body.message !== 'string'
    )
      found.push('not a platform error body');
  } else {
    if (!contentType.includes('application/problem+json'))
      found.push(`content type ${contentType}`);
    if (typeof body.code !== 'string' || body.status !== status || !Array.isArray(body.errors))
      found.push('not a problem document');
  }
  return found;
}

// ---------------------------------------------------------------- the run

interface Fault {
  readonly seed: number;
  readonly index: number;
  readonly request: string;
  readonly url: string;
  readonly status: number;
  readonly found: string[];
  readonly body: string;
}

describe('X12 OpenAPI fuzz', () => {
  let t: TestApp;
  let receiver: Receiver;
  let key: string;
  let organizationId: string;
  let document: Document;
  const ids: Ids = { endpoints: [], events: [], deliveries: [], apiKeys: [], portalSessions: [] };

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp({
      ...DELIVERY_ENV,
      HOOKYARD_ENDPOINT_LIMIT: '100000',
    });
    ({ apiKey: key, organizationId } = await t.createOrganization());
    document = (await t.request('GET', '/openapi.json')).body as Document;
    const made = async (path: string, body: unknown): Promise<Record<string, any>> => {
      const response = await t.request('POST', path, { key, body });
      const expected = path.endsWith('/batch') ? 200 : 201;
      if (response.status !== expected)
        throw new Error(`fixture ${path}: ${response.status} ${response.text.slice(0, 300)}`);
      return response.body;
    };
    const url = receiver.url('/fuzz');
    for (const body of [
      { url, name: 'Fuzz A', topics: ['post.created'] },
      { url, name: 'Fuzz B', topics: ['*'], includePreviousData: true },
    ])
      ids.endpoints.push((await made('/v1/endpoints', body)).id);
    ids.endpoints.push(
      (
        await made('/featurebase/v2/webhooks', {
          name: 'Fuzz C',
          url: HTTPS_URL,
          topics: ['post.created'],
        })
      ).id,
      (await made('/platform/v1/webhooks', { name: 'Fuzz D', url, reference: 'fuzz' })).id,
    );
    const batch = await made('/v1/events/batch', {
      events: [1, 2, 3].map((n) => ({
        topic: 'post.created',
        data: { n },
        previousData: { n: 0 },
      })),
    });
    for (const item of batch.data as { id: string }[]) {
      ids.events.push(item.id);
      const deliveries = await t.request('GET', `/v1/events/${item.id}/deliveries`, { key });
      for (const d of deliveries.body.data as { id: string }[]) ids.deliveries.push(d.id);
    }
    ids.apiKeys.push(
      (await made('/v1/api-keys', { name: 'spare', permissions: ['WEBHOOK.READ'] })).id,
    );
    ids.portalSessions.push(
      (await made('/v1/portal-sessions', { permissions: ['WEBHOOK.READ'] })).id,
    );
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  async function run(
    seed: number,
  ): Promise<{ faults: Fault[]; statuses: Map<number, number>; sent: number }> {
    const random = new Random(seed);
    const values = new Values(random, document, {
      url: receiver.url('/fuzz'),
      ids,
      organizationId,
    });
    const operations = operationsOf(document);
    // Deletions are drawn less often, so real ids stay around for the other operations.
    const weighted = operations.flatMap((o) => (o.method === 'DELETE' ? [o] : [o, o, o, o, o, o]));
    const requests = Array.from({ length: REQUESTS_PER_SEED }, () =>
      makeRequest(random.pick(weighted), values, random, { ids, key, organizationId }),
    );
    const faults: Fault[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    let sent = 0;
    const deadline = performance.now() + SEED_BUDGET_MS;
    const lane = async (): Promise<void> => {
      for (
        let index = next++;
        index < requests.length && performance.now() < deadline;
        index = next++
      ) {
        const request = requests[index];
        let status = 0;
        let text = '';
        let contentType = '';
        try {
          const response = await fetch(`${t.baseUrl}${request.url}`, {
            method: request.method,
            headers: request.headers,
            body: request.body,
            signal: AbortSignal.timeout(15_000),
          });
          status = response.status;
          contentType = response.headers.get('content-type') ?? '';
          text = await response.text();
        } catch (error) {
          text = String(error);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        sent += 1;
        if (status === 201) remember(ids, request.url, text);
        const found =
          status === 0 ? [`no answer: ${text}`] : faultsOf(request.url, status, contentType, text);
        if (found.length > 0)
          faults.push({
            seed,
            index,
            request: request.label,
            url: request.url.slice(0, 160),
            status,
            found,
            body: text.slice(0, 300),
          });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    return { faults, statuses, sent };
  }

  it('X12 answers a secret roll racing the delete of its webhook 200 or 404, never 500', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 15; i += 1) {
      const made = await t.request('POST', '/platform/v1/webhooks', {
        key,
        body: { name: `race ${i}`, url: receiver.url('/race'), reference: 'race' },
      });
      expect(made.status).toBe(201);
      const path = `/platform/v1/webhooks/${made.body.id}`;
      const answers = await Promise.all([
        t.request('DELETE', `${path}/secret-key`, { key }),
        t.request('DELETE', path, { key }),
        t.request('PATCH', `${path}/secret-key`, {
          key,
          body: { active: true, include_previous_data: false, authentication_type: 'NONE' },
        }),
      ]);
      for (const answer of answers) statuses.add(answer.status);
    }
    expect([...statuses].filter((s) => s !== 200 && s !== 404)).toEqual([]);
  });

  it('X12 answers the requests the fuzz found answering 500 with a 400 naming the field', async () => {
    const [endpoint] = ids.endpoints;
    const forged = Buffer.from(`-271821-04-20T00:00:00.000Z|${endpoint}`).toString('base64url');
    const cases: [string, string, unknown, number, string][] = [
      [
        'POST',
        '/v1/events',
        { topic: 'post.created', data: { title: '\ud800' } },
        400,
        'data.title',
      ],
      ['POST', '/v1/api-keys', { name: 'a\u0000', permissions: ['WEBHOOK.READ'] }, 400, 'name'],
      ['GET', `/v1/endpoints/${endpoint}/attempts?cursor=${forged}`, undefined, 400, 'cursor'],
      ['GET', '/platform/v1/webhooks?page=1e20', undefined, 400, 'page'],
    ];
    const answers = [];
    for (const [method, path, body] of cases) {
      const response = await t.request(method, path, { key, body });
      const field = path.startsWith('/platform/')
        ? response.body?.field
        : response.body?.errors?.[0]?.path;
      answers.push([method, path, body, response.status, field]);
    }
    expect(answers).toEqual(cases);
  });

  it('X12 answers every fuzzed request of every documented operation without a 5xx, each 4xx in its dialect’s error shape', async () => {
    const replay = Number(process.env['HOOKYARD_FUZZ_SEED']);
    const changing =
      Number.isInteger(replay) && replay > 0 ? replay : (Date.now() % 2_147_483_647) + 1;
    const faults: Fault[] = [];
    for (const seed of [FIXED_SEED, changing]) {
      const started = performance.now();
      const result = await run(seed);
      faults.push(...result.faults);
      const statuses = [...result.statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
      console.log(
        `X12 fuzz seed ${seed}${seed === FIXED_SEED ? ' (fixed)' : ` (replay: HOOKYARD_FUZZ_SEED=${seed})`}: ` +
          `${result.sent} of ${REQUESTS_PER_SEED} requests over ${operationsOf(document).length} operations in ` +
          `${Math.round(performance.now() - started)} ms; ${statuses}; ${result.faults.length} faults`,
      );
    }
    // One example of each kind of fault is enough to read; the count says how many there were.
    const seen = new Set<string>();
    const examples = faults.filter((f) => {
      const kind = `${f.request} ${f.status} ${f.found.join()}`;
      return !seen.has(kind) && seen.add(kind);
    });
    expect(examples).toEqual([]);
  }, 120_000);
});

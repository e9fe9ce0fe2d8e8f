import { endpointBody, startTestApp, type TestApp, type TestResponse } from './harness';

/*
 * The bad inputs of the admin API (B1..B29 in tools/reliability/src/catalogue.ts), walked in
 * full: every row in each dialect it concerns (native /v1, /featurebase/v2/webhooks,
 * /platform/v1/webhooks), or "n/a" with the reason.
 * Each request must be refused with the documented status, in the dialect's error shape, with its
 * machine-readable code and the field at fault; never a 500, never a stack trace; and the
 * organization's endpoints, secrets, events and deliveries are byte for byte what they were.
 *
 * Codes are Hookyard's (ADR 0004). Featurebase answers them in lower case (ADR 0005); the platform
 * dialect has its own small set (ADR 0009): INVALID_FIELD / MISSING_FIELD for every invalid request
 * (422 included, as 400), UNAUTHORISED, USER_NOT_ALLOWED, RESOURCE_NOT_FOUND, PAYLOAD_TOO_LARGE,
 * UNSUPPORTED_MEDIA_TYPE, TOO_MANY_REQUESTS. Where our code or status differs from the catalogue's
 * expected answer (docs/reliability.md), the row's `ours` says which is ours and why. Several rows
 * are covered in depth elsewhere (endpoints, featurebase, platform-api, ssrf-catalogue,
 * admin-limits, events-batch): this file re-asserts them briefly so that one place walks the whole
 * table.
 */

type DialectName = 'native' | 'featurebase' | 'platform';
const DIALECTS: readonly DialectName[] = ['native', 'featurebase', 'platform'];

/** What the caller is expected to get, in Hookyard's terms; each dialect translates it. */
interface Expected {
  readonly status: number;
  /** Hookyard's code (ADR 0004). */
  readonly code: string;
  /** The field at fault in the dialect's own words, or null when no field is at fault. */
  readonly field: string | null;
  /** The platform code when it is not the one its status implies (MISSING_FIELD). */
  readonly platformCode?: string;
}

interface Fixture {
  readonly t: TestApp;
  /** All permissions, organization A. */
  readonly key: string;
  readonly organizationId: string;
  /** Organization A, WEBHOOK.READ (and WEBHOOK.VIEW) only. */
  readonly readOnlyKey: string;
  /** Organization A, revoked. */
  readonly revokedKey: string;
  /** Organization B's key, and an endpoint of B's made through each dialect. */
  readonly otherKey: string;
  readonly otherIds: Record<DialectName, string>;
  /** An endpoint of A's made through each dialect: the target of every PATCH row. */
  readonly ids: Record<DialectName, string>;
}

interface Send {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  /** The key to send: A's all-permission key unless told (null: no credentials). */
  readonly key?: string | null;
}

interface Cell {
  readonly label: string;
  /** Work the request needs first (not part of what must stay unchanged). */
  readonly setup?: (f: Fixture) => Promise<void>;
  readonly send: (f: Fixture) => Send;
  readonly expect: Expected;
  /** Extra checks on the answer (a header, equality with another answer). */
  readonly also?: (response: TestResponse, f: Fixture) => Promise<void> | void;
}

interface Row {
  readonly n: number;
  readonly title: string;
  /** The catalogue's expected answer, as written there (docs/reliability.md, "Bad inputs"). */
  readonly reliability: string;
  /** Where ours differs from the catalogue's: which is ours and why. */
  readonly ours?: string;
  readonly cells: (d: DialectName) => readonly Cell[] | string;
}

// ---------------------------------------------------------------- the three dialects' bodies

const PATHS: Record<DialectName, string> = {
  native: '/v1/endpoints',
  featurebase: '/featurebase/v2/webhooks',
  platform: '/platform/v1/webhooks',
};

/** A valid create body in the dialect's shape, with `overrides` in the dialect's field names. */
function createBody(
  d: DialectName,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  switch (d) {
    case 'native':
      return endpointBody(overrides);
    case 'featurebase':
      return {
        name: 'Bad inputs',
        url: 'https://example.com/hooks',
        topics: ['post.created'],
        ...overrides,
      };
    case 'platform':
      return {
        name: 'Bad inputs',
        url: 'https://example.com/hooks',
        reference: 'bad-inputs',
        ...overrides,
      };
  }
}

/** The dialect's name for a field of the native body (`topics[0]` is the platform's `included_actions[0]`). */
function fieldIn(d: DialectName, field: string): string {
  if (d !== 'platform') return field;
  return field
    .replace(/^topics/, 'included_actions')
    .replace(/^authentication\.username$/, 'username')
    .replace(/^authentication\.password$/, 'password')
    .replace(/^authentication\.headerName$/, 'api_header_field')
    .replace(/^authentication\.apiKey$/, 'api_key');
}

/** A create and a PATCH of the dialect's own endpoint, each with `overrides`, refused with `expect`. */
function createAndPatch(
  d: DialectName,
  label: string,
  overrides: Record<string, unknown>,
  expect: Expected,
  options: { create?: boolean; patch?: boolean } = {},
): Cell[] {
  const cells: Cell[] = [];
  if (options.create !== false)
    cells.push({
      label: `create with ${label}`,
      send: () => ({ method: 'POST', path: PATHS[d], body: createBody(d, overrides) }),
      expect,
    });
  if (options.patch !== false)
    cells.push({
      label: `update with ${label}`,
      send: (f) => ({
        method: 'PATCH',
        path: `${PATHS[d]}/${f.ids[d]}`,
        body: { name: 'Changed', ...overrides },
      }),
      expect,
    });
  return cells;
}

/** The same refusal for each of `values` of one field, at create and at update. */
function fieldValues(
  d: DialectName,
  field: string,
  values: readonly unknown[],
  expect: (value: unknown) => Expected,
): Cell[] {
  return values.flatMap((value) =>
    createAndPatch(
      d,
      `${field} ${JSON.stringify(value).slice(0, 60)}`,
      { [field]: value },
      expect(value),
    ),
  );
}

const invalid = (status: number, code: string, field: string | null): Expected => ({
  status,
  code,
  field,
});

/** Native and Featurebase carry custom headers in `requestConfig.headers`; the platform has none. */
const NO_HEADERS =
  'n/a: the platform body has no custom headers (its receivers authenticate by authentication_type)';

function headerCells(
  d: DialectName,
  cases: readonly [string, Record<string, string>, string, string | null][],
): readonly Cell[] | string {
  if (d === 'platform') return NO_HEADERS;
  return cases.flatMap(([label, headers, code, name]) =>
    createAndPatch(
      d,
      label,
      { requestConfig: { headers } },
      invalid(400, code, name === null ? 'requestConfig.headers' : `requestConfig.headers.${name}`),
    ),
  );
}

// ---------------------------------------------------------------- the 27 rows

const A_TOPIC_OF_129 = `post.${'a'.repeat(124)}`;

const ROWS: readonly Row[] = [
  {
    n: 1,
    title: 'B1 plain http in production mode',
    reliability: '400 URL_MUST_BE_HTTPS',
    cells: (d) =>
      fieldValues(d, 'url', ['http://example.com/hook'], () =>
        invalid(400, 'URL_MUST_BE_HTTPS', 'url'),
      ),
  },
  {
    n: 2,
    title: 'B2 loopback targets with an empty allow-list',
    reliability: '400 TARGET_NOT_ALLOWED',
    cells: (d) =>
      fieldValues(d, 'url', ['https://127.0.0.1/x', 'https://localhost/x'], () =>
        invalid(400, 'TARGET_NOT_ALLOWED', 'url'),
      ),
  },
  {
    n: 3,
    title: 'B3 loopback and 0.0.0.0 in other spellings',
    reliability: '400 TARGET_NOT_ALLOWED (after canonicalisation)',
    cells: (d) =>
      fieldValues(d, 'url', ['https://2130706433/', 'https://0x7f.1/', 'https://0/'], () =>
        invalid(400, 'TARGET_NOT_ALLOWED', 'url'),
      ),
  },
  {
    n: 4,
    title: 'B4 cloud metadata addresses',
    reliability: '400 TARGET_NOT_ALLOWED (metadata always denied)',
    cells: (d) =>
      fieldValues(
        d,
        'url',
        ['https://[::ffff:169.254.169.254]/', 'https://169.254.169.254/latest/meta-data/'],
        () => invalid(400, 'TARGET_NOT_ALLOWED', 'url'),
      ),
  },
  {
    n: 5,
    title: 'B5 credentials in the URL',
    reliability: '400 URL_CREDENTIALS_NOT_ALLOWED',
    cells: (d) =>
      fieldValues(d, 'url', ['https://user:pass@example.com/'], () =>
        invalid(400, 'URL_CREDENTIALS_NOT_ALLOWED', 'url'),
      ),
  },
  {
    n: 6,
    title: 'B6 schemes other than http(s)',
    reliability: '400 URL_SCHEME_NOT_ALLOWED',
    cells: (d) =>
      fieldValues(
        d,
        'url',
        ['file:///etc/passwd', 'gopher://x', 'javascript:alert(1)', 'ftp://x'],
        () => invalid(400, 'URL_SCHEME_NOT_ALLOWED', 'url'),
      ),
  },
  {
    n: 7,
    title: 'B7 URLs that are not URLs',
    reliability: '400 URL_INVALID',
    cells: (d) =>
      fieldValues(
        d,
        'url',
        [`https://example.com/${'a'.repeat(2048)}`, '', 'https:///nohost', 'https://exa mple.com'],
        () => invalid(400, 'URL_INVALID', 'url'),
      ),
  },
  {
    n: 8,
    title: 'B8 eleven custom headers',
    reliability: '400 TOO_MANY_HEADERS (max 10)',
    cells: (d) =>
      headerCells(d, [
        [
          '11 headers',
          Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`X-H${i}`, 'v'])),
          'TOO_MANY_HEADERS',
          null,
        ],
      ]),
  },
  {
    n: 9,
    title: 'B9 header values that inject',
    reliability: '400 HEADER_VALUE_INVALID',
    ours: 'NUL is 400 UNSUPPORTED_TEXT, as in every field (B28, B29): text PostgreSQL cannot store is refused before any field rule runs',
    cells: (d) =>
      headerCells(d, [
        ['CR LF in a value', { 'X-A': 'v\r\nX-Injected: 1' }, 'HEADER_VALUE_INVALID', 'X-A'],
        ['LF in a value', { 'X-A': 'v\nX-Injected: 1' }, 'HEADER_VALUE_INVALID', 'X-A'],
        ['NUL in a value', { 'X-A': 'v\u0000' }, 'UNSUPPORTED_TEXT', 'X-A'],
      ]),
  },
  {
    n: 10,
    title: 'B10 hop-by-hop and framing headers',
    reliability: '400 HEADER_FORBIDDEN',
    cells: (d) =>
      headerCells(
        d,
        [
          'Host',
          'Content-Length',
          'Transfer-Encoding',
          'Connection',
          'Content-Type',
          'Proxy-Authorization',
        ].map((name) => [name, { [name]: 'internal' }, 'HEADER_FORBIDDEN', name] as const),
      ),
  },
  {
    n: 11,
    title: 'B11 the signature headers',
    reliability: '400 HEADER_RESERVED',
    cells: (d) =>
      headerCells(
        d,
        ['webhook-signature', 'webhook-id', 'webhook-timestamp'].map(
          (name) => [name, { [name]: 'v1,x' }, 'HEADER_RESERVED', name] as const,
        ),
      ),
  },
  {
    n: 12,
    title: 'B12 header names that are not RFC 7230 tokens',
    reliability: '400 HEADER_NAME_INVALID',
    cells: (d) =>
      headerCells(
        d,
        ['Bad Name', 'X:A', '', 'Ünï'].map(
          (name) =>
            [`name ${JSON.stringify(name)}`, { [name]: 'x' }, 'HEADER_NAME_INVALID', name] as const,
        ),
      ),
  },
  {
    n: 13,
    title: 'B13 header values over 4 KB, headers over 8 KB in all',
    reliability: '400 HEADER_TOO_LARGE',
    cells: (d) =>
      headerCells(d, [
        ['a 4097-byte value', { 'X-Big': 'v'.repeat(4097) }, 'HEADER_TOO_LARGE', 'X-Big'],
        [
          '8400 bytes in all',
          { 'X-A': 'a'.repeat(4000), 'X-B': 'b'.repeat(4000), 'X-C': 'c'.repeat(400) },
          'HEADER_TOO_LARGE',
          null,
        ],
      ]),
  },
  {
    n: 14,
    title: 'B14 names that are empty, too long or hold control characters',
    reliability: '400 NAME_INVALID (256+ characters)',
    ours: 'our names hold at most 100 characters (ADR 0005, shared by every dialect), so 101 is already too long; 256 is asserted too',
    cells: (d) =>
      fieldValues(
        d,
        'name',
        ['', 'n'.repeat(101), 'n'.repeat(256), 'bell\u0007name', 'line\nbreak'],
        () => invalid(400, 'NAME_INVALID', 'name'),
      ),
  },
  {
    n: 15,
    title: 'B15 topics that are empty, malformed, too long, repeated or unknown',
    reliability: '400 TOPIC_INVALID / 422 TOPIC_UNKNOWN',
    ours: 'the platform has no 422 (ADR 0009: every invalid request is 400 INVALID_FIELD) and reads an empty included_actions as every action, so [] is valid there',
    cells: (d) => {
      const field = d === 'platform' ? 'included_actions' : 'topics';
      const upper = (topic: string) => (d === 'platform' ? topic.toUpperCase() : topic);
      const cases: [unknown[], number, string, string][] = [
        [['User Created'], 400, 'TOPIC_INVALID', 'topics[0]'],
        [['user..created'], 400, 'TOPIC_INVALID', 'topics[0]'],
        [[A_TOPIC_OF_129], 400, 'TOPIC_INVALID', 'topics[0]'],
        [[upper('post.created'), upper('post.created')], 400, 'TOPIC_INVALID', 'topics[1]'],
        [[upper('invoice.paid')], 422, 'TOPIC_UNKNOWN', 'topics[0]'],
      ];
      if (d !== 'platform') cases.unshift([[], 400, 'TOPIC_INVALID', 'topics']);
      return cases.flatMap(([topics, status, code, at]) =>
        createAndPatch(
          d,
          `${field} ${JSON.stringify(topics).slice(0, 40)}`,
          { [field]: topics },
          invalid(status, code, fieldIn(d, at)),
        ),
      );
    },
  },
  {
    n: 16,
    title: 'B16 ids that are not ids',
    reliability: '400 ID_INVALID (ParseUUIDPipe), not 500',
    ours: 'our ids are 24-hex ObjectIds (ObjectIdPipe), so a UUID is as invalid as "not-a-uuid"; the field is `id` in every dialect, the platform path\'s {resourceId} included',
    cells: (d) => {
      // The platform's path calls it {resourceId}; ObjectIdPipe names it `id` in every dialect.
      const param = 'id';
      return [
        'not-a-uuid',
        '507f1f77bcf86cd79943901Z',
        '3fa85f64-5717-4562-b3fc-2c963f66afa6',
      ].flatMap((id) => [
        {
          label: `GET ${id}`,
          send: () => ({ method: 'GET', path: `${PATHS[d]}/${id}` }),
          expect: invalid(400, 'ID_INVALID', param),
        },
        {
          label: `PATCH ${id}`,
          send: () => ({ method: 'PATCH', path: `${PATHS[d]}/${id}`, body: { name: 'Changed' } }),
          expect: invalid(400, 'ID_INVALID', param),
        },
      ]);
    },
  },
  {
    n: 17,
    title: "B17 another organization's endpoint",
    reliability: '404 NOT_FOUND (same body as a nonexistent id)',
    cells: (d) => {
      const missing = '0123456789abcdef01234567';
      /** The answer for a nonexistent id, with the id in it replaced, must equal `response`'s. */
      const sameAsMissing =
        (method: string, body?: unknown) => async (response: TestResponse, f: Fixture) => {
          const other = await f.t.request(method, `${PATHS[d]}/${missing}`, { key: f.key, body });
          expect(other.status).toBe(404);
          const strip = (text: string, id: string) =>
            JSON.parse(text.replaceAll(id, '<id>'), (k, v: unknown) =>
              k === 'requestId' ? '<request>' : v,
            );
          expect(strip(response.text, f.otherIds[d])).toEqual(strip(other.text, missing));
        };
      return [
        { method: 'GET', body: undefined },
        { method: 'PATCH', body: { name: 'Mine now' } },
        { method: 'DELETE', body: undefined },
      ].map(({ method, body }) => ({
        label: `${method} another organization's id`,
        send: (f: Fixture) => ({ method, path: `${PATHS[d]}/${f.otherIds[d]}`, body }),
        expect: invalid(404, 'NOT_FOUND', null),
        also: sameAsMissing(method, body),
      }));
    },
  },
  {
    n: 18,
    title: 'B18 custom signing secrets that are too short, unprefixed, not base64 or too long',
    reliability: '400 SECRET_INVALID',
    cells: (d) => {
      if (d === 'featurebase')
        return 'n/a: Featurebase bodies carry no secret (the server makes it; a `secret` property is row 21)';
      if (d === 'platform')
        return 'n/a: the platform body carries no secret (secret_key is read-only, made by a roll)';
      return [
        'whsec_c2hvcnQ=',
        'c2VjcmV0LXdpdGhvdXQtcHJlZml4LTI0Ynl0ZXM=',
        'whsec_!!!not base64!!!',
        `whsec_${Buffer.alloc(65, 7).toString('base64')}`,
      ].map((secret) => ({
        label: `secret ${secret.slice(0, 24)}`,
        send: () => ({ method: 'POST', path: PATHS.native, body: endpointBody({ secret }) }),
        expect: invalid(400, 'SECRET_INVALID', 'secret'),
      }));
    },
  },
  {
    n: 19,
    title: 'B19 rotation grace periods out of range, and an 11th rotation within the window',
    reliability: '400 GRACE_PERIOD_INVALID; 400 ROTATION_LIMIT_REACHED',
    ours: 'a grace period that is not a number is refused by the validation pipe (400 VALIDATION_FAILED, ADR 0004), before the rule that knows the range',
    cells: (d) => {
      if (d === 'featurebase')
        return 'n/a: the Featurebase refresh takes no grace period (the old secret is dropped at once, ADR 0005), so no window can fill';
      if (d === 'platform') {
        // A roll takes no grace period (HOOKYARD_PLATFORM_SECRET_GRACE_SECONDS, a day, applies: ADR
        // 0009), so only the window filling up concerns it.
        const roll = (f: Fixture) => ({
          method: 'PATCH',
          path: `${PATHS.platform}/${f.ids.platform}/secret-key`,
          body: { active: true, include_previous_data: false, authentication_type: 'NONE' },
        });
        return [
          {
            label: 'an 11th roll within the grace window',
            setup: async (f) => {
              for (let i = 0; i < 10; i++) {
                const { method, path, body } = roll(f);
                const rolled = await f.t.request(method, path, { key: f.key, body });
                if (rolled.status === 400) break; // the window is full already
                expect(rolled.status).toBe(200);
              }
            },
            send: roll,
            expect: invalid(400, 'ROTATION_LIMIT_REACHED', null),
          },
        ];
      }
      const rotate = (gracePeriodSeconds: unknown) => (f: Fixture) => ({
        method: 'POST',
        path: `/v1/endpoints/${f.ids.native}/secret/rotate`,
        body: { gracePeriodSeconds },
      });
      return [
        {
          label: 'grace -1',
          send: rotate(-1),
          expect: invalid(400, 'GRACE_PERIOD_INVALID', 'gracePeriodSeconds'),
        },
        {
          label: 'grace 604801',
          send: rotate(604801),
          expect: invalid(400, 'GRACE_PERIOD_INVALID', 'gracePeriodSeconds'),
        },
        {
          label: 'grace "abc"',
          send: rotate('abc'),
          expect: invalid(400, 'VALIDATION_FAILED', 'gracePeriodSeconds'),
        },
        {
          label: 'an 11th rotation within the grace window',
          setup: async (f) => {
            for (let i = 0; i < 10; i++) {
              const rotated = await f.t.request(
                'POST',
                `/v1/endpoints/${f.ids.native}/secret/rotate`,
                {
                  key: f.key,
                  body: { gracePeriodSeconds: 3600 },
                },
              );
              if (rotated.status === 400) break; // the window is full already
              expect(rotated.status).toBe(200);
            }
          },
          send: rotate(3600),
          expect: invalid(400, 'ROTATION_LIMIT_REACHED', null),
        },
      ];
    },
  },
  {
    n: 20,
    title: 'B20 outbound authentication that cannot work',
    reliability: '400 AUTH_INVALID',
    ours: 'an unknown native authentication type is refused by the validation pipe: 400 VALIDATION_FAILED on authentication.type (ADR 0004: DTO faults use VALIDATION_FAILED); the platform answers an empty password MISSING_FIELD, since PASSWORD requires one (ADR 0009)',
    cells: (d) => {
      if (d === 'featurebase')
        return 'n/a: Featurebase bodies carry no outbound authentication (custom headers only, rows 8-13)';
      if (d === 'native')
        return [
          ...createAndPatch(
            d,
            'a colon in the basic username',
            { authentication: { type: 'basic', username: 'a:b', password: 'pw' } },
            invalid(400, 'AUTH_INVALID', 'authentication.username'),
          ),
          ...createAndPatch(
            d,
            'an empty basic password',
            { authentication: { type: 'basic', username: 'a', password: '' } },
            invalid(400, 'AUTH_INVALID', 'authentication.password'),
          ),
          ...createAndPatch(
            d,
            'an API key in Host',
            { authentication: { type: 'api_key', headerName: 'Host', apiKey: 'abc123' } },
            invalid(400, 'AUTH_INVALID', 'authentication.headerName'),
          ),
          ...createAndPatch(
            d,
            'an unknown type',
            { authentication: { type: 'oauth' } },
            invalid(400, 'VALIDATION_FAILED', 'authentication.type'),
          ),
        ];
      return [
        ...createAndPatch(
          d,
          'a colon in the username',
          { authentication_type: 'PASSWORD', username: 'a:b', password: 'pw' },
          invalid(400, 'AUTH_INVALID', 'username'),
        ),
        ...createAndPatch(
          d,
          'an empty password',
          { authentication_type: 'PASSWORD', username: 'a', password: '' },
          { ...invalid(400, 'AUTH_INVALID', 'password'), platformCode: 'MISSING_FIELD' },
        ),
        ...createAndPatch(
          d,
          'an API key in Host',
          { authentication_type: 'API_KEY', api_header_field: 'Host', api_key: 'abc123' },
          invalid(400, 'AUTH_INVALID', 'api_header_field'),
        ),
        ...createAndPatch(
          d,
          'an unknown type',
          { authentication_type: 'OAUTH' },
          invalid(400, 'VALIDATION_FAILED', 'authentication_type'),
        ),
      ];
    },
  },
  {
    n: 21,
    title: 'B21 T2 server-owned fields in the body',
    reliability: '400 PROPERTY_NOT_ALLOWED (forbidNonWhitelisted)',
    cells: (d) => {
      const extras: Record<string, unknown>[] = [
        { orgId: 'x' },
        { failureCount: 0 },
        { createdAt: '2026-01-01T00:00:00Z' },
        // The platform says `active`, Featurebase and native `status` (settable on update only).
        ...(d === 'platform' ? [] : [{ status: 'active' }]),
      ];
      return extras.flatMap((extra) => {
        const [name] = Object.keys(extra) as [string];
        return createAndPatch(d, `${name}`, extra, invalid(400, 'PROPERTY_NOT_ALLOWED', name), {
          patch: name !== 'status',
        });
      });
    },
  },
  {
    n: 22,
    title: 'B22 bodies that are not JSON, too deep or too large',
    reliability: '400 BODY_INVALID / 415 / 413 PAYLOAD_TOO_LARGE',
    ours: 'JSON nested deeper than 32 is 400 JSON_TOO_DEEP, a code of its own so a client can tell "too deep" from "not JSON" (ADR 0004); a body that is not application/json is 415 UNSUPPORTED_MEDIA_TYPE (ADR 0004)',
    cells: (d) => {
      const post = (rawBody: string, headers?: Record<string, string>) => () => ({
        method: 'POST',
        path: PATHS[d],
        rawBody,
        headers,
      });
      const cells: Cell[] = [
        {
          label: 'malformed JSON',
          send: post('{"url": '),
          expect: invalid(400, 'BODY_INVALID', null),
        },
        {
          label: 'Content-Type: text/plain',
          send: post(JSON.stringify(createBody(d)), { 'content-type': 'text/plain' }),
          expect: invalid(415, 'UNSUPPORTED_MEDIA_TYPE', null),
        },
        {
          label: 'JSON 33 levels deep',
          send: post(JSON.stringify(createBody(d, { description: nest(33) }))),
          expect: invalid(400, 'JSON_TOO_DEEP', null),
        },
        {
          label: 'a body over 1 MB',
          send: post(JSON.stringify(createBody(d, { name: 'x'.repeat(1024 * 1024) }))),
          expect: invalid(413, 'PAYLOAD_TOO_LARGE', null),
        },
      ];
      if (d === 'native')
        cells.push({
          label: 'an event over 1 MB',
          send: () => ({
            method: 'POST',
            path: '/v1/events',
            body: { topic: 'post.created', data: { text: 'y'.repeat(1024 * 1024) } },
          }),
          expect: invalid(413, 'PAYLOAD_TOO_LARGE', null),
        });
      return cells;
    },
  },
  {
    n: 23,
    title: 'B23 pagination out of range or a cursor we never handed out',
    reliability: '400 PAGINATION_INVALID (or clamp limit, documented)',
    ours: 'Featurebase: a limit outside 1-100 is 400 validation_failed and a foreign cursor 400 invalid_cursor (ADR 0005); the platform pages by number, so its cursor row is page=0 (ADR 0009)',
    cells: (d) => {
      const list = (query: string, expect: Expected): Cell => ({
        label: `?${query}`,
        send: () => ({ method: 'GET', path: `${PATHS[d]}?${query}` }),
        expect,
      });
      switch (d) {
        case 'native':
          return [
            list('limit=100000', invalid(400, 'PAGINATION_INVALID', 'limit')),
            list('limit=-1', invalid(400, 'PAGINATION_INVALID', 'limit')),
            list('cursor=garbage', invalid(400, 'PAGINATION_INVALID', 'cursor')),
          ];
        case 'featurebase':
          return [
            list('limit=100000', invalid(400, 'VALIDATION_FAILED', 'limit')),
            list('limit=-1', invalid(400, 'VALIDATION_FAILED', 'limit')),
            list('cursor=garbage', { status: 400, code: 'INVALID_CURSOR', field: 'cursor' }),
          ];
        case 'platform':
          return [
            list('limit=100000', invalid(400, 'VALIDATION_FAILED', 'limit')),
            list('limit=-1', invalid(400, 'VALIDATION_FAILED', 'limit')),
            list('page=0', invalid(400, 'VALIDATION_FAILED', 'page')),
          ];
      }
    },
  },
  {
    n: 24,
    title: 'B24 no credentials, an empty Bearer, a revoked key, two different keys',
    reliability: '401 UNAUTHENTICATED (uniform body)',
    cells: (d) => {
      const unauthenticated = invalid(401, 'UNAUTHENTICATED', null);
      const create =
        (key: string | null, headers?: (f: Fixture) => Record<string, string>) => (f: Fixture) => ({
          method: 'POST',
          path: PATHS[d],
          body: createBody(d),
          key,
          headers: headers?.(f),
        });
      return [
        { label: 'no credentials', send: create(null), expect: unauthenticated },
        {
          label: 'Bearer with no token',
          send: create(null, () => ({ authorization: 'Bearer ' })),
          expect: unauthenticated,
        },
        { label: 'a revoked key', send: (f) => create(f.revokedKey)(f), expect: unauthenticated },
        {
          label: 'Bearer and X-API-KEY with different keys',
          send: (f) => create(f.key, () => ({ 'x-api-key': f.otherKey }))(f),
          expect: unauthenticated,
        },
      ];
    },
  },
  {
    n: 25,
    title: 'B25 a key without WEBHOOK.UPDATE updating, rotating or pausing',
    reliability: '403 FORBIDDEN',
    cells: (d) => {
      const forbidden = invalid(403, 'FORBIDDEN', null);
      const as = (method: string, suffix: string, body?: unknown) => (f: Fixture) => ({
        method,
        path: `${PATHS[d]}/${f.ids[d]}${suffix}`,
        body,
        key: f.readOnlyKey,
      });
      switch (d) {
        case 'native':
          return [
            { label: 'PATCH', send: as('PATCH', '', { name: 'Changed' }), expect: forbidden },
            { label: 'rotate', send: as('POST', '/secret/rotate', {}), expect: forbidden },
            { label: 'pause', send: as('PATCH', '', { status: 'paused' }), expect: forbidden },
          ];
        case 'featurebase':
          return [
            { label: 'PATCH', send: as('PATCH', '', { name: 'Changed' }), expect: forbidden },
            { label: 'refresh the secret', send: as('POST', '/secret'), expect: forbidden },
            { label: 'pause', send: as('PATCH', '', { status: 'paused' }), expect: forbidden },
          ];
        case 'platform':
          return [
            { label: 'PATCH', send: as('PATCH', '', { name: 'Changed' }), expect: forbidden },
            {
              label: 'roll the secret',
              send: as('PATCH', '/secret-key', {
                active: true,
                include_previous_data: false,
                authentication_type: 'NONE',
              }),
              expect: forbidden,
            },
            { label: 'remove the secret', send: as('DELETE', '/secret-key'), expect: forbidden },
            { label: 'pause', send: as('PATCH', '', { active: false }), expect: forbidden },
          ];
      }
    },
  },
  {
    n: 26,
    title: 'B26 the same Idempotency-Key with a different body',
    reliability: '422 IDEMPOTENCY_KEY_REUSED',
    cells: (d) => {
      if (d !== 'native')
        return 'n/a: events are published through /v1/events only; this dialect has no publish route';
      return [
        {
          label: 'POST /v1/events with a reused key',
          setup: async (f) => {
            const first = await f.t.request('POST', '/v1/events', {
              key: f.key,
              body: { topic: 'post.created', data: { n: 1 } },
              headers: { 'idempotency-key': 'bad-inputs-26' },
            });
            expect(first.status).toBe(202);
          },
          send: () => ({
            method: 'POST',
            path: '/v1/events',
            body: { topic: 'post.created', data: { n: 2 } },
            headers: { 'idempotency-key': 'bad-inputs-26' },
          }),
          expect: invalid(422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key'),
        },
        {
          label: 'POST /v1/events/batch with a reused key',
          send: () => ({
            method: 'POST',
            path: '/v1/events/batch',
            body: {
              events: [{ topic: 'post.created', data: { n: 3 }, idempotencyKey: 'bad-inputs-26' }],
            },
          }),
          // A batch answers 200 with a result per event (events-batch.e2e-spec.ts): checked in `also`.
          expect: { status: 200, code: 'IDEMPOTENCY_KEY_REUSED', field: 'events.0.idempotencyKey' },
        },
      ];
    },
  },
  {
    n: 27,
    title: 'B27 over the rate limit',
    reliability: '429 RATE_LIMITED with a Retry-After header',
    // Run against an app of its own with the limit on (the harness turns it off): see below.
    cells: () => [],
  },
  {
    n: 28,
    title: 'B28 a lone surrogate in event data, a webhook field, a header value or a JSON key',
    reliability: '400 UNSUPPORTED_TEXT naming the field (PostgreSQL cannot store it)',
    cells: (d) => {
      const text = invalid(400, 'UNSUPPORTED_TEXT', 'name');
      const cells: Cell[] = [
        ...createAndPatch(d, 'a lone high surrogate in name', { name: 'x\ud800' }, text),
        ...createAndPatch(d, 'a lone low surrogate in name', { name: '\udc00y' }, text),
      ];
      if (d === 'platform')
        cells.push(
          ...createAndPatch(
            d,
            'a lone surrogate in reference',
            { reference: 'ref\ud800' },
            invalid(400, 'UNSUPPORTED_TEXT', 'reference'),
          ),
        );
      else
        cells.push(
          ...createAndPatch(
            d,
            'a lone surrogate in a header value',
            { requestConfig: { headers: { 'X-A': 'v\udfff' } } },
            invalid(400, 'UNSUPPORTED_TEXT', 'requestConfig.headers.X-A'),
          ),
        );
      if (d === 'native') {
        const publish = (path: string, body: unknown) => () => ({ method: 'POST', path, body });
        cells.push(
          {
            label: 'POST /v1/events with a lone surrogate in data',
            send: publish('/v1/events', { topic: 'post.created', data: { title: '\ud800' } }),
            expect: invalid(400, 'UNSUPPORTED_TEXT', 'data.title'),
          },
          {
            label: 'POST /v1/events with a lone surrogate in a key of data',
            send: publish('/v1/events', { topic: 'post.created', data: { '\udc00k': 1 } }),
            expect: invalid(400, 'UNSUPPORTED_TEXT', 'data.\ufffdk'),
          },
          {
            label: 'POST /v1/events/batch with a lone surrogate in previousData',
            send: publish('/v1/events/batch', {
              events: [
                { topic: 'post.created', data: { n: 1 } },
                { topic: 'post.created', data: { n: 2 }, previousData: { n: ['\ud83d'] } },
              ],
            }),
            expect: invalid(400, 'UNSUPPORTED_TEXT', 'events.1.previousData.n.0'),
          },
        );
      }
      return cells;
    },
  },
  {
    n: 29,
    title: 'B29 NUL in an API key name, a webhook field, a JSON key or a query parameter',
    reliability: '400 UNSUPPORTED_TEXT naming the field (PostgreSQL cannot store it)',
    cells: (d) => {
      const list = (query: string, field: string): Cell => ({
        label: `GET ?${query}`,
        send: () => ({ method: 'GET', path: `${PATHS[d]}?${query}` }),
        expect: invalid(400, 'UNSUPPORTED_TEXT', field),
      });
      const cells: Cell[] = [
        ...createAndPatch(
          d,
          'NUL in name',
          { name: 'a\u0000b' },
          invalid(400, 'UNSUPPORTED_TEXT', 'name'),
        ),
        d === 'platform' ? list('order_by=name%00', 'order_by') : list('cursor=a%00', 'cursor'),
        {
          label: 'GET an id holding NUL',
          send: () => ({ method: 'GET', path: `${PATHS[d]}/${'%00'.repeat(24)}` }),
          expect: invalid(400, 'UNSUPPORTED_TEXT', 'path'),
        },
      ];
      if (d === 'native')
        cells.push(
          {
            label: 'POST /v1/api-keys with NUL in name',
            send: () => ({
              method: 'POST',
              path: '/v1/api-keys',
              body: { name: 'ci\u0000', permissions: ['WEBHOOK.READ'] },
            }),
            expect: invalid(400, 'UNSUPPORTED_TEXT', 'name'),
          },
          {
            label: 'POST /v1/events with NUL in a key of data',
            send: () => ({
              method: 'POST',
              path: '/v1/events',
              body: { topic: 'post.created', data: { nested: { 'a\u0000': true } } },
            }),
            expect: invalid(400, 'UNSUPPORTED_TEXT', 'data.nested.a\ufffd'),
          },
        );
      return cells;
    },
  },
];

/** An object `depth` levels deep: `{a: {a: ... {}}}`. */
function nest(depth: number): unknown {
  let value: unknown = {};
  for (let i = 1; i < depth; i += 1) value = { a: value };
  return value;
}

// ---------------------------------------------------------------- checking an answer

const STACK = /\n\s+at |\bat [\w.<>]+ \(.*:\d+:\d+\)|node_modules|\.ts:\d+/;

/** The platform's code for a Hookyard code and status (ADR 0009). */
function platformCode(expected: Expected): string {
  if (expected.platformCode) return expected.platformCode;
  switch (expected.status) {
    case 400:
    case 422:
      return 'INVALID_FIELD';
    case 401:
      return 'UNAUTHORISED';
    case 403:
      return 'USER_NOT_ALLOWED';
    case 404:
      return 'RESOURCE_NOT_FOUND';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'TOO_MANY_REQUESTS';
    default:
      throw new Error(`no platform code for ${expected.status}`);
  }
}

/** What was wrong with `response` for `expected` in dialect `d`: empty when it is as documented. */
function faults(d: DialectName, response: TestResponse, expected: Expected): string[] {
  const found: string[] = [];
  if (response.status >= 500) found.push(`a ${response.status}`);
  if (STACK.test(response.text)) found.push('a stack trace in the body');
  const status = d === 'platform' && expected.status === 422 ? 400 : expected.status;
  if (response.status !== status) found.push(`status ${response.status}, not ${status}`);
  const body = response.body;
  if (body === undefined)
    return [...found, `a body that is not JSON: ${response.text.slice(0, 80)}`];
  switch (d) {
    case 'native': {
      if (!response.contentType.includes('application/problem+json'))
        found.push(`content type ${response.contentType}`);
      const kebab = expected.code.toLowerCase().replaceAll('_', '-');
      if (body.code !== expected.code) found.push(`code ${body.code}, not ${expected.code}`);
      if (body.status !== status) found.push(`body status ${body.status}`);
      if (body.type !== `https://hookyard.dev/problems/${kebab}`) found.push(`type ${body.type}`);
      if (typeof body.title !== 'string' || typeof body.detail !== 'string')
        found.push('no title or detail');
      if (!Array.isArray(body.errors)) found.push('no errors array');
      else if (expected.field !== null && body.errors[0]?.path !== expected.field)
        found.push(`first error at ${body.errors[0]?.path}, not ${expected.field}`);
      break;
    }
    case 'featurebase': {
      const e = body.error ?? {};
      const type =
        status === 401
          ? 'authentication'
          : status === 403
            ? 'authorization'
            : status === 429
              ? 'rate_limit'
              : 'invalid_request';
      if (e.type !== type) found.push(`type ${e.type}, not ${type}`);
      if (e.code !== expected.code.toLowerCase())
        found.push(`code ${e.code}, not ${expected.code.toLowerCase()}`);
      if (e.status !== status) found.push(`body status ${e.status}`);
      if (typeof e.message !== 'string') found.push('no message');
      if (e.param !== expected.field) found.push(`param ${e.param}, not ${expected.field}`);
      break;
    }
    case 'platform': {
      const code = platformCode(expected);
      if (body.type !== 'INVALID_REQUEST') found.push(`type ${body.type}`);
      if (body.code !== code) found.push(`code ${body.code}, not ${code}`);
      if (typeof body.message !== 'string') found.push('no message');
      if (expected.status !== 404 && (body.field ?? null) !== expected.field)
        found.push(`field ${body.field}, not ${expected.field}`);
      break;
    }
  }
  return found;
}

/** Everything of the organization's that a refused request must leave as it was. */
async function snapshot(t: TestApp, organizationId: string): Promise<Record<string, unknown>> {
  const tables = ['endpoints', 'endpoint_secrets', 'events', 'deliveries', 'api_keys'];
  const result: Record<string, unknown> = {};
  for (const table of tables) {
    const [row] = await t.dataSource.query<{ n: number; digest: string | null }[]>(
      `SELECT count(*)::int AS n, md5(string_agg(x::text, '|' ORDER BY x.id)) AS digest
         FROM ${table} x WHERE x.organization_id = $1`,
      [organizationId],
    );
    result[table] = row;
  }
  return result;
}

// ---------------------------------------------------------------- the walk

const summary = new Map<
  DialectName,
  { rows: number; requests: number; failed: number; na: string[] }
>(DIALECTS.map((d) => [d, { rows: 0, requests: 0, failed: 0, na: [] }]));

afterAll(() => {
  for (const d of DIALECTS) {
    const s = summary.get(d);
    if (!s) continue;
    const verdict =
      s.failed === 0
        ? 'all refused as documented, nothing changed'
        : `${s.failed} not as documented`;
    console.log(
      `bad inputs ${d}: ${s.rows} rows, ${s.requests} requests, ${verdict}` +
        (s.na.length ? ` (n/a: ${s.na.join(', ')})` : ''),
    );
  }
});

describe('bad inputs (catalogue B rows), in every dialect', () => {
  const fixture = {} as { -readonly [K in keyof Fixture]: Fixture[K] };

  beforeAll(async () => {
    // Production settings: https required, an empty outbound allow-list; only the limits are raised.
    const t = await startTestApp({ HOOKYARD_ENDPOINT_LIMIT: '1000' });
    fixture.t = t;
    ({ apiKey: fixture.key, organizationId: fixture.organizationId } =
      await t.createOrganization());
    const other = await t.createOrganization();
    fixture.otherKey = other.apiKey;
    const issue = async (name: string, permissions: string[]) => {
      const made = await t.request('POST', '/v1/api-keys', {
        key: fixture.key,
        body: { name, permissions },
      });
      expect(made.status).toBe(201);
      return made.body as { id: string; key: string };
    };
    fixture.readOnlyKey = (await issue('read only', ['WEBHOOK.READ', 'WEBHOOK.VIEW'])).key;
    const revoked = await issue('revoked', ['WEBHOOK.READ']);
    expect(
      (await t.request('DELETE', `/v1/api-keys/${revoked.id}`, { key: fixture.key })).status,
    ).toBe(204);
    fixture.revokedKey = revoked.key;
    const ids = {} as Record<DialectName, string>;
    const otherIds = {} as Record<DialectName, string>;
    for (const d of DIALECTS) {
      for (const [target, key] of [
        [ids, fixture.key],
        [otherIds, other.apiKey],
      ] as const) {
        const made = await t.request('POST', PATHS[d], { key, body: createBody(d) });
        expect([d, made.status]).toEqual([d, 201]);
        target[d] = made.body.id as string;
      }
    }
    fixture.ids = ids;
    fixture.otherIds = otherIds;
  });

  afterAll(async () => {
    await fixture.t?.close();
  });

  for (const d of DIALECTS) {
    describe(`${d} dialect`, () => {
      for (const row of ROWS.filter((r) => r.n !== 27)) {
        const cells = row.cells(d);
        if (typeof cells === 'string') {
          summary.get(d)?.na.push(`#${row.n}`);
          continue;
        }
        it(`${row.title}: ${row.reliability}${row.ours ? ' (ours: see the row)' : ''}`, async () => {
          const s = summary.get(d)!;
          s.rows += 1;
          const wrong: unknown[] = [];
          for (const cell of cells) {
            await cell.setup?.(fixture);
            const before = await snapshot(fixture.t, fixture.organizationId);
            const request = cell.send(fixture);
            const response = await fixture.t.request(request.method, request.path, {
              key: request.key === undefined ? fixture.key : request.key,
              body: request.body,
              rawBody: request.rawBody,
              headers: request.headers,
            });
            s.requests += 1;
            let found =
              request.path.endsWith('/batch') && response.status === 200
                ? batchFaults(response, cell.expect)
                : faults(d, response, cell.expect);
            if (found.length === 0 && cell.also) {
              try {
                await cell.also(response, fixture);
              } catch (error) {
                found = [String(error).slice(0, 300)];
              }
            }
            const after = await snapshot(fixture.t, fixture.organizationId);
            if (JSON.stringify(after) !== JSON.stringify(before))
              found.push('the organization changed');
            if (found.length > 0) {
              s.failed += 1;
              wrong.push({
                cell: cell.label,
                found,
                status: response.status,
                body: response.text.slice(0, 300),
              });
            }
          }
          expect(wrong).toEqual([]);
        });
      }
    });
  }
});

/** A batch answers 200 with one result per event; the refused one carries the problem. */
function batchFaults(response: TestResponse, expected: Expected): string[] {
  const [result] = (response.body?.data ?? []) as {
    error?: { code?: string; errors?: { path: string }[] };
  }[];
  const found: string[] = [];
  if (result?.error?.code !== expected.code) found.push(`result code ${result?.error?.code}`);
  if (result?.error?.errors?.[0]?.path !== expected.field)
    found.push(`result path ${result?.error?.errors?.[0]?.path}`);
  if (STACK.test(response.text)) found.push('a stack trace in the body');
  return found;
}

describe('B27 bad input #27 (over the rate limit), in every dialect', () => {
  const BURST = 3;
  let t: TestApp;
  let key: string;
  let organizationId: string;

  beforeAll(async () => {
    t = await startTestApp({
      HOOKYARD_RATE_LIMIT_PER_SECOND: '1',
      HOOKYARD_RATE_LIMIT_BURST: String(BURST),
    });
    ({ apiKey: key, organizationId } = await t.createOrganization());
  });

  afterAll(async () => {
    await t?.close();
  });

  it.each(DIALECTS)(
    'answers a create over the limit 429 with Retry-After in the %s shape, creating nothing',
    async (d) => {
      const s = summary.get(d)!;
      s.rows += 1;
      // Drain the key's bucket with reads, then a valid create must be refused and store nothing.
      let drained: TestResponse | undefined;
      for (let i = 0; i <= BURST + 2 && drained?.status !== 429; i++)
        drained = await t.request('GET', PATHS[d], { key });
      expect(drained?.status).toBe(429);
      const before = await snapshot(t, organizationId);
      const response = await fetch(`${t.baseUrl}${PATHS[d]}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(createBody(d)),
      });
      const text = await response.text();
      s.requests += 1;
      const found = faults(
        d,
        {
          status: response.status,
          contentType: response.headers.get('content-type') ?? '',
          text,
          body: safeJson(text),
        },
        invalid(429, 'RATE_LIMITED', null),
      );
      if (!(Number(response.headers.get('retry-after')) >= 1))
        found.push(`Retry-After ${response.headers.get('retry-after')}`);
      if (JSON.stringify(await snapshot(t, organizationId)) !== JSON.stringify(before))
        found.push('the organization changed');
      if (found.length) s.failed += 1;
      expect(found).toEqual([]);
    },
  );
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

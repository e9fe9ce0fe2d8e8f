import fc from 'fast-check';
import { TopicCatalogue } from './topics';
import {
  DEFAULT_TIMEOUT_MS,
  MAX_DESCRIPTION_LENGTH,
  MAX_HEADERS,
  MAX_NAME_LENGTH,
  MAX_TIMEOUT_MS,
  MAX_URL_LENGTH,
  MIN_TIMEOUT_MS,
  ValidationCode,
  collectViolations,
  isSensitiveHeaderName,
  validateApiHeaderField,
  validateApiKey,
  validateAuthentication,
  validateBasicPassword,
  validateBasicUsername,
  validateDescription,
  validateHeaders,
  validateName,
  validateTimeoutMs,
  validateTopics,
  validateUrl,
  type FieldViolation,
} from './validation';

const PROD = { allowHttp: false };
const DEV = { allowHttp: true };
const LOCAL = { allowHttp: 'loopback' } as const;

/** The codes and fields of a list of violations, for compact comparisons. */
function summary(violations: readonly FieldViolation[]): Array<[string, string]> {
  return violations.map((v) => [v.field, v.code]);
}

describe('constants', () => {
  it('match the product limits', () => {
    expect([DEFAULT_TIMEOUT_MS, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS]).toEqual([5000, 1000, 30000]);
    expect([MAX_HEADERS, MAX_NAME_LENGTH, MAX_DESCRIPTION_LENGTH, MAX_URL_LENGTH]).toEqual([
      10, 100, 500, 2048,
    ]);
  });
});

describe('collectViolations', () => {
  it('flattens single violations and lists and drops nulls, in order', () => {
    const a: FieldViolation = { field: 'a', code: ValidationCode.NAME_INVALID, message: 'x' };
    const b: FieldViolation = { field: 'b', code: ValidationCode.URL_INVALID, message: 'y' };
    const c: FieldViolation = { field: 'c', code: ValidationCode.AUTH_INVALID, message: 'z' };
    expect(collectViolations(null, a, [], [b, c], undefined)).toEqual([a, b, c]);
  });

  it('returns an empty list when every rule passed', () => {
    expect(collectViolations(validateName('ok'), validateHeaders({}), null)).toEqual([]);
  });
});

describe('validateUrl', () => {
  it.each(['http://127.0.0.1:4000/hook', 'http://localhost/hook', 'http://[::1]:4000/'])(
    'accepts http to the loopback host %s in local mode',
    (url) => {
      expect(validateUrl(url, LOCAL)).toBeNull();
    },
  );

  it.each(['http://example.com/hook', 'http://10.0.0.1/hook', 'http://127.0.0.2/hook'])(
    'refuses http to %s in local mode, naming local mode',
    (url) => {
      expect(validateUrl(url, LOCAL)).toEqual({
        field: 'url',
        code: ValidationCode.URL_MUST_BE_HTTPS,
        message: expect.stringContaining('local mode') as string,
      });
    },
  );

  it('accepts https to any host in local mode', () => {
    expect(validateUrl('https://example.com/hook', LOCAL)).toBeNull();
  });

  it.each([
    ['an https URL', 'https://example.com/hook', PROD],
    ['an https URL with port, query and fragment', 'https://example.com:8443/a/b?x=1#f', PROD],
    ['an upper-case scheme', 'HTTPS://EXAMPLE.COM/hook', PROD],
    ['an IPv6 literal', 'https://[2001:db8::1]/hook', PROD],
    ['an @ in the path', 'https://example.com/users/@me', PROD],
    ['http when allowed', 'http://example.com/hook', DEV],
    ['a URL of exactly 2048 characters', `https://example.com/${'a'.repeat(2048 - 20)}`, PROD],
  ])('accepts %s', (_case, url, options) => {
    expect(validateUrl(url, options)).toBeNull();
  });

  it.each([
    ['http in production (B1)', 'http://example.com/hook', ValidationCode.URL_MUST_BE_HTTPS],
    [
      'user and password (B5)',
      'https://user:pass@example.com/',
      ValidationCode.URL_CREDENTIALS_NOT_ALLOWED,
    ],
    ['user only', 'https://u@example.com/', ValidationCode.URL_CREDENTIALS_NOT_ALLOWED],
    ['an empty user info', 'https://@example.com/', ValidationCode.URL_CREDENTIALS_NOT_ALLOWED],
    ['file: (B6)', 'file:///etc/passwd', ValidationCode.URL_SCHEME_NOT_ALLOWED],
    ['gopher: (B6)', 'gopher://x', ValidationCode.URL_SCHEME_NOT_ALLOWED],
    ['javascript: (B6)', 'javascript:alert(1)', ValidationCode.URL_SCHEME_NOT_ALLOWED],
    ['ftp: (B6)', 'ftp://x', ValidationCode.URL_SCHEME_NOT_ALLOWED],
    ['data:', 'data:text/plain,hi', ValidationCode.URL_SCHEME_NOT_ALLOWED],
    [
      'longer than 2048 characters (B7)',
      `https://example.com/${'a'.repeat(2048)}`,
      ValidationCode.URL_INVALID,
    ],
    ['empty (B7)', '', ValidationCode.URL_INVALID],
    ['no host (B7)', 'https:///nohost', ValidationCode.URL_INVALID],
    ['a space in the host (B7)', 'https://exa mple.com', ValidationCode.URL_INVALID],
    ['a space in the path', 'https://example.com/a b', ValidationCode.URL_INVALID],
    ['leading whitespace', ' https://example.com/', ValidationCode.URL_INVALID],
    ['a newline', 'https://example.com/\nx', ValidationCode.URL_INVALID],
    ['no slashes after the scheme', 'https:example.com', ValidationCode.URL_INVALID],
    ['nothing after the slashes', 'https://', ValidationCode.URL_INVALID],
    ['backslashes', 'https:\\\\example.com', ValidationCode.URL_INVALID],
    ['a backslash before an @', 'https://evil.com\\@good.com/', ValidationCode.URL_INVALID],
    ['a port out of range', 'https://example.com:99999/', ValidationCode.URL_INVALID],
    ['a port but no host', 'https://:443/', ValidationCode.URL_INVALID],
    ['a relative path', '/hook', ValidationCode.URL_INVALID],
  ])('rejects %s', (_case, url, code) => {
    expect(validateUrl(url, PROD)).toMatchObject({ field: 'url', code });
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { href: 'https://example.com' }],
  ])('reports %s as URL_INVALID instead of throwing', (_case, value) => {
    expect(validateUrl(value, PROD)).toMatchObject({
      field: 'url',
      code: ValidationCode.URL_INVALID,
    });
  });

  it('names the field the dialect passes', () => {
    expect(validateUrl('ftp://x', PROD, 'webhook.url')?.field).toBe('webhook.url');
  });

  it('never throws, whatever the string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const result = validateUrl(s, PROD);
        expect(result === null || typeof result.code === 'string').toBe(true);
      }),
    );
  });
});

describe('validateName', () => {
  it.each([
    ['one character', 'a'],
    ['100 characters', 'n'.repeat(100)],
    ['100 emoji (counted as code points)', '🚀'.repeat(100)],
    ['spaces and punctuation', 'Orders – EU (prod)'],
  ])('accepts %s', (_case, name) => {
    expect(validateName(name)).toBeNull();
  });

  it.each([
    ['empty (B14)', ''],
    ['blank', '   '],
    ['101 characters', 'n'.repeat(101)],
    ['256 characters (B14)', 'n'.repeat(256)],
    ['a NUL (B14)', 'a\0b'],
    ['a newline (B14)', 'a\nb'],
    ['a tab', 'a\tb'],
    ['DEL', 'a\x7fb'],
    ['a C1 control', 'a\x85b'],
    ['a line separator', 'a\u2028b'],
    ['a lone surrogate', 'a\ud800b'],
    ['a number', 7],
    ['null', null],
  ])('rejects %s', (_case, name) => {
    expect(validateName(name)).toMatchObject({ field: 'name', code: ValidationCode.NAME_INVALID });
  });

  it('names the field the dialect passes', () => {
    expect(validateName('', 'webhook.name')?.field).toBe('webhook.name');
  });
});

describe('validateDescription', () => {
  it.each([
    ['null (clears it)', null],
    ['empty', ''],
    ['500 characters', 'd'.repeat(500)],
    ['line breaks and tabs', 'first line\r\nsecond\tline'],
  ])('accepts %s', (_case, description) => {
    expect(validateDescription(description)).toBeNull();
  });

  it.each([
    ['501 characters', 'd'.repeat(501)],
    ['a NUL', 'a\0b'],
    ['an escape character', 'a\x1bb'],
    ['a number', 5],
    ['undefined', undefined],
    ['an array', ['x']],
  ])('rejects %s', (_case, description) => {
    expect(validateDescription(description)).toMatchObject({
      field: 'description',
      code: ValidationCode.DESCRIPTION_INVALID,
    });
  });
});

describe('validateTopics', () => {
  const catalogue = new TopicCatalogue(['invoice.paid']);
  const names = { allowPatterns: false };
  const patterns = { allowPatterns: true };

  it.each([
    ['built-in topics', ['post.created', 'ticket.updated'], names],
    ['an operator topic', ['invoice.paid'], names],
    ['the test topic', ['webhook.test'], names],
    ['a pattern when patterns are allowed', ['conversation.admin.*'], patterns],
    ['the catch-all pattern', ['*'], patterns],
    ['an empty list when empty is allowed', [], { allowPatterns: false, allowEmpty: true }],
  ])('accepts %s', (_case, topics, options) => {
    expect(validateTopics(topics, catalogue, options)).toEqual([]);
  });

  it.each([
    ['an empty list (B15)', [], names, 'topics', ValidationCode.TOPIC_INVALID],
    ['a space (B15)', ['User Created'], names, 'topics[0]', ValidationCode.TOPIC_INVALID],
    ['an empty segment (B15)', ['user..created'], names, 'topics[0]', ValidationCode.TOPIC_INVALID],
    [
      '129 characters (B15)',
      [`a.${'b'.repeat(127)}`],
      names,
      'topics[0]',
      ValidationCode.TOPIC_INVALID,
    ],
    [
      'a duplicate (B15)',
      ['post.created', 'post.created'],
      names,
      'topics[1]',
      ValidationCode.TOPIC_INVALID,
    ],
    [
      'a pattern when patterns are not allowed',
      ['post.*'],
      names,
      'topics[0]',
      ValidationCode.TOPIC_INVALID,
    ],
    ['a malformed pattern', ['post.*x'], patterns, 'topics[0]', ValidationCode.TOPIC_INVALID],
    ['a non-string entry', [42], names, 'topics[0]', ValidationCode.TOPIC_INVALID],
    [
      'an unregistered topic (B15)',
      ['post.created', 'user.created'],
      names,
      'topics[1]',
      ValidationCode.TOPIC_UNKNOWN,
    ],
    [
      'a pattern selecting nothing',
      ['nothing.*'],
      patterns,
      'topics[0]',
      ValidationCode.TOPIC_UNKNOWN,
    ],
  ])('rejects %s', (_case, topics, options, field, code) => {
    expect(summary(validateTopics(topics, catalogue, options))).toEqual([[field, code]]);
  });

  it.each([
    ['a string', 'post.created'],
    ['null', null],
    ['an object', { 0: 'post.created' }],
  ])('reports %s instead of a list as TOPIC_INVALID', (_case, value) => {
    expect(summary(validateTopics(value, catalogue, names))).toEqual([
      ['topics', ValidationCode.TOPIC_INVALID],
    ]);
  });

  it('reports every bad entry under the field the dialect passes', () => {
    const result = validateTopics(
      ['Bad', 'post.created', 'nope.nope'],
      catalogue,
      names,
      'included_actions',
    );
    expect(summary(result)).toEqual([
      ['included_actions[0]', ValidationCode.TOPIC_INVALID],
      ['included_actions[2]', ValidationCode.TOPIC_UNKNOWN],
    ]);
  });
});

describe('validateHeaders', () => {
  const headerMap = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`X-H${i}`, 'v']));

  it.each([
    ['no headers', {}],
    ['ten headers', headerMap(10)],
    ['a tab, an empty value and Latin-1 text', { 'X-A': 'a\tb', 'X-B': '', 'X-C': 'café' }],
    ['token punctuation in the name', { "X-Odd!#$%&'*+.^_`|~": 'v' }],
    ['a 4096-byte value', { 'X-Big': 'v'.repeat(4096) }],
    ['user-agent and tracing headers', { 'User-Agent': 'x', 'X-Request-Id': 'abc' }],
  ])('accepts %s', (_case, headers) => {
    expect(validateHeaders(headers)).toEqual([]);
  });

  it.each([
    ['11 entries (B8)', headerMap(11), 'requestConfig.headers', ValidationCode.TOO_MANY_HEADERS],
    [
      'CRLF injection (B9)',
      { 'X-A': 'v\r\nX-Injected: 1' },
      'requestConfig.headers.X-A',
      ValidationCode.HEADER_VALUE_INVALID,
    ],
    [
      'a bare LF (B9)',
      { 'X-A': 'v\nx' },
      'requestConfig.headers.X-A',
      ValidationCode.HEADER_VALUE_INVALID,
    ],
    [
      'a bare CR',
      { 'X-A': 'v\rx' },
      'requestConfig.headers.X-A',
      ValidationCode.HEADER_VALUE_INVALID,
    ],
    [
      'a NUL (B9)',
      { 'X-A': 'v\0x' },
      'requestConfig.headers.X-A',
      ValidationCode.HEADER_VALUE_INVALID,
    ],
    ['DEL', { 'X-A': 'v\x7f' }, 'requestConfig.headers.X-A', ValidationCode.HEADER_VALUE_INVALID],
    [
      'a character Node cannot send',
      { 'X-A': '🚀' },
      'requestConfig.headers.X-A',
      ValidationCode.HEADER_VALUE_INVALID,
    ],
    [
      'a number value',
      { 'X-A': 1 },
      'requestConfig.headers.X-A',
      ValidationCode.HEADER_VALUE_INVALID,
    ],
    [
      'Host (B10)',
      { Host: 'internal' },
      'requestConfig.headers.Host',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    [
      'Content-Length (B10)',
      { 'Content-Length': '1' },
      'requestConfig.headers.Content-Length',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    [
      'Transfer-Encoding (B10)',
      { 'Transfer-Encoding': 'chunked' },
      'requestConfig.headers.Transfer-Encoding',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    [
      'Connection (B10)',
      { Connection: 'close' },
      'requestConfig.headers.Connection',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    [
      'Content-Type (B10)',
      { 'Content-Type': 'text/plain' },
      'requestConfig.headers.Content-Type',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    [
      'Proxy-Authorization (B10)',
      { 'Proxy-Authorization': 'x' },
      'requestConfig.headers.Proxy-Authorization',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    [
      'Authorization',
      { Authorization: 'Bearer x' },
      'requestConfig.headers.Authorization',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    ['Cookie', { Cookie: 'a=b' }, 'requestConfig.headers.Cookie', ValidationCode.HEADER_FORBIDDEN],
    [
      'keep-alive in lower case',
      { 'keep-alive': '5' },
      'requestConfig.headers.keep-alive',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    [
      'TE in upper case',
      { TE: 'trailers' },
      'requestConfig.headers.TE',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    [
      'Proxy-Connection',
      { 'Proxy-Connection': 'x' },
      'requestConfig.headers.Proxy-Connection',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    ['Trailer', { Trailer: 'x' }, 'requestConfig.headers.Trailer', ValidationCode.HEADER_FORBIDDEN],
    [
      'Upgrade',
      { Upgrade: 'h2c' },
      'requestConfig.headers.Upgrade',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    [
      'Content-Encoding',
      { 'Content-Encoding': 'gzip' },
      'requestConfig.headers.Content-Encoding',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    [
      'Expect',
      { Expect: '100-continue' },
      'requestConfig.headers.Expect',
      ValidationCode.HEADER_FORBIDDEN,
    ],
    [
      'webhook-signature (B11)',
      { 'webhook-signature': 'v1,x' },
      'requestConfig.headers.webhook-signature',
      ValidationCode.HEADER_RESERVED,
    ],
    [
      'webhook-id (B11)',
      { 'webhook-id': 'x' },
      'requestConfig.headers.webhook-id',
      ValidationCode.HEADER_RESERVED,
    ],
    [
      'webhook-timestamp (B11)',
      { 'webhook-timestamp': '1' },
      'requestConfig.headers.webhook-timestamp',
      ValidationCode.HEADER_RESERVED,
    ],
    [
      'Webhook-Anything in mixed case',
      { 'Webhook-Extra': 'x' },
      'requestConfig.headers.Webhook-Extra',
      ValidationCode.HEADER_RESERVED,
    ],
    [
      'X-Webhook-Signature',
      { 'X-Webhook-Signature': 'x' },
      'requestConfig.headers.X-Webhook-Signature',
      ValidationCode.HEADER_RESERVED,
    ],
    [
      'x-webhook-timestamp',
      { 'x-webhook-timestamp': '1' },
      'requestConfig.headers.x-webhook-timestamp',
      ValidationCode.HEADER_RESERVED,
    ],
    [
      'X-Hookyard-Test, the test-send marker',
      { 'X-Hookyard-Test': 'false' },
      'requestConfig.headers.X-Hookyard-Test',
      ValidationCode.HEADER_RESERVED,
    ],
    [
      'a space in the name (B12)',
      { 'Bad Name': 'x' },
      'requestConfig.headers.Bad Name',
      ValidationCode.HEADER_NAME_INVALID,
    ],
    [
      'a colon in the name (B12)',
      { 'X:A': 'x' },
      'requestConfig.headers.X:A',
      ValidationCode.HEADER_NAME_INVALID,
    ],
    [
      'an empty name (B12)',
      { '': 'x' },
      'requestConfig.headers.',
      ValidationCode.HEADER_NAME_INVALID,
    ],
    [
      'a non-ASCII name (B12)',
      { Ünï: 'x' },
      'requestConfig.headers.Ünï',
      ValidationCode.HEADER_NAME_INVALID,
    ],
    [
      'a name repeated in another case',
      { 'X-A': '1', 'x-a': '2' },
      'requestConfig.headers.x-a',
      ValidationCode.HEADER_NAME_INVALID,
    ],
    [
      'a 4097-byte value (B13)',
      { 'X-Big': 'v'.repeat(4097) },
      'requestConfig.headers.X-Big',
      ValidationCode.HEADER_TOO_LARGE,
    ],
    [
      'more than 8192 bytes in all (B13)',
      { 'X-A': 'v'.repeat(4000), 'X-B': 'v'.repeat(4000), 'X-C': 'v'.repeat(190) },
      'requestConfig.headers',
      ValidationCode.HEADER_TOO_LARGE,
    ],
  ])('rejects %s', (_case, headers, field, code) => {
    expect(summary(validateHeaders(headers))).toEqual([[field, code]]);
  });

  it('accepts exactly 8192 bytes of names and values', () => {
    // 3 names of 3 bytes + values totalling 8183 bytes.
    const headers = { 'X-A': 'v'.repeat(4000), 'X-B': 'v'.repeat(4000), 'X-C': 'v'.repeat(183) };
    expect(validateHeaders(headers)).toEqual([]);
  });

  it.each([
    ['null', null],
    ['an array', [['X-A', 'v']]],
    ['a string', 'X-A: v'],
  ])('reports %s instead of an object on the headers field', (_case, value) => {
    expect(summary(validateHeaders(value))).toEqual([
      ['requestConfig.headers', ValidationCode.HEADER_VALUE_INVALID],
    ]);
  });

  it('reports every bad header under the field the dialect passes', () => {
    const result = validateHeaders({ Host: 'x', 'X-Ok': 'fine', 'X-A': 'a\nb' }, 'headers');
    expect(summary(result)).toEqual([
      ['headers.Host', ValidationCode.HEADER_FORBIDDEN],
      ['headers.X-A', ValidationCode.HEADER_VALUE_INVALID],
    ]);
  });

  it('never echoes a header value in its messages', () => {
    const result = validateHeaders({ 'X-A': 'secret-value\n', 'X-B': 'secret-value'.repeat(400) });
    expect(result).toHaveLength(2);
    for (const v of result) expect(v.message).not.toContain('secret-value');
  });

  it('refuses any value holding CR, LF or NUL', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('\r', '\n', '\0'),
        fc.string(),
        (before, bad, after) => {
          expect(summary(validateHeaders({ 'X-A': `${before}${bad}${after}` }))).toEqual([
            ['requestConfig.headers.X-A', ValidationCode.HEADER_VALUE_INVALID],
          ]);
        },
      ),
    );
  });
});

describe('isSensitiveHeaderName', () => {
  it.each([
    'Authorization',
    'proxy-authorization',
    'Cookie',
    'X-API-Key',
    'api-key',
    'X-Auth-Token',
    'X-Client-Secret',
    'X-Password',
    'X-Signing-Key',
  ])('treats %s as sensitive', (name) => {
    expect(isSensitiveHeaderName(name)).toBe(true);
  });

  it.each(['X-Request-Id', 'User-Agent', 'X-Tenant', 'Accept'])(
    'treats %s as not sensitive',
    (name) => {
      expect(isSensitiveHeaderName(name)).toBe(false);
    },
  );
});

describe('validateTimeoutMs', () => {
  it.each([1000, 5000, 30000])('accepts %d', (timeout) => {
    expect(validateTimeoutMs(timeout)).toBeNull();
  });

  it.each([
    ['999', 999],
    ['30001', 30001],
    ['zero', 0],
    ['negative', -5000],
    ['a fraction', 1500.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a numeric string', '5000'],
    ['null', null],
  ])('rejects %s', (_case, timeout) => {
    expect(validateTimeoutMs(timeout)).toMatchObject({
      field: 'requestConfig.timeoutMs',
      code: ValidationCode.TIMEOUT_INVALID,
    });
  });
});

describe('outbound authentication fields', () => {
  it.each([
    ['letters and digits', 'alice01'],
    ['the listed punctuation', 'a!#$%&-_.*'],
    ['an @ (inside the pattern range &-_)', 'alice@example.com'],
    ['256 characters', 'u'.repeat(256)],
  ])('accepts a basic username with %s', (_case, username) => {
    expect(validateBasicUsername(username)).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['a colon, which the pattern range admits (B20)', 'a:b'],
    ['257 characters', 'u'.repeat(257)],
    ['a space', 'a b'],
    ['a non-ASCII letter', 'jöran'],
    ['a tilde, outside the pattern', 'a~b'],
    ['a number', 12],
  ])('rejects a basic username with %s', (_case, username) => {
    expect(validateBasicUsername(username)).toMatchObject({
      field: 'authentication.username',
      code: ValidationCode.AUTH_INVALID,
    });
  });

  it.each([
    ['pattern punctuation', 'p4ss!#$%&*'],
    ['a colon', 'pa:ss'],
    ['256 characters', 'p'.repeat(256)],
  ])('accepts a basic password with %s', (_case, password) => {
    expect(validateBasicPassword(password)).toBeNull();
  });

  it.each([
    ['empty (B20)', ''],
    ['257 characters', 'p'.repeat(257)],
    ['a space', 'pa ss'],
    ['null', null],
  ])('rejects a basic password with %s', (_case, password) => {
    expect(validateBasicPassword(password)).toMatchObject({
      field: 'authentication.password',
      code: ValidationCode.AUTH_INVALID,
    });
  });

  it('never echoes the password in its message', () => {
    expect(validateBasicPassword('hunter2 secret')?.message).not.toContain('hunter2');
  });

  it.each([
    ['a conventional name', 'X-API-Key'],
    ['underscores', 'api_key'],
    ['Authorization', 'Authorization'],
  ])('accepts an API-key header field with %s', (_case, headerName) => {
    expect(validateApiHeaderField(headerName)).toBeNull();
  });

  it.each([
    ['Host (B20)', 'Host'],
    ['Content-Length', 'content-length'],
    ['a signature header', 'webhook-signature'],
    ['the test-send marker', 'X-Hookyard-Test'],
    ['Proxy-Authorization', 'Proxy-Authorization'],
    ['Cookie', 'Cookie'],
    ['empty', ''],
    ['a dot, outside the pattern', 'X.Key'],
    ['257 characters', 'h'.repeat(257)],
    ['a number', 1],
  ])('rejects an API-key header field with %s', (_case, headerName) => {
    expect(validateApiHeaderField(headerName)).toMatchObject({
      field: 'authentication.headerName',
      code: ValidationCode.AUTH_INVALID,
    });
  });

  it.each([
    ['letters and digits', 'abcDEF123'],
    ['256 characters', 'k'.repeat(256)],
  ])('accepts an API key with %s', (_case, apiKey) => {
    expect(validateApiKey(apiKey)).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['a dash', 'abc-123'],
    ['257 characters', 'k'.repeat(257)],
    ['undefined', undefined],
  ])('rejects an API key with %s', (_case, apiKey) => {
    expect(validateApiKey(apiKey)).toMatchObject({
      field: 'authentication.apiKey',
      code: ValidationCode.AUTH_INVALID,
    });
  });

  it('names the field the dialect passes', () => {
    expect(validateApiHeaderField('Host', 'api_header_field')?.field).toBe('api_header_field');
    expect(validateApiKey('', 'api_key')?.field).toBe('api_key');
  });
});

describe('validateAuthentication', () => {
  it.each([
    ['none', { type: 'none' }],
    ['basic', { type: 'basic', username: 'alice', password: 's3cret' }],
    ['an API key', { type: 'api_key', headerName: 'X-API-Key', apiKey: 'abc123' }],
  ])('accepts %s', (_case, auth) => {
    expect(validateAuthentication(auth)).toEqual([]);
  });

  it.each([
    [
      'a basic username with a colon and an empty password (B20)',
      { type: 'basic', username: 'a:b', password: '' },
      [
        ['authentication.username', ValidationCode.AUTH_INVALID],
        ['authentication.password', ValidationCode.AUTH_INVALID],
      ],
    ],
    [
      'an API key sent as Host (B20)',
      { type: 'api_key', headerName: 'Host', apiKey: 'abc' },
      [['authentication.headerName', ValidationCode.AUTH_INVALID]],
    ],
    [
      'an API key missing its key',
      { type: 'api_key', headerName: 'X-Key' },
      [['authentication.apiKey', ValidationCode.AUTH_INVALID]],
    ],
    [
      'an unknown type (B20)',
      { type: 'oauth2' },
      [['authentication.type', ValidationCode.AUTH_INVALID]],
    ],
    [
      "another dialect's spelling of the type",
      { type: 'apiKey', headerName: 'Host' },
      [['authentication.type', ValidationCode.AUTH_INVALID]],
    ],
    ['a missing type', {}, [['authentication.type', ValidationCode.AUTH_INVALID]]],
    ['null', null, [['authentication', ValidationCode.AUTH_INVALID]]],
    ['a string', 'basic', [['authentication', ValidationCode.AUTH_INVALID]]],
  ])('rejects %s', (_case, auth, expected) => {
    expect(summary(validateAuthentication(auth))).toEqual(expected);
  });

  it('names fields under the path the dialect passes', () => {
    expect(summary(validateAuthentication({ type: 'x' }, 'auth'))).toEqual([
      ['auth.type', ValidationCode.AUTH_INVALID],
    ]);
  });
});

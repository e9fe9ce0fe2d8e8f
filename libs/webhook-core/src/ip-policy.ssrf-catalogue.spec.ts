import { isIP } from 'node:net';
import {
  checkAddress,
  checkUrlHost,
  classifyAddress,
  EMPTY_POLICY,
  parseOutboundAllow,
} from './ip-policy';
import { SSRF_DNS, SSRF_LITERALS, scriptedResolver, ssrfUrl } from './testing/ssrf-catalogue';

// Catalogue rows S1–S4 (docs/reliability.md): every row of the SSRF catalogue through the pure
// policy.

const parseable = SSRF_LITERALS.filter((row) => row.parsed !== null);
const unparseable = SSRF_LITERALS.filter((row) => row.parsed === null);

describe('S1 S2 the SSRF catalogue through checkUrlHost (write time), empty allow-list', () => {
  it.each(parseable.map((row) => [row.host, row.parsed, row.expect, row.group] as const))(
    '%s parses to %s and is judged %s (%s)',
    (host, parsed, expect_) => {
      const url = new URL(ssrfUrl(host, 'https', 8443, '/hook'));
      expect(url.hostname).toBe(parsed);
      expect(checkUrlHost(url, EMPTY_POLICY)).toEqual(
        expect_ === null ? { allowed: true } : { allowed: false, reason: expect_ },
      );
    },
  );

  it.each(unparseable.map((row) => [row.host] as const))(
    '%s is refused by the URL parser before the guard sees it',
    (host) => {
      expect(() => new URL(ssrfUrl(host, 'https', 8443))).toThrow('Invalid URL');
    },
  );

  it('holds public rows that must be allowed, so a guard refusing everything fails', () => {
    expect(SSRF_LITERALS.filter((row) => row.expect === null).length).toBeGreaterThanOrEqual(10);
  });
});

describe('S1 S2 the SSRF catalogue through checkAddress (connect time), empty allow-list', () => {
  // What the connect-time check sees: the parsed host without brackets, or the address a resolver
  // would answer for a zone-id spelling (the zone is not part of the address).
  const connectAddress = (host: string, parsed: string | null): string => {
    const text = parsed ?? host.replace('%25', '%');
    return text.startsWith('[') ? text.slice(1, -1) : text;
  };
  const literal = SSRF_LITERALS.filter(
    (row) => isIP(connectAddress(row.host, row.parsed).split('%')[0] ?? '') !== 0,
  );

  it.each(
    literal.map((row) => [row.host, connectAddress(row.host, row.parsed), row.expect] as const),
  )('%s: the address %s is judged %s', (_host, address, expect_) => {
    expect(classifyAddress(address)).toBe(expect_);
    expect(checkAddress(address, EMPTY_POLICY)).toEqual(
      expect_ === null ? { allowed: true } : { allowed: false, reason: expect_ },
    );
  });

  it('covers every row that parses to an IP address', () => {
    const names = SSRF_LITERALS.filter((row) => !literal.includes(row)).map((row) => row.host);
    expect(names).toEqual([
      '127.0.0.1..',
      'localhost',
      'LOCALHOST',
      'localhost.',
      'api.localhost',
      'a.b.localhost.',
    ]);
  });
});

describe('S6 the SSRF catalogue under the allow-list 127.0.0.2/32 (the e2e policy)', () => {
  const policy = parseOutboundAllow(['127.0.0.2/32']);

  it.each(parseable.map((row) => [row.host, row.expect] as const))(
    '%s keeps its verdict (%s)',
    (host, expect_) => {
      expect(checkUrlHost(new URL(ssrfUrl(host, 'http', 80)), policy)?.allowed ?? true).toBe(
        expect_ === null,
      );
    },
  );

  it('allows 127.0.0.2 itself, and only that loopback address', () => {
    expect(checkAddress('127.0.0.2', policy)).toEqual({ allowed: true });
    expect(checkAddress('127.0.0.3', policy)).toEqual({ allowed: false, reason: 'loopback' });
  });
});

describe('S3 S4 the SSRF catalogue DNS rows through checkAddress on every answer', () => {
  it.each(SSRF_DNS.map((row) => [row.name, row.answers, row.expect] as const))(
    '%s answering %j is judged %s on its first answer',
    (name, answers, expect_) => {
      const verdicts = (answers[0] ?? []).map((address) =>
        checkAddress(address, EMPTY_POLICY, name),
      );
      const refused = verdicts.find((verdict) => !verdict.allowed);
      expect(refused ?? { allowed: true }).toEqual(
        expect_ === null ? { allowed: true } : { allowed: false, reason: expect_ },
      );
    },
  );
});

describe('scriptedResolver', () => {
  it('answers in script order, repeats the last answer, and counts lookups per name', async () => {
    const resolver = scriptedResolver([{ name: 'Rebind.test.', answers: [['1.2.3.4'], ['::1']] }]);
    expect(await resolver.lookup('rebind.test')).toEqual([{ address: '1.2.3.4', family: 4 }]);
    expect(await resolver.lookup('REBIND.TEST.')).toEqual([{ address: '::1', family: 6 }]);
    expect(await resolver.lookup('rebind.test')).toEqual([{ address: '::1', family: 6 }]);
    expect(resolver.calls('rebind.test')).toBe(3);
    expect(resolver.calls('other.test')).toBe(0);
  });

  it('fails an unknown name with ENOTFOUND', async () => {
    await expect(scriptedResolver([]).lookup('nowhere.test')).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });
});

import fc from 'fast-check';
import {
  allowsEverything,
  checkAddress,
  checkUrlHost,
  classifyAddress,
  combinePolicies,
  type DenyReason,
  describeDenyReason,
  EMPTY_POLICY,
  parseOutboundAllow,
} from './ip-policy';

function hostOf(host: string): URL {
  return new URL(`https://${host}/`);
}

const v4Text = (a: number, b: number, c: number, d: number): string => `${a}.${b}.${c}.${d}`;
const hex16 = (n: number): string => n.toString(16);
const octet = fc.integer({ min: 0, max: 255 });

describe('checkUrlHost on WHATWG-parsed URLs, empty allow-list', () => {
  // Catalogue row S1 (docs/reliability.md): private, loopback and encoded IPv4 literals (13/13
  // blocked).
  it.each<[string, string, DenyReason]>([
    ['127.0.0.1', '127.0.0.1', 'loopback'],
    ['10.0.0.1', '10.0.0.1', 'private'],
    ['172.16.0.1', '172.16.0.1', 'private'],
    ['192.168.1.1', '192.168.1.1', 'private'],
    ['100.64.0.1', '100.64.0.1', 'cgnat'],
    ['169.254.169.254', '169.254.169.254', 'metadata'],
    ['0.0.0.0', '0.0.0.0', 'unspecified'],
    ['2130706433', '127.0.0.1', 'loopback'],
    ['0x7f.1', '127.0.0.1', 'loopback'],
    ['0177.0.0.1', '127.0.0.1', 'loopback'],
    ['127.1', '127.0.0.1', 'loopback'],
    ['0', '0.0.0.0', 'unspecified'],
    ['017700000001', '127.0.0.1', 'loopback'],
  ])('S1: denies https://%s/ (new URL turns it into %s) as %s', (host, canonical, reason) => {
    const url = hostOf(host);
    expect(url.hostname).toBe(canonical);
    expect(checkUrlHost(url, EMPTY_POLICY)).toEqual({ allowed: false, reason });
  });

  // Catalogue row S2 (docs/reliability.md): IPv6 forms, including IPv4 carried inside IPv6.
  it.each<[string, string, DenyReason]>([
    ['[::1]', '[::1]', 'loopback'],
    ['[::]', '[::]', 'unspecified'],
    ['[fc00::1]', '[fc00::1]', 'private'],
    ['[fe80::1]', '[fe80::1]', 'link_local'],
    ['[::ffff:7f00:1]', '[::ffff:7f00:1]', 'loopback'],
    ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]', 'loopback'],
    ['[::ffff:a9fe:a9fe]', '[::ffff:a9fe:a9fe]', 'metadata'],
    ['[::ffff:169.254.169.254]', '[::ffff:a9fe:a9fe]', 'metadata'],
    ['[64:ff9b::7f00:1]', '[64:ff9b::7f00:1]', 'loopback'],
    ['[2002:7f00:1::1]', '[2002:7f00:1::1]', 'loopback'],
    ['[::7f00:1]', '[::7f00:1]', 'loopback'],
    ['[::127.0.0.1]', '[::7f00:1]', 'loopback'],
    ['[::ffff:0:7f00:1]', '[::ffff:0:7f00:1]', 'loopback'],
    ['[0:0:0:0:0:0:0:1]', '[::1]', 'loopback'],
    ['[FD00:EC2::254]', '[fd00:ec2::254]', 'metadata'],
  ])('S2: denies https://%s/ (new URL turns it into %s) as %s', (host, canonical, reason) => {
    const url = hostOf(host);
    expect(url.hostname).toBe(canonical);
    expect(checkUrlHost(url, EMPTY_POLICY)).toEqual({ allowed: false, reason });
  });

  it.each(['localhost', 'LOCALHOST', 'localhost.', 'api.localhost', 'a.b.localhost.'])(
    'denies the loopback name %s as loopback',
    (host) => {
      expect(checkUrlHost(hostOf(host), EMPTY_POLICY)).toEqual({
        allowed: false,
        reason: 'loopback',
      });
    },
  );

  it('denies the empty host of a non-special URL as loopback', () => {
    const url = new URL('x-hook:///path');
    expect(url.hostname).toBe('');
    expect(checkUrlHost(url, EMPTY_POLICY)).toEqual({ allowed: false, reason: 'loopback' });
  });

  it('denies a numeric-looking host that a non-special scheme left unparsed as invalid', () => {
    const url = new URL('x-hook://2130706433/');
    expect(url.hostname).toBe('2130706433');
    expect(checkUrlHost(url, EMPTY_POLICY)).toEqual({ allowed: false, reason: 'invalid' });
  });

  it.each(['93.184.216.34', '[2606:4700:4700::1111]', '8.8.8.8', '[2002:5db8:d822::1]'])(
    'allows the public address literal %s',
    (host) => {
      expect(checkUrlHost(hostOf(host), EMPTY_POLICY)).toEqual({ allowed: true });
    },
  );

  it.each(['example.com', 'hooks.example.com', 'localhost.example.com', '1.2.3.4.example'])(
    'defers the host name %s to connect time (null)',
    (host) => {
      expect(checkUrlHost(hostOf(host), EMPTY_POLICY)).toBeNull();
    },
  );
});

describe('classifyAddress', () => {
  it.each<[string, DenyReason | null]>([
    ['0.1.2.3', 'unspecified'],
    ['127.255.255.254', 'loopback'],
    ['10.255.255.255', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', null],
    ['172.15.255.255', null],
    ['192.168.0.0', 'private'],
    ['100.64.0.0', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.0', null],
    ['100.63.255.255', null],
    ['100.100.100.200', 'metadata'],
    ['169.254.0.1', 'link_local'],
    ['169.254.169.254', 'metadata'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.20.0.0', null],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['93.184.216.34', null],
    ['1.1.1.1', null],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::2', 'unspecified'],
    ['::0.0.1.0', 'unspecified'],
    ['::8.8.8.8', null],
    ['::ffff:8.8.8.8', null],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:0:0a01:0203', 'private'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b::808:808', null],
    ['2002:a00:1::', 'private'],
    ['2002:808:808::1', null],
    ['::1:0:0:1', 'reserved'],
    ['1::', 'reserved'],
    ['ff::1', 'reserved'],
    ['fc00::1', 'private'],
    ['fdff:ffff::1', 'private'],
    ['fec0::1', 'private'],
    ['fe80::1', 'link_local'],
    ['febf:ffff::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['ff02::1', 'multicast'],
    ['fd00:ec2::254', 'metadata'],
    ['fd00:ec2::253', 'private'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
    ['100:0:0:1::1', 'reserved'], // outside 2000::/3, though past the discard-only /64
    ['64:ff9b:1::1', 'reserved'],
    ['2001::1', 'reserved'], // Teredo
    ['2001:0:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
    ['2001:1::1', null],
    ['2001:2::1', 'reserved'], // benchmarking
    ['2001:3::1', null],
    ['3fff::1', 'reserved'], // documentation (RFC 9637)
    ['3fff:1000::1', null],
    ['5f00::1', 'reserved'], // SRv6
    ['2000::1', null],
    ['3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', null],
    ['1fff:ffff::1', 'reserved'],
    ['4000::', 'reserved'],
    ['fbff:ffff::1', 'reserved'],
    ['fe00::1', 'reserved'],
    ['192.88.99.1', 'reserved'], // deprecated 6to4 relay anycast
    ['192.88.98.255', null],
    ['192.88.100.0', null],
    ['2606:4700:4700::1111', null],
    ['[::1]', 'loopback'],
    ['2001:4860:4860::8888', null],
  ])('classifies %s as %s', (ip, reason) => {
    expect(classifyAddress(ip)).toBe(reason);
  });

  it.each(['', 'localhost', '0177.0.0.1', '127.1', '2130706433', '1.2.3.256', '::g', ' 1.2.3.4'])(
    'rejects the non-canonical or non-IP text %j as invalid',
    (text) => {
      expect(classifyAddress(text)).toBe('invalid');
    },
  );

  it('judges every IPv4 address the same when carried as mapped, SIIT, NAT64 or 6to4 IPv6', () => {
    fc.assert(
      fc.property(octet, octet, octet, octet, (a, b, c, d) => {
        const v4 = classifyAddress(v4Text(a, b, c, d));
        const hi = hex16(a * 256 + b);
        const lo = hex16(c * 256 + d);
        expect(classifyAddress(`::ffff:${v4Text(a, b, c, d)}`)).toBe(v4);
        expect(classifyAddress(`::ffff:0:${hi}:${lo}`)).toBe(v4);
        expect(classifyAddress(`64:ff9b::${hi}:${lo}`)).toBe(v4);
        expect(classifyAddress(`2002:${hi}:${lo}:1234::5`)).toBe(v4);
      }),
    );
  });

  it('judges IPv4-compatible ::a.b.c.d as the embedded IPv4 address (except :: and ::1)', () => {
    fc.assert(
      fc.property(octet, octet, octet, octet, (a, b, c, d) => {
        fc.pre(a + b + c > 0 || d > 1);
        expect(classifyAddress(`::${v4Text(a, b, c, d)}`)).toBe(
          classifyAddress(v4Text(a, b, c, d)),
        );
      }),
    );
  });
});

describe('S6 checkAddress with an allow-list', () => {
  const loopbackOnly = parseOutboundAllow(['127.0.0.1/32']);

  it.each<[string, DenyReason | null]>([
    ['127.0.0.1', null],
    ['::ffff:127.0.0.1', null],
    ['127.0.0.2', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['93.184.216.34', null],
  ])('with 127.0.0.1/32 allowed, judges %s (denial: %s)', (ip, reason) => {
    expect(checkAddress(ip, loopbackOnly)).toEqual(
      reason === null ? { allowed: true } : { allowed: false, reason },
    );
  });

  it.each<[string[], string, DenyReason]>([
    [['169.254.0.0/16'], '169.254.169.254', 'metadata'],
    [['0.0.0.0/0'], '169.254.169.254', 'metadata'],
    [['169.254.169.254'], '169.254.169.254', 'metadata'],
    [['::/0'], '::ffff:169.254.169.254', 'metadata'],
    [['::ffff:a9fe:a9fe/128'], '::ffff:a9fe:a9fe', 'metadata'],
    [['fd00:ec2::/32'], 'fd00:ec2::254', 'metadata'],
    [['0.0.0.0/0'], '0.0.0.0', 'unspecified'],
    [['0.0.0.0/8'], '0.1.2.3', 'unspecified'],
    [['::/0'], '::', 'unspecified'],
    [['169.254.0.0/16'], '169.254.1.1', 'link_local'],
    [['fe80::/10'], 'fe80::1', 'link_local'],
  ])('with %j allowed, still denies %s as %s', (allow, ip, reason) => {
    expect(checkAddress(ip, parseOutboundAllow(allow))).toEqual({ allowed: false, reason });
  });

  it.each<[string[], string]>([
    [['10.0.0.0/8'], '10.20.30.40'],
    [['10.0.0.0/8'], '::ffff:10.20.30.40'],
    [['10.0.0.0/8'], '64:ff9b::a14:1e28'],
    [['fc00::/7'], 'fd12:3456::1'],
    [['0.0.0.0/0'], '192.168.1.1'],
    [['::1'], '::1'],
    [['100.64.0.0/10'], '100.64.0.1'],
  ])('with %j allowed, allows %s', (allow, ip) => {
    expect(checkAddress(ip, parseOutboundAllow(allow))).toEqual({ allowed: true });
  });

  it('allows a refused address when the resolved host name is allow-listed', () => {
    const policy = parseOutboundAllow(['hooks.internal']);
    expect(checkAddress('10.0.0.5', policy, 'hooks.internal')).toEqual({ allowed: true });
    expect(checkAddress('10.0.0.5', policy, 'HOOKS.Internal.')).toEqual({ allowed: true });
    expect(checkAddress('10.0.0.5', policy, 'other.internal')).toEqual({
      allowed: false,
      reason: 'private',
    });
    expect(checkAddress('10.0.0.5', policy)).toEqual({ allowed: false, reason: 'private' });
  });

  it('denies metadata even when the resolved host name is allow-listed', () => {
    const policy = parseOutboundAllow(['metadata.google.internal']);
    expect(checkAddress('169.254.169.254', policy, 'metadata.google.internal')).toEqual({
      allowed: false,
      reason: 'metadata',
    });
  });

  it('denies unparseable text as invalid whatever the policy', () => {
    expect(checkAddress('nope', parseOutboundAllow(['0.0.0.0/0', 'nope']), 'nope')).toEqual({
      allowed: false,
      reason: 'invalid',
    });
  });
});

describe('checkUrlHost with an allow-list', () => {
  it.each<[string[], string, boolean]>([
    [['localhost'], 'localhost', true],
    [['localhost'], 'LocalHost.', true],
    [['localhost'], 'api.localhost', false],
    [['api.localhost'], 'api.localhost', true],
    [['127.0.0.1/32'], 'localhost', true],
    [['127.0.0.0/8'], 'api.localhost', true],
    [['::1'], 'localhost', false],
    [['127.0.0.1/32'], '127.0.0.1', true],
    [['127.0.0.1/32'], '127.0.0.2', false],
    [['127.0.0.1/32'], '2130706433', true],
    [['127.0.0.1/32'], '[::ffff:127.0.0.1]', true],
    [['localhost'], '127.0.0.1', false],
    [['0.0.0.0/0'], '169.254.169.254', false],
    [['0.0.0.0/0'], '0', false],
  ])('with %j allowed, https://%s/ allowed = %s', (allow, host, allowed) => {
    const verdict = checkUrlHost(hostOf(host), parseOutboundAllow(allow));
    expect(verdict?.allowed).toBe(allowed);
  });
});

describe('parseOutboundAllow', () => {
  it('parses CIDRs, bare addresses and host names', () => {
    const policy = parseOutboundAllow([
      '127.0.0.1/32',
      ' 10.0.0.0/8 ',
      '192.168.1.10',
      '::1/128',
      'FD00::',
      '[fc00::]/7',
      'LocalHost',
      'hooks.internal.',
      '',
    ]);
    expect(policy.cidrs).toEqual([
      { family: 4, base: 0x7f000001n, prefix: 32, text: '127.0.0.1/32' },
      { family: 4, base: 0x0a000000n, prefix: 8, text: '10.0.0.0/8' },
      { family: 4, base: 0xc0a8010an, prefix: 32, text: '192.168.1.10/32' },
      { family: 6, base: 1n, prefix: 128, text: '::1/128' },
      { family: 6, base: 0xfd00n << 112n, prefix: 128, text: 'fd00::/128' },
      { family: 6, base: 0xfc00n << 112n, prefix: 7, text: 'fc00::/7' },
    ]);
    expect(policy.hosts).toEqual(['localhost', 'hooks.internal']);
  });

  it('writes IPv6 CIDR text in RFC 5952 form', () => {
    const texts = parseOutboundAllow([
      '2001:DB8:0:0:1:0:0:1',
      '2001:0:0:1::/64',
      '1:2:3:4:5:6:7:8',
      '::ffff:10.0.0.0/104',
    ]).cidrs.map((cidr) => cidr.text);
    expect(texts).toEqual([
      '2001:db8::1:0:0:1/128',
      '2001:0:0:1::/64',
      '1:2:3:4:5:6:7:8/128',
      '::ffff:a00:0/104',
    ]);
  });

  it('returns an empty policy for no entries or only blank ones', () => {
    expect(parseOutboundAllow([])).toEqual(EMPTY_POLICY);
    expect(parseOutboundAllow(['', '  '])).toEqual(EMPTY_POLICY);
  });

  it('keeps duplicate entries once', () => {
    const policy = parseOutboundAllow(['10.0.0.0/8', '10.0.0.0/8', 'a.test', 'A.test.']);
    expect(policy.cidrs).toHaveLength(1);
    expect(policy.hosts).toEqual(['a.test']);
  });

  it.each<[string, RegExp]>([
    ['10.0.0.1/8', /host bits are set \(did you mean 10\.0\.0\.0\/8\?\)/],
    ['10.0.0.0/33', /prefix must be an integer from 0 to 32/],
    ['::1/129', /prefix must be an integer from 0 to 128/],
    ['10.0.0.0/', /prefix/],
    ['10.0.0.0/-1', /prefix/],
    ['10.0.0.0/8.0', /prefix/],
    ['300.0.0.1', /not an IP address/],
    ['0x7f.1', /not an IP address/],
    ['127.1', /not an IP address/],
    ['fe80::1%eth0', /not an IP address/],
    ['*.internal', /expected a CIDR, an IP address or a host name/],
    ['hooks.internal:8080', /not an IP address/],
    ['https://hooks.internal', /not an IP address/],
    ['-bad.internal', /host name/],
    ['a..b', /host name/],
    ['exa mple.com', /host name/],
  ])('rejects %j with a RangeError naming it', (entry, message) => {
    const parse = (): unknown => parseOutboundAllow(['localhost', entry]);
    expect(parse).toThrow(RangeError);
    expect(parse).toThrow(JSON.stringify(entry));
    expect(parse).toThrow(message);
  });
});

describe('allowsEverything', () => {
  it.each<[string[], boolean]>([
    [[], false],
    [['0.0.0.0/0'], true],
    [['::/0'], true],
    [['::ffff:0:0/96'], true],
    [['::/64'], true],
    [['10.0.0.0/8', '127.0.0.1/32'], false],
    [['0.0.0.0/1'], false],
    [['::ffff:0:0/97'], false],
    [['fc00::/7', 'localhost'], false],
  ])('for %j is %s', (allow, expected) => {
    expect(allowsEverything(parseOutboundAllow(allow))).toBe(expected);
  });

  it('is false for the empty policy', () => {
    expect(allowsEverything(EMPTY_POLICY)).toBe(false);
  });
});

describe('X5 combinePolicies', () => {
  const global = parseOutboundAllow(['10.0.0.0/8', 'hooks.internal']);
  const own = parseOutboundAllow(['127.0.0.1', 'hooks.internal', 'other.internal']);

  it('lets through what either list allows', () => {
    const both = combinePolicies(global, own);
    expect(checkAddress('10.1.2.3', both)).toEqual({ allowed: true });
    expect(checkAddress('127.0.0.1', both)).toEqual({ allowed: true });
    expect(checkAddress('127.0.0.2', both)).toEqual({ allowed: false, reason: 'loopback' });
    expect(both.hosts).toEqual(['hooks.internal', 'other.internal']);
  });

  it('is the global policy itself when the organization has no allowance', () => {
    expect(combinePolicies(global, EMPTY_POLICY)).toBe(global);
    expect(checkAddress('127.0.0.1', combinePolicies(EMPTY_POLICY, EMPTY_POLICY))).toEqual({
      allowed: false,
      reason: 'loopback',
    });
  });

  it('never lets metadata or link-local through, whatever the allowance', () => {
    const open = combinePolicies(EMPTY_POLICY, parseOutboundAllow(['169.254.0.0/16']));
    expect(checkAddress('169.254.169.254', open)).toEqual({ allowed: false, reason: 'metadata' });
  });
});

describe('X5 describeDenyReason', () => {
  const reasons: DenyReason[] = [
    'loopback',
    'private',
    'link_local',
    'metadata',
    'cgnat',
    'unspecified',
    'multicast',
    'reserved',
    'invalid',
  ];

  it('names each rule in words, with no address in them', () => {
    const texts = reasons.map(describeDenyReason);
    expect(new Set(texts).size).toBe(reasons.length);
    expect(describeDenyReason('private')).toBe('private (RFC 1918 / unique-local)');
    expect(describeDenyReason('metadata')).toBe('link-local / cloud metadata');
    for (const text of texts) expect(text).not.toMatch(/\d+\.\d+|::/);
  });
});

/**
 * The SSRF catalogue (catalogue rows S1–S4, docs/reliability.md): every spelling of an address the
 * outbound guard must refuse, the public addresses it must let through (so a guard that refuses
 * everything fails), and DNS answers for an injected resolver, each with the verdict expected under
 * an empty allow-list.
 *
 * Test data only: the unit tests of `ip-policy.ts` and of the delivery client and the API's e2e
 * spec read it, so a spelling added here is checked at write time and at connect time alike. It is
 * not part of the built package.
 */
import { type DenyReason } from '../ip-policy';

/** The catalogue's groups, as the e2e summary names them. */
export type SsrfGroup =
  | 'S1 IPv4 literals and encodings'
  | 'S1 IPv4 special ranges and edges'
  | 'S2 IPv6 literals'
  | 'S2 IPv4 inside IPv6'
  | 'loopback names'
  | 'public (must be allowed)';

/** One way of writing a destination host in an endpoint URL. */
export interface SsrfLiteralRow {
  readonly group: SsrfGroup;
  /** The host as written in the URL's authority (IPv6 in brackets). */
  readonly host: string;
  /**
   * What WHATWG `new URL('http://<host>/').hostname` makes of it, or null when the URL parser
   * refuses the host (the endpoint is then refused as an invalid URL before the guard runs).
   */
  readonly parsed: string | null;
  /**
   * Why the guard refuses it with an empty allow-list (for an unparseable host: why it would refuse
   * the address were it to reach it); null when it must be allowed.
   */
  readonly expect: DenyReason | null;
}

function rows(group: SsrfGroup, table: readonly [string, string | null, DenyReason | null][]) {
  return table.map(([host, parsed, expect]): SsrfLiteralRow => ({ group, host, parsed, expect }));
}

/** Every literal spelling, in groups. Hosts that parse to 127.0.0.2 are left out on purpose (see e2e). */
export const SSRF_LITERALS: readonly SsrfLiteralRow[] = [
  ...rows('S1 IPv4 literals and encodings', [
    // The 13 rows of S1, in its order.
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
    // Hex, octal, short and mixed forms.
    ['0x7f000001', '127.0.0.1', 'loopback'],
    ['0X7F000001', '127.0.0.1', 'loopback'],
    ['0x7f.0.0.1', '127.0.0.1', 'loopback'],
    ['0X7F.0.0.1', '127.0.0.1', 'loopback'],
    ['0x7f.0x0.0x0.0x1', '127.0.0.1', 'loopback'],
    ['0000177.0.0.1', '127.0.0.1', 'loopback'],
    ['127.000.000.001', '127.0.0.1', 'loopback'],
    ['127.0.0.01', '127.0.0.1', 'loopback'],
    ['127.0.1', '127.0.0.1', 'loopback'],
    ['127.0.0.1.', '127.0.0.1', 'loopback'],
    ['0x7f.0.0.1.', '127.0.0.1', 'loopback'],
    ['127.0.0.1..', '127.0.0.1..', 'invalid'],
    ['127.255.255.255', '127.255.255.255', 'loopback'],
    ['0x', '0.0.0.0', 'unspecified'],
    ['0.0.0.1', '0.0.0.1', 'unspecified'],
    ['10.1', '10.0.0.1', 'private'],
    ['012.0.0.1', '10.0.0.1', 'private'],
    ['0xa.0.0.1', '10.0.0.1', 'private'],
    ['3232235777', '192.168.1.1', 'private'],
    ['0xc0a80101', '192.168.1.1', 'private'],
    ['2852039166', '169.254.169.254', 'metadata'],
    ['0xa9fea9fe', '169.254.169.254', 'metadata'],
    ['0251.0376.0251.0376', '169.254.169.254', 'metadata'],
    ['169.254.43518', '169.254.169.254', 'metadata'],
    ['4294967295', '255.255.255.255', 'reserved'],
    // What IDNA mapping and percent-decoding turn into digits and dots.
    ['%31%32%37.0.0.1', '127.0.0.1', 'loopback'],
    ['\uff11\uff12\uff17.0.0.1', '127.0.0.1', 'loopback'], // full-width digits
    ['127\u30020\u30020\u30021', '127.0.0.1', 'loopback'], // ideographic full stops
  ]),
  ...rows('S1 IPv4 special ranges and edges', [
    ['0.255.255.255', '0.255.255.255', 'unspecified'],
    ['10.255.255.255', '10.255.255.255', 'private'],
    ['172.15.255.255', '172.15.255.255', null],
    ['172.16.0.0', '172.16.0.0', 'private'],
    ['172.31.255.255', '172.31.255.255', 'private'],
    ['172.32.0.0', '172.32.0.0', null],
    ['192.167.255.255', '192.167.255.255', null],
    ['192.168.0.0', '192.168.0.0', 'private'],
    ['192.168.255.255', '192.168.255.255', 'private'],
    ['192.169.0.0', '192.169.0.0', null],
    ['100.63.255.255', '100.63.255.255', null],
    ['100.64.0.0', '100.64.0.0', 'cgnat'],
    ['100.127.255.255', '100.127.255.255', 'cgnat'],
    ['100.128.0.0', '100.128.0.0', null],
    ['100.100.100.200', '100.100.100.200', 'metadata'], // Alibaba Cloud
    ['169.253.255.255', '169.253.255.255', null],
    ['169.254.0.0', '169.254.0.0', 'link_local'],
    ['169.254.170.2', '169.254.170.2', 'link_local'], // AWS ECS task metadata
    ['169.254.255.255', '169.254.255.255', 'link_local'],
    ['169.255.0.0', '169.255.0.0', null],
    ['192.0.0.0', '192.0.0.0', 'reserved'],
    ['192.0.0.255', '192.0.0.255', 'reserved'],
    ['192.0.2.1', '192.0.2.1', 'reserved'],
    ['192.88.99.1', '192.88.99.1', 'reserved'],
    ['198.17.255.255', '198.17.255.255', null],
    ['198.18.0.0', '198.18.0.0', 'reserved'],
    ['198.19.255.255', '198.19.255.255', 'reserved'],
    ['198.20.0.0', '198.20.0.0', null],
    ['198.51.100.1', '198.51.100.1', 'reserved'],
    ['203.0.113.1', '203.0.113.1', 'reserved'],
    ['223.255.255.255', '223.255.255.255', null],
    ['224.0.0.0', '224.0.0.0', 'multicast'],
    ['239.255.255.255', '239.255.255.255', 'multicast'],
    ['240.0.0.0', '240.0.0.0', 'reserved'],
    ['255.255.255.255', '255.255.255.255', 'reserved'],
  ]),
  ...rows('S2 IPv6 literals', [
    // The IPv6-only rows of S2.
    ['[::1]', '[::1]', 'loopback'],
    ['[::]', '[::]', 'unspecified'],
    ['[fc00::1]', '[fc00::1]', 'private'],
    ['[fe80::1]', '[fe80::1]', 'link_local'],
    // Long, leading-zero and upper-case forms.
    ['[0:0:0:0:0:0:0:1]', '[::1]', 'loopback'],
    ['[0000:0000:0000:0000:0000:0000:0000:0001]', '[::1]', 'loopback'],
    ['[::0001]', '[::1]', 'loopback'],
    ['[0:0:0:0:0:0:0:0]', '[::]', 'unspecified'],
    ['[FC00::1]', '[fc00::1]', 'private'],
    [
      '[fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]',
      '[fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]',
      'private',
    ],
    ['[fd00:ec2::254]', '[fd00:ec2::254]', 'metadata'], // AWS IMDS over IPv6
    ['[FD00:EC2:0000::0254]', '[fd00:ec2::254]', 'metadata'],
    ['[FE80::1]', '[fe80::1]', 'link_local'],
    ['[febf:ffff::1]', '[febf:ffff::1]', 'link_local'],
    ['[fec0::1]', '[fec0::1]', 'private'], // deprecated site-local
    ['[ff02::1]', '[ff02::1]', 'multicast'],
    ['[FF0E::1]', '[ff0e::1]', 'multicast'],
    ['[2001:0db8:0000:0000:0000:0000:0000:0001]', '[2001:db8::1]', 'reserved'],
    ['[2001:2::1]', '[2001:2::1]', 'reserved'], // benchmarking
    ['[3fff::1]', '[3fff::1]', 'reserved'], // documentation (RFC 9637)
    ['[5f00::1]', '[5f00::1]', 'reserved'], // SRv6 SIDs
    ['[100::1]', '[100::1]', 'reserved'], // discard-only
    ['[fbff:ffff::1]', '[fbff:ffff::1]', 'reserved'], // outside 2000::/3: reserved by the IETF
    ['[fe00::1]', '[fe00::1]', 'reserved'],
    ['[4000::1]', '[4000::1]', 'reserved'],
    // Teredo 2001::/32: a relay carries it to an obfuscated IPv4 address.
    ['[2001::1]', '[2001::1]', 'reserved'],
    [
      '[2001:0:4136:e378:8000:63bf:3fff:fdd2]',
      '[2001:0:4136:e378:8000:63bf:3fff:fdd2]',
      'reserved',
    ],
    ['[2001:0:7f00:1::]', '[2001:0:7f00:1::]', 'reserved'],
    // Zone ids: the WHATWG parser refuses them, encoded or not.
    ['[fe80::1%25eth0]', null, 'link_local'],
    ['[fe80::1%eth0]', null, 'link_local'],
    ['[::1%25lo]', null, 'loopback'],
  ]),
  ...rows('S2 IPv4 inside IPv6', [
    // The embedded-IPv4 rows of S2.
    ['[::ffff:7f00:1]', '[::ffff:7f00:1]', 'loopback'],
    ['[::ffff:a9fe:a9fe]', '[::ffff:a9fe:a9fe]', 'metadata'],
    ['[64:ff9b::7f00:1]', '[64:ff9b::7f00:1]', 'loopback'],
    ['[2002:7f00:1::1]', '[2002:7f00:1::1]', 'loopback'],
    ['[::7f00:1]', '[::7f00:1]', 'loopback'],
    ['[::ffff:0:7f00:1]', '[::ffff:0:7f00:1]', 'loopback'],
    // IPv4-mapped ::ffff:0:0/96, in dotted, long and upper-case forms.
    ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]', 'loopback'],
    ['[0:0:0:0:0:ffff:127.0.0.1]', '[::ffff:7f00:1]', 'loopback'],
    ['[::FFFF:7F00:1]', '[::ffff:7f00:1]', 'loopback'],
    ['[0000:0000:0000:0000:0000:ffff:7f00:0001]', '[::ffff:7f00:1]', 'loopback'],
    ['[::ffff:169.254.169.254]', '[::ffff:a9fe:a9fe]', 'metadata'],
    ['[::ffff:10.0.0.1]', '[::ffff:a00:1]', 'private'],
    ['[::ffff:0.0.0.0]', '[::ffff:0:0]', 'unspecified'],
    // SIIT ::ffff:0:0:0/96 and IPv4-compatible ::/96.
    ['[::ffff:0:10.0.0.1]', '[::ffff:0:a00:1]', 'private'],
    ['[::127.0.0.1]', '[::7f00:1]', 'loopback'],
    ['[::10.0.0.1]', '[::a00:1]', 'private'],
    ['[::169.254.169.254]', '[::a9fe:a9fe]', 'metadata'],
    // NAT64: the well-known prefix 64:ff9b::/96, and local-use 64:ff9b:1::/48 (refused outright).
    ['[64:ff9b::127.0.0.1]', '[64:ff9b::7f00:1]', 'loopback'],
    ['[0064:ff9b:0000:0000:0000:0000:7f00:0001]', '[64:ff9b::7f00:1]', 'loopback'],
    ['[64:ff9b::a9fe:a9fe]', '[64:ff9b::a9fe:a9fe]', 'metadata'],
    ['[64:ff9b::10.0.0.1]', '[64:ff9b::a00:1]', 'private'],
    ['[64:FF9B::C0A8:101]', '[64:ff9b::c0a8:101]', 'private'],
    ['[64:ff9b::]', '[64:ff9b::]', 'unspecified'],
    ['[64:ff9b:1::a00:1]', '[64:ff9b:1::a00:1]', 'reserved'],
    ['[64:ff9b:1::7f00:1]', '[64:ff9b:1::7f00:1]', 'reserved'],
    // 6to4 2002::/16 carries the IPv4 address in bits 16-47.
    ['[2002:a9fe:a9fe::1]', '[2002:a9fe:a9fe::1]', 'metadata'],
    ['[2002:c0a8:101::1]', '[2002:c0a8:101::1]', 'private'],
    ['[2002:a00:1::]', '[2002:a00:1::]', 'private'],
    ['[2002:0:0::1]', '[2002::1]', 'unspecified'],
  ]),
  ...rows('loopback names', [
    ['localhost', 'localhost', 'loopback'],
    ['LOCALHOST', 'localhost', 'loopback'],
    ['localhost.', 'localhost.', 'loopback'],
    ['api.localhost', 'api.localhost', 'loopback'],
    ['a.b.localhost.', 'a.b.localhost.', 'loopback'],
  ]),
  ...rows('public (must be allowed)', [
    ['93.184.216.34', '93.184.216.34', null],
    ['8.8.8.8', '8.8.8.8', null],
    ['1.1.1.1', '1.1.1.1', null],
    ['134744072', '8.8.8.8', null], // 8.8.8.8 in decimal: encodings are judged after parsing
    ['[2606:4700:4700::1111]', '[2606:4700:4700::1111]', null],
    ['[2001:4860:4860::8888]', '[2001:4860:4860::8888]', null],
    ['[2A00:1450:4001:082A::200E]', '[2a00:1450:4001:82a::200e]', null],
    ['[::ffff:8.8.8.8]', '[::ffff:808:808]', null],
    ['[64:ff9b::808:808]', '[64:ff9b::808:808]', null],
    ['[2002:808:808::1]', '[2002:808:808::1]', null],
  ]),
];

/** The catalogue's DNS groups. */
export type SsrfDnsGroup =
  'S3 names resolving to refused addresses' | 'S4 mixed answers and rebinding';

/** A host name and what an injected resolver answers for it. */
export interface SsrfDnsRow {
  readonly group: SsrfDnsGroup;
  /** The host name as written in the URL. */
  readonly name: string;
  /** The addresses answered on the first, second, ... lookup; the last answer repeats. */
  readonly answers: readonly (readonly string[])[];
  /**
   * Why the target is refused; null when it must be allowed, and then the connection goes to the
   * first address of the first answer (the one that was checked) and nowhere else.
   */
  readonly expect: DenyReason | null;
}

function dns(group: SsrfDnsGroup, table: readonly [string, string[][], DenyReason | null][]) {
  return table.map(([name, answers, expect]): SsrfDnsRow => ({ group, name, answers, expect }));
}

/** DNS names for the injected resolver (`*.test` and the cloud metadata names). */
export const SSRF_DNS: readonly SsrfDnsRow[] = [
  ...dns('S3 names resolving to refused addresses', [
    ['evil.test', [['127.0.0.1']], 'loopback'],
    ['metadata.google.internal', [['169.254.169.254']], 'metadata'],
    ['METADATA.GOOGLE.INTERNAL.', [['169.254.169.254']], 'metadata'],
    ['instance-data.ec2.internal', [['169.254.169.254']], 'metadata'],
    ['ec2-v6.test', [['fd00:ec2::254']], 'metadata'],
    ['alibaba-metadata.test', [['100.100.100.200']], 'metadata'],
    ['ecs-task.test', [['169.254.170.2']], 'link_local'],
    ['private.test', [['10.0.0.1']], 'private'],
    ['cgnat.test', [['100.64.0.1']], 'cgnat'],
    ['zero.test', [['0.0.0.0']], 'unspecified'],
    ['v6-zero.test', [['::']], 'unspecified'],
    ['v6-loopback.test', [['0000:0000:0000:0000:0000:0000:0000:0001']], 'loopback'],
    ['mapped.test', [['::ffff:127.0.0.1']], 'loopback'],
    ['mapped-upper.test', [['::FFFF:7F00:1']], 'loopback'],
    ['nat64.test', [['64:ff9b::a9fe:a9fe']], 'metadata'],
    ['sixtofour.test', [['2002:c0a8:101::1']], 'private'],
    ['teredo.test', [['2001:0:4136:e378:8000:63bf:3fff:fdd2']], 'reserved'],
    ['ula.test', [['fd12:3456::1']], 'private'],
    ['zone.test', [['fe80::1%eth0']], 'link_local'],
    ['octal-answer.test', [['0177.0.0.1']], 'invalid'],
    ['junk-answer.test', [['not-an-address']], 'invalid'],
  ]),
  ...dns('S4 mixed answers and rebinding', [
    ['mixed.test', [['93.184.216.34', '127.0.0.1']], 'loopback'],
    ['mixed-private-first.test', [['10.0.0.1', '93.184.216.34']], 'private'],
    ['mixed6.test', [['2606:4700:4700::1111', '::1']], 'loopback'],
    ['mixed-families.test', [['93.184.216.34', '::ffff:169.254.169.254']], 'metadata'],
    ['rebind.test', [['93.184.216.34'], ['127.0.0.1']], null],
    ['rebind-private-first.test', [['127.0.0.1'], ['93.184.216.34']], 'loopback'],
    ['public.test', [['93.184.216.34']], null],
    ['public6.test', [['2606:4700:4700::1111']], null],
  ]),
];

/** Host names as DNS compares them: case-insensitive, a trailing dot ignored. */
function dnsKey(hostname: string): string {
  const lower = hostname.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** A resolver that answers from a script and counts the lookups of each name. */
export interface ScriptedResolver {
  /** Every address of `hostname`, as `node:dns` `lookup` with `all: true` would give them. */
  lookup(hostname: string): Promise<{ address: string; family: 4 | 6 }[]>;
  /** How many times `hostname` was looked up. */
  calls(hostname: string): number;
}

/** The resolver for `rows`; a name not in them fails with `ENOTFOUND`. */
export function scriptedResolver(
  rows: readonly Pick<SsrfDnsRow, 'name' | 'answers'>[],
): ScriptedResolver {
  const script = new Map(rows.map((row) => [dnsKey(row.name), row.answers]));
  const counts = new Map<string, number>();
  return {
    lookup(hostname) {
      const key = dnsKey(hostname);
      const call = counts.get(key) ?? 0;
      counts.set(key, call + 1);
      const answers = script.get(key);
      const answer = answers?.[Math.min(call, answers.length - 1)];
      if (answer === undefined) {
        const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
          code: 'ENOTFOUND',
        });
        return Promise.reject(error);
      }
      return Promise.resolve(
        answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const),
      );
    },
    calls: (hostname) => counts.get(dnsKey(hostname)) ?? 0,
  };
}

/** An endpoint URL for `host`: `<scheme>://<host>:<port><path>`. */
export function ssrfUrl(host: string, scheme: 'http' | 'https', port: number, path = '/'): string {
  return `${scheme}://${host}:${port}${path}`;
}

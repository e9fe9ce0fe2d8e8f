/**
 * The SSRF address policy: which destination addresses a webhook may be delivered to.
 *
 * Pure functions over IP text, used twice: at write time on the WHATWG-parsed URL host (fast feedback,
 * see {@link checkUrlHost}) and at connect time on every address DNS returned (the check that counts,
 * see {@link checkAddress}). Addresses that carry an IPv4 address inside IPv6 (IPv4-mapped, the SIIT
 * form, IPv4-compatible, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are unwrapped and judged as the IPv4
 * address they carry. Of the rest of IPv6, only global unicast `2000::/3` outside the special-purpose
 * ranges is public; Teredo `2001::/32` is refused outright (the IPv4 it carries is obfuscated and the
 * route goes through a relay).
 *
 * Only `node:net` validation is used; never the npm `ip`, `private-ip` or `ipaddr.js` packages.
 */
import { isIPv4 } from 'node:net';
import { type Cidr, contains, type Ip, parseCidr, parseIp, V4_MASK } from './ip-address';

export type { Cidr } from './ip-address';

/** Why an address is refused. */
export type DenyReason =
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'metadata'
  | 'cgnat'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'invalid';

/** The outcome of judging one destination. */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: DenyReason };

/** What the operator lets through the guard (`HOOKYARD_OUTBOUND_ALLOW`). */
export interface OutboundPolicy {
  readonly cidrs: readonly Cidr[];
  /** Host names, lower-case, without a trailing dot. */
  readonly hosts: readonly string[];
}

/** The default policy: nothing beyond public addresses is allowed. */
export const EMPTY_POLICY: OutboundPolicy = Object.freeze({
  cidrs: Object.freeze([]),
  hosts: Object.freeze([]),
});

const ALLOWED: AddressVerdict = Object.freeze({ allowed: true });

/**
 * The rule that refused an address, as an error message or an attempt record says it. It never
 * names the address itself: a refusal must not tell a tenant what a name resolves to inside the
 * network.
 */
export function describeDenyReason(reason: DenyReason): string {
  switch (reason) {
    case 'loopback':
      return 'loopback';
    case 'private':
      return 'private (RFC 1918 / unique-local)';
    case 'link_local':
      return 'link-local';
    case 'metadata':
      return 'link-local / cloud metadata';
    case 'cgnat':
      return 'shared address space (RFC 6598)';
    case 'unspecified':
      return 'unspecified (this host)';
    case 'multicast':
      return 'multicast';
    case 'reserved':
      return 'reserved (special-purpose)';
    case 'invalid':
      return 'not a valid address';
  }
}

/**
 * Both allow-lists as one: the operator's (`HOOKYARD_OUTBOUND_ALLOW`) and an organization's own
 * allowance, which lets that organization alone through.
 */
export function combinePolicies(global: OutboundPolicy, own: OutboundPolicy): OutboundPolicy {
  if (own.cidrs.length === 0 && own.hosts.length === 0) return global;
  return {
    cidrs: [...global.cidrs, ...own.cidrs],
    hosts: [...new Set([...global.hosts, ...own.hosts])],
  };
}

/**
 * Reasons no allow-list entry can override: cloud metadata, the unspecified addresses (0.0.0.0/8 and
 * `::` reach the local host) and link-local (169.254.0.0/16 is where metadata services live).
 */
const NEVER_ALLOWED: ReadonlySet<DenyReason> = new Set<DenyReason>([
  'metadata',
  'unspecified',
  'link_local',
]);

function rules(table: readonly (readonly [string, DenyReason])[]): readonly [Cidr, DenyReason][] {
  return table.map(([text, reason]) => {
    const cidr = parseCidr(text);
    if (typeof cidr === 'string') {
      throw new Error(`ip-policy: bad built-in range ${text}: ${cidr}`);
    }
    return [cidr, reason];
  });
}

/** Special-purpose IPv4 ranges, most specific first (first match wins). */
const V4_RULES = rules([
  ['0.0.0.0/8', 'unspecified'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.169.254/32', 'metadata'],
  ['100.100.100.200/32', 'metadata'], // Alibaba Cloud metadata, inside CGNAT space
  ['169.254.0.0/16', 'link_local'],
  ['10.0.0.0/8', 'private'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'reserved'],
  ['192.88.99.0/24', 'reserved'], // deprecated 6to4 relay anycast (RFC 7526)
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'reserved'],
  ['203.0.113.0/24', 'reserved'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'], // includes 255.255.255.255
]);

/** Special-purpose IPv6 ranges, judged after unwrapping embedded IPv4 (first match wins). */
const V6_RULES = rules([
  ['fd00:ec2::254/128', 'metadata'],
  ['fc00::/7', 'private'],
  ['fec0::/10', 'private'], // deprecated site-local
  ['fe80::/10', 'link_local'],
  ['ff00::/8', 'multicast'],
  ['2001::/32', 'reserved'], // Teredo: the IPv4 it carries is obfuscated and reached via a relay
  ['2001:2::/48', 'reserved'], // benchmarking (RFC 5180)
  ['2001:db8::/32', 'reserved'],
  ['3fff::/20', 'reserved'], // documentation (RFC 9637)
  ['5f00::/16', 'reserved'], // SRv6 segment identifiers (RFC 9602)
  ['100::/64', 'reserved'],
  ['64:ff9b:1::/48', 'reserved'], // local-use NAT64 (RFC 8215): embedding varies, refuse outright
  ['::/8', 'reserved'],
]);

/** Global unicast: IPv6 space outside it that the rules above do not judge is reserved by the IETF. */
const GLOBAL_UNICAST: Cidr = { family: 6, base: 0x2000n << 112n, prefix: 3, text: '2000::/3' };

const NAT64_PREFIX = 0x0064_ff9b_0000_0000_0000_0000n; // 64:ff9b::/96, shifted right by 32
const SIXTOFOUR_PREFIX = 0x2002n; // 2002::/16, shifted right by 112

/**
 * The IPv4 address an IPv6 address carries: IPv4-mapped `::ffff:0:0/96`, SIIT `::ffff:0:0:0/96`,
 * IPv4-compatible `::/96` (other than `::` and `::1`), NAT64 `64:ff9b::/96`, 6to4 `2002::/16`.
 */
function embeddedIPv4(value: bigint): Ip | null {
  const high96 = value >> 32n;
  if (high96 === 0xffffn || high96 === 0xffff_0000n || high96 === NAT64_PREFIX) {
    return { family: 4, value: value & V4_MASK };
  }
  if (high96 === 0n && value > 1n) {
    return { family: 4, value: value & V4_MASK };
  }
  if (value >> 112n === SIXTOFOUR_PREFIX) {
    return { family: 4, value: (value >> 80n) & V4_MASK };
  }
  return null;
}

function matchRules(ip: Ip, table: readonly [Cidr, DenyReason][]): DenyReason | null {
  return table.find(([cidr]) => contains(cidr, ip))?.[1] ?? null;
}

function classifyIp(ip: Ip): DenyReason | null {
  if (ip.family === 4) {
    return matchRules(ip, V4_RULES);
  }
  if (ip.value === 0n) {
    return 'unspecified';
  }
  if (ip.value === 1n) {
    return 'loopback';
  }
  const embedded = embeddedIPv4(ip.value);
  if (embedded !== null) {
    return matchRules(embedded, V4_RULES);
  }
  return matchRules(ip, V6_RULES) ?? (contains(GLOBAL_UNICAST, ip) ? null : 'reserved');
}

/**
 * Classifies an IP address: null when it is a public destination, otherwise why it is refused.
 *
 * Accepts dotted-quad IPv4 (strict: no octal, hex or shorthand forms, which are 'invalid') and any IPv6
 * form `node:net` accepts, optionally in brackets or with a zone id. IPv4 carried in IPv6 is unwrapped
 * and judged as IPv4; the rest of `::/8`, Teredo, and everything outside `2000::/3` that is not
 * unique-local, link-local or multicast is 'reserved'.
 */
export function classifyAddress(ip: string): DenyReason | null {
  const parsed = parseIp(ip);
  return parsed === null ? 'invalid' : classifyIp(parsed);
}

function normaliseHost(hostname: string): string {
  const lower = hostname.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * Judges the address actually connected to.
 *
 * Public addresses are allowed. Cloud metadata, unspecified (0.0.0.0/8, `::`) and link-local addresses
 * are denied whatever the policy says. Any other refused address is allowed when a policy CIDR contains
 * it (or the IPv4 address it carries), or when `hostname` (the name that was resolved to it; case and a
 * trailing dot ignored) is one of the policy's host names. Unparseable text is denied as 'invalid'.
 */
export function checkAddress(
  ip: string,
  policy: OutboundPolicy,
  hostname?: string,
): AddressVerdict {
  const parsed = parseIp(ip);
  if (parsed === null) {
    return { allowed: false, reason: 'invalid' };
  }
  const reason = classifyIp(parsed);
  if (reason === null) {
    return ALLOWED;
  }
  if (NEVER_ALLOWED.has(reason)) {
    return { allowed: false, reason };
  }
  const embedded = parsed.family === 6 ? embeddedIPv4(parsed.value) : null;
  const inCidr = policy.cidrs.some(
    (cidr) => contains(cidr, parsed) || (embedded !== null && contains(cidr, embedded)),
  );
  const namedHost = hostname !== undefined && policy.hosts.includes(normaliseHost(hostname));
  return inCidr || namedHost ? ALLOWED : { allowed: false, reason };
}

/** WHATWG "ends in a number": such a host is an IPv4 address in some notation, never a DNS name. */
function endsInANumber(host: string): boolean {
  const labels = host.split('.');
  const last =
    labels[labels.length - 1] === '' ? labels[labels.length - 2] : labels[labels.length - 1];
  return last !== undefined && /^(\d+|0x[0-9a-f]*)$/i.test(last);
}

const LOOPBACK_V4 = '127.0.0.1';

/**
 * Write-time check of a WHATWG-parsed URL's host (for `http:`/`https:` the parser has already turned
 * `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1` into `127.0.0.1` and compressed IPv6 literals).
 *
 * IP literals are judged with {@link checkAddress}. `localhost`, `*.localhost` and the empty host are
 * loopback: allowed only when that host name or 127.0.0.1 is allow-listed. A host that still looks
 * numeric (possible only with non-special schemes) is 'invalid'. Any other host name returns null: it
 * is decided at connect time, on the addresses DNS returns.
 */
export function checkUrlHost(url: URL, policy: OutboundPolicy): AddressVerdict | null {
  const raw = url.hostname;
  if (raw.startsWith('[') || isIPv4(raw)) {
    return checkAddress(raw, policy);
  }
  const host = normaliseHost(raw);
  if (host === '' || host === 'localhost' || host.endsWith('.localhost')) {
    return checkAddress(LOOPBACK_V4, policy, host);
  }
  if (endsInANumber(host)) {
    return { allowed: false, reason: 'invalid' };
  }
  return null;
}

const HOST_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function isHostName(host: string): boolean {
  return host.length <= 253 && host.split('.').every((label) => HOST_LABEL.test(label));
}

/**
 * Parses the operator's allow-list (`HOOKYARD_OUTBOUND_ALLOW`, already split on commas).
 *
 * Each entry is a CIDR (`10.0.0.0/8`, `::1/128`; host bits must be zero), a bare IP address (meaning
 * /32 or /128), or a host name (`localhost`, `hooks.internal`; stored lower-case without a trailing
 * dot). Entries are trimmed; blank entries are skipped; duplicates are kept once.
 *
 * @throws RangeError naming the first bad entry.
 */
export function parseOutboundAllow(entries: readonly string[]): OutboundPolicy {
  const cidrs = new Map<string, Cidr>();
  const hosts = new Set<string>();
  for (const entry of entries) {
    const trimmed = entry.trim();
    if (trimmed === '') {
      continue;
    }
    const looksLikeIp = trimmed.includes('/') || trimmed.includes(':') || endsInANumber(trimmed);
    if (looksLikeIp) {
      const cidr = parseCidr(trimmed);
      if (typeof cidr === 'string') {
        throw new RangeError(`Invalid outbound allow-list entry ${JSON.stringify(entry)}: ${cidr}`);
      }
      cidrs.set(cidr.text, cidr);
      continue;
    }
    const host = normaliseHost(trimmed);
    if (!isHostName(host)) {
      throw new RangeError(
        `Invalid outbound allow-list entry ${JSON.stringify(entry)}: expected a CIDR, an IP address ` +
          `or a host name (no wildcards, ports or schemes)`,
      );
    }
    hosts.add(host);
  }
  return { cidrs: [...cidrs.values()], hosts: [...hosts] };
}

const IPV4_MAPPED: Ip = { family: 6, value: 0xffff_0000_0000n };

/**
 * True when the policy lets every address of a family through: `0.0.0.0/0`, `::/0`, or a range
 * covering all of `::ffff:0:0/96` (every IPv4 address, as mapped on a dual-stack socket). Production
 * refuses to start with such a policy.
 */
export function allowsEverything(policy: OutboundPolicy): boolean {
  return policy.cidrs.some(
    (cidr) => cidr.prefix === 0 || (cidr.prefix <= 96 && contains(cidr, IPV4_MAPPED)),
  );
}

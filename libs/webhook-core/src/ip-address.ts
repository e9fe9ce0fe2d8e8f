/**
 * IP address arithmetic for the SSRF policy (`ip-policy.ts`): addresses as bigints, parsed with
 * `node:net` validation, formatted canonically (RFC 5952 for IPv6), and CIDR networks that contain them.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** One allow-listed network; `base` is the network address with the host bits cleared. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
  /** Canonical `address/prefix` (IPv6 in RFC 5952 form). */
  readonly text: string;
}

/** An address as a number of its family's width. */
export interface Ip {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export const BITS = { 4: 32, 6: 128 } as const;
export const V4_MASK = 0xffff_ffffn;

export function familyBits(family: 4 | 6): bigint {
  return BigInt(BITS[family]);
}

export function parseIPv4(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

/** Parses text that `isIPv6` accepted (zone id already removed). */
export function parseIPv6(text: string): bigint {
  let body = text;
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIPv4(tail);
    body = `${body.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = body.split('::');
  const head = halves[0] === '' || halves[0] === undefined ? [] : halves[0].split(':');
  const rest =
    halves.length < 2 || halves[1] === '' || halves[1] === undefined ? [] : halves[1].split(':');
  const missing = 8 - head.length - rest.length;
  const groups =
    halves.length === 2 ? [...head, ...Array<string>(missing).fill('0'), ...rest] : head;
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(`0x${group}`), 0n);
}

/** Parses an IP address (IPv6 optionally in brackets or with a zone id), or returns null. */
export function parseIp(text: string): Ip | null {
  if (isIPv4(text)) {
    return { family: 4, value: parseIPv4(text) };
  }
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!isIPv6(unbracketed)) {
    return null;
  }
  const zone = unbracketed.indexOf('%');
  return { family: 6, value: parseIPv6(zone === -1 ? unbracketed : unbracketed.slice(0, zone)) };
}

export function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** RFC 5952: lower-case hex, the longest run (two or more) of zero groups compressed, first on ties. */
export function formatIPv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => (value >> BigInt(112 - 16 * i)) & 0xffffn);
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8;) {
    let end = start;
    while (end < 8 && groups[end] === 0n) {
      end += 1;
    }
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end === start ? start + 1 : end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) {
    return hex.join(':');
  }
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

export function formatIp(ip: Ip): string {
  return ip.family === 4 ? formatIPv4(ip.value) : formatIPv6(ip.value);
}

export function contains(cidr: Cidr, ip: Ip): boolean {
  if (cidr.family !== ip.family) {
    return false;
  }
  const hostBits = familyBits(ip.family) - BigInt(cidr.prefix);
  return ip.value >> hostBits === cidr.base >> hostBits;
}

/** Parses `address/prefix` or a bare address; returns an error message instead of throwing. */
export function parseCidr(entry: string): Cidr | string {
  const slash = entry.indexOf('/');
  const addressText = slash === -1 ? entry : entry.slice(0, slash);
  const ip = parseIp(addressText);
  if (ip === null || addressText.includes('%')) {
    return 'not an IP address';
  }
  const bits = BITS[ip.family];
  let prefix: number = bits;
  if (slash !== -1) {
    const prefixText = entry.slice(slash + 1);
    prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix <= bits)) {
      return `prefix must be an integer from 0 to ${bits}`;
    }
  }
  const hostBits = BigInt(bits - prefix);
  const base = (ip.value >> hostBits) << hostBits;
  if (base !== ip.value) {
    return `host bits are set (did you mean ${formatIp({ family: ip.family, value: base })}/${prefix}?)`;
  }
  return { family: ip.family, base, prefix, text: `${formatIp(ip)}/${prefix}` };
}

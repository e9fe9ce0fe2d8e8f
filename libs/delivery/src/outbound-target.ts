import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { checkAddress, describeDenyReason, type OutboundPolicy } from '@hookyard/webhook-core';
import { type OutboundErrorClass } from './outbound-client';

/*
 * Where a delivery may connect: the SSRF-guarded half of the `OutboundClient`. The target a URL
 * names, its addresses resolved and every one checked against the outbound policy, and the lookup
 * that pins the socket to the address that was checked.
 */

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** A parsed delivery URL. */
export interface Target {
  url: URL;
  secure: boolean;
  /** Host name without IPv6 brackets. */
  hostname: string;
  port: number;
  literal: boolean;
}

/**
 * Resolves the target and checks every address. A single denied address refuses the whole target
 * (Hook0 policy), so a mixed public + private answer cannot be used to reach the private one. The
 * refusal names the rule, never the address: it reaches the tenant (API answers, attempt records),
 * and must not tell what a name resolves to inside the network.
 */
export async function resolveTarget(
  target: Target,
  resolveHost: (hostname: string) => Promise<ResolvedAddress[]>,
  policy: OutboundPolicy,
  signal: AbortSignal,
): Promise<ResolvedAddress | { errorClass: OutboundErrorClass; message: string }> {
  let addresses: ResolvedAddress[];
  if (target.literal) {
    addresses = [{ address: target.hostname, family: isIP(target.hostname) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await raceAbort(resolveHost(target.hostname), signal);
    } catch (error) {
      if (signal.aborted) return { errorClass: 'timeout', message: 'deadline expired during DNS' };
      return { errorClass: 'dns', message: `DNS lookup failed: ${describe(error)}` };
    }
  }
  const first = addresses[0];
  if (first === undefined) {
    return { errorClass: 'dns', message: `no address found for ${target.hostname}` };
  }
  const hostname = target.literal ? undefined : target.hostname;
  for (const { address } of addresses) {
    const verdict = checkAddress(address, policy, hostname);
    if (!verdict.allowed) {
      return {
        errorClass: 'ssrf_blocked',
        message: `the destination address is not allowed: ${describeDenyReason(verdict.reason)}`,
      };
    }
  }
  return first;
}

/** `node:dns/promises` `lookup` with `all: true`: every address of `hostname`, as the resolver gave them. */
export async function systemLookup(hostname: string): Promise<ResolvedAddress[]> {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}

/** A lookup that answers the checked address and nothing else. */
export function pinnedLookup({ address, family }: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all === true) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/** The target `raw` names, or why it cannot be sent to. */
export function parseTarget(raw: string): Target | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `unsupported scheme ${url.protocol}`;
  }
  if (url.username !== '' || url.password !== '') return 'credentials in the URL are not allowed';
  const secure = url.protocol === 'https:';
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (hostname === '') return 'URL has no host';
  return {
    url,
    secure,
    hostname,
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    literal: isIP(hostname) !== 0,
  };
}

/** The `code` of a Node or driver error, or empty. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    if (typeof error.code === 'string') return error.code;
  }
  return '';
}

/** An error as one line: its code and message. */
export function describe(error: unknown): string {
  // Duck-typed rather than `instanceof Error`: errors may come from another realm (VM contexts).
  const message =
    typeof error === 'object' && error !== null && 'message' in error
      ? String(error.message).trim()
      : String(error);
  const code = errorCode(error);
  return code !== '' && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (the promise is left to finish). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

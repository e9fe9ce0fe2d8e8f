import { type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { describeDenyReason, EMPTY_POLICY } from '@hookyard/webhook-core';
import { SSRF_DNS, SSRF_LITERALS, scriptedResolver, ssrfUrl } from '@hookyard/webhook-core/testing';
import { parseTarget, pinnedLookup, resolveTarget, type Target } from './outbound-target';

// Catalogue rows S1–S4 (docs/reliability.md) at connect time, without a socket: which address a
// target resolves to, and that the lookup handed to the socket answers that address and no other.

const PORT = 8080;
const live = (): AbortSignal => new AbortController().signal;

function target(url: string): Target {
  const parsed = parseTarget(url);
  if (typeof parsed === 'string') throw new Error(`${url}: ${parsed}`);
  return parsed;
}

const unbracket = (host: string): string => (host.startsWith('[') ? host.slice(1, -1) : host);

describe('resolveTarget over the SSRF catalogue, empty allow-list', () => {
  const literals = SSRF_LITERALS.filter(
    (row) => row.parsed !== null && isIP(unbracket(row.parsed)) !== 0,
  );

  it.each(literals.map((row) => [row.host, row.expect] as const))(
    'judges the literal %s without a lookup (%s)',
    async (host, expect_) => {
      const resolver = scriptedResolver([]);
      const url = target(ssrfUrl(host, 'http', PORT));
      expect(url.literal).toBe(true);
      const resolved = await resolveTarget(url, resolver.lookup, EMPTY_POLICY, live());
      if (expect_ === null) {
        expect(resolved).toEqual({ address: url.hostname, family: isIP(url.hostname) });
      } else {
        expect(resolved).toEqual({
          errorClass: 'ssrf_blocked',
          message: `the destination address is not allowed: ${describeDenyReason(expect_)}`,
        });
      }
      expect(resolver.calls(url.hostname)).toBe(0);
    },
  );

  it.each(SSRF_LITERALS.filter((row) => row.parsed === null).map((row) => [row.host] as const))(
    'refuses %s as an invalid URL',
    (host) => {
      expect(parseTarget(ssrfUrl(host, 'http', PORT))).toBe('invalid URL');
    },
  );

  it.each(
    SSRF_LITERALS.filter((row) => row.group === 'loopback names').map((row) => [row.host] as const),
  )('refuses the loopback name %s on the address it resolves to', async (host) => {
    const url = target(ssrfUrl(host, 'http', PORT));
    const resolver = scriptedResolver([{ name: url.hostname, answers: [['127.0.0.1']] }]);
    expect(await resolveTarget(url, resolver.lookup, EMPTY_POLICY, live())).toEqual({
      errorClass: 'ssrf_blocked',
      message: 'the destination address is not allowed: loopback',
    });
  });

  it.each(SSRF_DNS.map((row) => [row.name, row.answers, row.expect] as const))(
    '%s answering %j: %s, after one lookup',
    async (name, answers, expect_) => {
      const resolver = scriptedResolver(SSRF_DNS);
      const url = target(ssrfUrl(name, 'https', PORT));
      const resolved = await resolveTarget(url, resolver.lookup, EMPTY_POLICY, live());
      const first = answers[0]?.[0] ?? '';
      if (expect_ === null) {
        expect(resolved).toEqual({ address: first, family: isIP(first) });
      } else {
        expect(resolved).toMatchObject({
          errorClass: 'ssrf_blocked',
          message: `the destination address is not allowed: ${describeDenyReason(expect_)}`,
        });
        for (const address of answers.flat())
          expect(JSON.stringify(resolved)).not.toContain(address);
      }
      expect(resolver.calls(name)).toBe(1);
    },
  );

  it('X5 names the rule that refused a mixed answer, never an address', async () => {
    const resolver = scriptedResolver(SSRF_DNS);
    const resolved = await resolveTarget(
      target('https://mixed.test/'),
      resolver.lookup,
      EMPTY_POLICY,
      live(),
    );
    expect(resolved).toEqual({
      errorClass: 'ssrf_blocked',
      message: 'the destination address is not allowed: loopback',
    });
  });
});

describe('pinnedLookup', () => {
  it('answers the checked address for single and all lookups, whatever the name', async () => {
    const lookup = pinnedLookup({ address: '93.184.216.34', family: 4 });
    const single = await new Promise<[string, number]>((resolve, reject) =>
      lookup('rebind.test', {}, (error, address, family) =>
        error ? reject(error) : resolve([address as string, family ?? 0]),
      ),
    );
    expect(single).toEqual(['93.184.216.34', 4]);
    const all = await new Promise<LookupAddress[]>((resolve, reject) =>
      lookup('other.test', { all: true }, (error, addresses) =>
        error ? reject(error) : resolve(addresses as unknown as LookupAddress[]),
      ),
    );
    expect(all).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });
});

import { outboundAllowErrors } from './outbound-allow.util';

describe('outboundAllowErrors', () => {
  it('takes what HOOKYARD_OUTBOUND_ALLOW takes: CIDRs, addresses and host names', () => {
    expect(
      outboundAllowErrors(['10.0.0.0/8', '127.0.0.1', '::1/128', 'hooks.internal', 'localhost']),
    ).toEqual([]);
  });

  it.each([
    ['a CIDR with host bits', '10.0.0.1/8'],
    ['a wildcard', '*.internal'],
    ['a URL', 'http://10.0.0.1/'],
    ['a port', '10.0.0.1:80'],
    ['every IPv4 address', '0.0.0.0/0'],
    ['every IPv6 address', '::/0'],
    ['a blank entry', ' '],
  ])('refuses %s, naming the entry by its index', (_case, entry) => {
    expect(outboundAllowErrors(['127.0.0.1', entry])).toEqual([
      { path: 'outboundAllow[1]', message: expect.any(String), code: 'VALIDATION_FAILED' },
    ]);
  });
});

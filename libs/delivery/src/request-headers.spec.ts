import { deliveryHeaders } from './request-headers';

const endpoint = {
  headers: { 'X-Team': 'billing', 'X-Hookyard-Test': 'false' },
  authType: 'none' as const,
  authUsername: null,
  authHeaderName: null,
};
const signature = { 'webhook-id': 'msg_1', 'webhook-signature': 'v1,x' };

describe('deliveryHeaders', () => {
  it('X4 marks a test send with X-Hookyard-Test: true, over any custom header of that name', () => {
    const headers = deliveryHeaders(endpoint, null, signature, true);
    const marker = Object.entries(headers).filter(([name]) => /^x-hookyard-test$/i.test(name));
    expect(marker).toEqual([['x-hookyard-test', 'true']]);
    expect(headers).toMatchObject({ 'X-Team': 'billing', ...signature });
  });

  it('X4 never marks a real delivery, even when a stored custom header names the marker', () => {
    const headers = deliveryHeaders(endpoint, null, signature);
    expect(Object.keys(headers).map((name) => name.toLowerCase())).not.toContain('x-hookyard-test');
    expect(headers).toMatchObject({ 'X-Team': 'billing' });
  });
});

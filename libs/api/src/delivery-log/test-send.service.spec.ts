import { type OutboundResult } from '@hookyard/delivery';
import { resultOf } from './test-send.service';

const response = (publicAddress: boolean): OutboundResult => ({
  kind: 'response',
  status: 201,
  headers: { 'x-internal': 'secret-ish' },
  bodyExcerpt: '{"internal":true}',
  bodyBytes: 17,
  truncated: false,
  durationMs: 12.4,
  publicAddress,
});

describe('resultOf', () => {
  it('X5 keeps the headers and body excerpt of a public receiver', () => {
    expect(resultOf(response(true))).toEqual({
      success: true,
      status: 201,
      durationMs: 12,
      headers: { 'x-internal': 'secret-ish' },
      body: '{"internal":true}',
    });
  });

  it('X5 shows only status and timing from an address an allow-list let through', () => {
    expect(resultOf(response(false))).toEqual({ success: true, status: 201, durationMs: 12 });
  });

  it('keeps the class and message of a failed request', () => {
    expect(
      resultOf({ kind: 'error', errorClass: 'timeout', message: 'late', durationMs: 3000.2 }),
    ).toEqual({ success: false, durationMs: 3000, error: { class: 'timeout', message: 'late' } });
  });
});

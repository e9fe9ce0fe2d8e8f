import { type NextFunction, type Request, type Response } from 'express';
import { ApiError, ErrorCode } from './api-error';
import { verifyJsonBody } from './json-depth.util';
import { refuseUnsupportedText, unsupportedTextPath } from './unsupported-text.util';

describe('unsupportedTextPath', () => {
  it('X12 names the first string holding NUL or an unpaired surrogate, by its path', () => {
    expect(unsupportedTextPath({ data: { title: 'a\u0000b' } })).toBe('data.title');
    expect(unsupportedTextPath({ name: '\ud800' })).toBe('name');
    expect(unsupportedTextPath({ name: 'tail \udfff' })).toBe('name');
    expect(
      unsupportedTextPath({ events: [{ data: {} }, { data: { a: ['ok', 'x\ud800y'] } }] }),
    ).toBe('events.1.data.a.1');
    expect(unsupportedTextPath('\u0000')).toBe('body');
  });

  it('X12 names a key at fault with U+FFFD in place of the character', () => {
    expect(unsupportedTextPath({ data: { 'a\u0000': 1 } })).toBe('data.a\ufffd');
    expect(unsupportedTextPath({ headers: { '\udc00X': 'v' } })).toBe('headers.\ufffdX');
  });

  it('X12 passes clean values: surrogate pairs, other control characters, non-strings', () => {
    expect(
      unsupportedTextPath({
        emoji: '😀\ud83d\ude00',
        tab: '\t\u0001',
        n: 1,
        b: true,
        nothing: null,
        list: [[], {}, 'é'],
      }),
    ).toBeNull();
    expect(unsupportedTextPath(undefined)).toBeNull();
  });
});

describe('refuseUnsupportedText', () => {
  const run = (request: Partial<Request>): unknown => {
    let passed: unknown = 'not called';
    const next: NextFunction = (error?: unknown) => {
      passed = error;
    };
    refuseUnsupportedText(request as Request, {} as Response, next);
    return passed;
  };
  const refusal = (path: string) =>
    expect.objectContaining({
      code: ErrorCode.UNSUPPORTED_TEXT,
      errors: [{ path, message: expect.any(String) }],
    });

  it('X12 refuses a body the JSON scan marked, naming the field', () => {
    const raw = '{"name":"a\\u0000"}';
    const request = { url: '/v1/api-keys', body: JSON.parse(raw), query: {} };
    verifyJsonBody()(request, {}, Buffer.from(raw), 'utf-8');
    const error = run(request);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toEqual(refusal('name'));
  });

  it('X12 does not walk a body the scan found clean', () => {
    const raw = '{"name":"fine"}';
    const request = { url: '/v1/api-keys', body: { name: 'a\u0000' }, query: {} };
    verifyJsonBody()(request, {}, Buffer.from(raw), 'utf-8');
    expect(run(request)).toBeUndefined();
  });

  it('X12 walks a UTF-16 body whatever the scan saw', () => {
    const raw = '{"name":"a"}';
    const request = { url: '/v1/api-keys', body: { name: '\ud800' }, query: {} };
    verifyJsonBody()(request, {}, Buffer.from(raw, 'utf16le'), 'utf-16le');
    expect(run(request)).toEqual(refusal('name'));
  });

  it('X12 refuses %00 in a query parameter by its name, and in the path as `path`', () => {
    expect(
      run({ url: '/v1/endpoints?limit=1&cursor=a%00', query: { limit: '1', cursor: 'a\u0000' } }),
    ).toEqual(refusal('cursor'));
    expect(run({ url: '/v1/endpoints/a%00b', query: {} })).toEqual(refusal('path'));
    expect(run({ url: '/v1/endpoints?cursor=%2500', query: { cursor: '%00' } })).toBeUndefined();
    expect(run({ url: '/v1/endpoints', query: {} })).toBeUndefined();
  });
});

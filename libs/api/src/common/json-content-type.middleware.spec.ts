import { type Request, type Response } from 'express';
import { ApiError, ErrorCode } from './api-error';
import { requireJsonBody } from './json-content-type.middleware';

/** A request as Express presents it: `is` answers like type-is over the Content-Type header. */
function request(method: string, headers: Record<string, string>): Request {
  const type = headers['content-type'];
  return {
    method,
    headers,
    is: () => (type === undefined ? false : type.startsWith('application/json') ? type : false),
  } as unknown as Request;
}

function run(req: Request): unknown {
  let passed: unknown = 'not called';
  requireJsonBody(req, {} as Response, (error?: unknown) => (passed = error));
  return passed;
}

describe('requireJsonBody', () => {
  it.each([
    ['text/plain', { 'content-type': 'text/plain', 'content-length': '2' }],
    ['a form', { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '3' }],
    ['no Content-Type', { 'transfer-encoding': 'chunked' }],
  ])('refuses a POST body sent as %s with 415 UNSUPPORTED_MEDIA_TYPE', (_, headers) => {
    const error = run(request('POST', headers));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: ErrorCode.UNSUPPORTED_MEDIA_TYPE });
  });

  it.each([
    ['a JSON body', 'PATCH', { 'content-type': 'application/json', 'content-length': '2' }],
    ['a bodiless POST', 'POST', { 'content-type': 'text/plain', 'content-length': '0' }],
    ['a POST without body headers', 'POST', {}],
    ['a GET', 'GET', { 'content-type': 'text/plain', 'content-length': '2' }],
  ])('lets %s through', (_, method, headers) => {
    expect(run(request(method, headers))).toBeUndefined();
  });
});

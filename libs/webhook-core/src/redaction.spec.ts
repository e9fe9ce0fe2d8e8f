import { REDACTED, redactHeaders } from './redaction';

describe('header redaction', () => {
  it('replaces auth-like values and keeps the rest', () => {
    const redacted = redactHeaders({
      Authorization: 'Basic abc',
      'X-Api-Key': 'k1',
      'X-Auth-Token': 't1',
      'X-Signing-Secret': 's1',
      'X-Team': 'blue',
      'webhook-id': 'msg_1',
    });
    expect(redacted).toEqual({
      Authorization: REDACTED,
      'X-Api-Key': REDACTED,
      'X-Auth-Token': REDACTED,
      'X-Signing-Secret': REDACTED,
      'X-Team': 'blue',
      'webhook-id': 'msg_1',
    });
  });

  it('also redacts the names it is given, whatever their case', () => {
    expect(redactHeaders({ 'X-Receiver': 'v', Other: 'o' }, ['x-receiver', null])).toEqual({
      'X-Receiver': REDACTED,
      Other: 'o',
    });
  });

  it('does not change its input', () => {
    const headers = { Authorization: 'Bearer x' };
    redactHeaders(headers);
    expect(headers).toEqual({ Authorization: 'Bearer x' });
  });
});

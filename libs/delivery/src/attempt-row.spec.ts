import { attemptRow, type AttemptOf } from './attempt-row';

const of: AttemptOf = {
  id: 'a'.repeat(24),
  endpointId: 'e'.repeat(24),
  deliveryId: 'd'.repeat(24),
  eventId: 'v'.repeat(24),
  trigger: 'scheduled',
  createdAt: new Date('2024-05-01T12:00:00.000Z'),
};
const headers = { 'webhook-id': 'msg_1' };

function response(status: number) {
  return {
    kind: 'response' as const,
    status,
    headers: {},
    bodyExcerpt: 'body',
    bodyBytes: 4,
    truncated: false,
    durationMs: 12.6,
    publicAddress: true,
  };
}

describe('attemptRow', () => {
  it('records a 2xx response with its status, excerpt and rounded duration, and no error', () => {
    expect(attemptRow(of, response(204), headers)).toEqual({
      ...of,
      statusCode: 204,
      durationMs: 13,
      errorClass: null,
      errorMessage: null,
      responseExcerpt: 'body',
      requestHeaders: headers,
    });
  });

  it('replaces NUL in a binary excerpt and an error message, which PostgreSQL text cannot store', () => {
    const binary = { ...response(200), bodyExcerpt: '\u001f\u008b\u0000\u0000gz' };
    expect(attemptRow(of, binary, headers).responseExcerpt).toBe('\u001f\u008b\uFFFD\uFFFDgz');
    const error = {
      kind: 'error' as const,
      errorClass: 'protocol' as const,
      message: 'a\u0000b',
      durationMs: 1,
    };
    expect(attemptRow(of, error, headers).errorMessage).toBe('a\uFFFDb');
  });

  it.each([302, 410, 500])('records a %d response as the error class http_status', (status) => {
    expect(attemptRow(of, response(status), headers)).toMatchObject({
      statusCode: status,
      errorClass: 'http_status',
      errorMessage: null,
      responseExcerpt: 'body',
    });
  });

  it('records a failed request with its class and message, and no status or excerpt', () => {
    const row = attemptRow(
      { ...of, deliveryId: null, eventId: null, trigger: 'test' },
      {
        kind: 'error',
        errorClass: 'timeout',
        message: 'timed out after 5000 ms',
        durationMs: 5000.4,
      },
      {},
    );
    expect(row).toEqual({
      ...of,
      deliveryId: null,
      eventId: null,
      trigger: 'test',
      statusCode: null,
      durationMs: 5000,
      errorClass: 'timeout',
      errorMessage: 'timed out after 5000 ms',
      responseExcerpt: null,
      requestHeaders: {},
    });
  });
});

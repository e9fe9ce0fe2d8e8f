import { ErrorCode } from './api-error';
import { toApiError } from './to-api-error';

const withCode = (code: string, message = 'db error') =>
  Object.assign(new Error(message), { code });

describe('toApiError: database failures', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a broken pipe', withCode('EPIPE')],
    ['admin shutdown (57P01)', withCode('57P01')],
    ['crash shutdown (57P02)', withCode('57P02')],
    ['cannot connect now (57P03)', withCode('57P03')],
    ['a connection failure (08006)', withCode('08006')],
    ['too many connections (53300)', withCode('53300')],
    [
      'a driver error wrapped by TypeORM (08003)',
      Object.assign(new Error('query failed'), { driverError: { code: '08003' } }),
    ],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    [
      'a transaction whose connection was lost before its rollback',
      Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), {
        name: 'QueryRunnerAlreadyReleasedError',
      }),
    ],
    [
      'a client a lost connection left unusable',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
  ])('answers %s with 503 UNAVAILABLE', (_, error) => {
    expect(toApiError(error).code).toBe(ErrorCode.UNAVAILABLE);
  });

  it('answers a foreign key violation with 409, and anything else with 500', () => {
    expect(toApiError(withCode('23503')).code).toBe(ErrorCode.CONFLICT);
    expect(toApiError(withCode('23505')).code).toBe(ErrorCode.INTERNAL);
    expect(toApiError(withCode('42P01')).code).toBe(ErrorCode.INTERNAL);
    expect(toApiError(new Error('boom')).code).toBe(ErrorCode.INTERNAL);
  });
});

import { Writable } from 'node:stream';
import { type HookyardConfig } from '@hookyard/config';
import { QueryFailedError } from 'typeorm';
import { censorFields, censorHeaders, chooseLogFormat, createLogger, REDACTED } from './logging';
import { lineOf, PinoLoggerService } from './pino-logger.service';

/** A destination that keeps what pino (or pino-pretty) writes; writes are synchronous. */
function capture() {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const settings = (
  logLevel: HookyardConfig['logLevel'] = 'debug',
  logFormat: HookyardConfig['logFormat'] = 'json',
) => ({ logLevel, logFormat });

describe('log redaction', () => {
  /** Every value below is a canary that must not reach a log line. */
  const headers = {
    authorization: 'Bearer canary-authorization',
    cookie: 'session=canary-cookie',
    'set-cookie': 'session=canary-set-cookie',
    'x-api-key': 'canary-x-api-key',
    'x-auth-token': 'canary-token-header',
    'webhook-signature': 'v1,canary-signature-header',
    'x-client-secret': 'canary-secret-header',
    'x-password': 'canary-password-header',
    'x-receiver-key': 'canary-key-header',
    'content-type': 'application/json',
  };
  const fields = {
    secret: 'canary-secret-field',
    secrets: ['canary-secrets-field'],
    password: 'canary-password-field',
    apiKey: 'canary-apiKey-field',
    api_key: 'canary-api_key-field',
    signingSecret: 'canary-signingSecret-field',
    token: 'canary-token-field',
    key: 'canary-key-field',
  };

  it('censors every secret-like header and field, at the top and nested, and keeps the rest', () => {
    const out = capture();
    const logger = createLogger(settings(), out);
    logger.info(
      {
        ...fields,
        endpoint: { ...fields, auth: { ...fields } },
        headers,
        requestHeaders: headers,
        responseHeaders: headers,
        req: { method: 'POST', url: '/v1/events', headers },
        res: { statusCode: 202, headers },
        request: { headers },
        response: { headers },
        params: [{ password: 'canary-in-an-array' }, 'kept'],
        eventId: 'evt_kept',
      },
      'everything',
    );
    const text = out.text();
    expect(text).not.toMatch(/canary/);
    const [line] = out.lines();
    expect(line).toMatchObject({
      ...Object.fromEntries(Object.keys(fields).map((f) => [f, REDACTED])),
      endpoint: { secret: REDACTED, auth: { apiKey: REDACTED, key: REDACTED } },
      req: { method: 'POST', url: '/v1/events', headers: { authorization: REDACTED } },
      params: [{ password: REDACTED }, 'kept'],
      eventId: 'evt_kept',
      msg: 'everything',
    });
    for (const at of [
      line['headers'],
      line['requestHeaders'],
      (line['res'] as { headers: unknown }).headers,
    ]) {
      expect(at).toEqual({
        ...Object.fromEntries(Object.keys(headers).map((h) => [h, REDACTED])),
        'content-type': 'application/json',
      });
    }
  });

  it('censors the fixed header names even in a header object no serializer sees', () => {
    const out = capture();
    createLogger(settings(), out).warn({
      attempt: { headers: { authorization: 'Basic canary', 'x-api-key': 'canary', accept: '*/*' } },
    });
    expect(out.lines()[0]).toMatchObject({
      attempt: { headers: { authorization: REDACTED, 'x-api-key': REDACTED, accept: '*/*' } },
    });
  });

  it('censors secret fields three levels below the logged object, and leaves a fourth level as it is', () => {
    const deep = { a: { b: { c: { secret: 'canary-3' }, secret: 'canary-2' } } };
    expect(censorFields(deep)).toEqual({
      a: { b: { c: { secret: REDACTED }, secret: REDACTED } },
    });
    const deeper = { a: { b: { c: { d: { secret: 'kept-4' } } } } };
    expect(censorFields(deeper)).toBe(deeper); // the documented limit: nothing copied, nothing censored
  });

  it('logs an error as its type, message, stack and code only: a failed query never prints its parameters', () => {
    const canary = 'whsec_canaryParameterSecret';
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
      detail: `Key (secret)=(${canary}) already exists.`,
    });
    const failed = new QueryFailedError(
      'INSERT INTO endpoint_secrets (secret_enc) VALUES ($1)',
      [canary],
      driverError,
    );
    const out = capture();
    const pinoLogger = createLogger(settings(), out);
    const nest = new PinoLoggerService(pinoLogger, 'Hookyard');
    pinoLogger.error(failed); // pino's own error key
    pinoLogger.error({ err: failed, msg: 'as err' });
    nest.error(failed); // the NestJS Logger path (lineOf puts it under err)
    nest.warn({ msg: 'nested', cause: { error: failed } });
    nest.error('in params', { reason: failed }, 'DeliveryWorker');
    pinoLogger.child({ err: failed }).info('bound'); // a child logger's bindings
    expect(out.text()).not.toContain(canary);
    expect(out.text()).not.toContain('INSERT INTO');
    const lines = out.lines();
    expect(lines).toHaveLength(6);
    const logged = {
      type: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint',
      stack: expect.stringContaining('QueryFailedError'),
      code: '23505',
    };
    for (const line of [lines[0], lines[1], lines[2], lines[5]])
      expect(line?.['err']).toEqual(logged);
    expect(lines[3]).toMatchObject({ cause: { error: logged } });
    expect(lines[4]).toMatchObject({ params: [{ reason: logged }] });
  });

  it('leaves what is not a header object alone', () => {
    expect(censorHeaders(null)).toBeNull();
    expect(censorHeaders('text')).toBe('text');
    expect(censorHeaders({ Accept: 'x', 'X-Webhook-Token': 'y' })).toEqual({
      Accept: 'x',
      'X-Webhook-Token': REDACTED,
    });
  });
});

describe('log format and level', () => {
  it.each([
    ['json', false, 'json'],
    ['json', true, 'json'],
    ['pretty', false, 'pretty'],
    ['auto', true, 'pretty'],
    ['auto', false, 'json'],
  ] as const)('HOOKYARD_LOG_FORMAT=%s on a TTY=%s writes %s', (format, isTty, expected) => {
    expect(chooseLogFormat(format, isTty)).toBe(expected);
  });

  it('writes one JSON object per line with the level as its label, epoch-ms time and msg', () => {
    const out = capture();
    const before = Date.now();
    createLogger(settings('info', 'auto'), { ...out, isTty: false }).warn({ a: 1 }, 'careful');
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 'warn', a: 1, msg: 'careful' });
    expect(line['time']).toBeGreaterThanOrEqual(before);
  });

  it('writes pino-pretty text with the context for a person at a terminal', () => {
    const out = capture();
    const logger = new PinoLoggerService(
      createLogger(settings('info', 'auto'), { ...out, isTty: true }),
    );
    logger.warn('endpoint slow', 'DeliveryWorker');
    expect(out.text()).toMatch(/WARN.*\[DeliveryWorker\] endpoint slow/);
    expect(() => JSON.parse(out.text())).toThrow();
  });

  it('drops lines below the level, and every line when silent', () => {
    const out = capture();
    const info = createLogger(settings('info'), out);
    info.debug('hidden');
    info.info('shown');
    createLogger(settings('silent'), out).error('hidden too');
    expect(out.lines().map((l) => l['msg'])).toEqual(['shown']);
  });
});

describe('the NestJS logger over pino', () => {
  it('takes the context NestJS puts last, a stack, and an object message as fields', () => {
    expect(lineOf('started', ['Hookyard'])).toEqual({
      fields: { context: 'Hookyard' },
      msg: 'started',
    });
    const stack = 'Error: boom\n    at main (main.js:1:1)';
    expect(lineOf('failed', [stack, 'DeliveryWorker'])).toEqual({
      fields: { context: 'DeliveryWorker', stack },
      msg: 'failed',
    });
    expect(lineOf('failed', [undefined, 'DeliveryWorker'])).toEqual({
      fields: { context: 'DeliveryWorker' },
      msg: 'failed',
    });
    expect(lineOf({ msg: 'delivery attempt', deliveryId: 'del_1' }, ['DeliveryWorker'])).toEqual({
      fields: { context: 'DeliveryWorker', deliveryId: 'del_1' },
      msg: 'delivery attempt',
    });
    expect(lineOf('x', [{ n: 1 }], 'Hookyard')).toEqual({
      fields: { context: 'Hookyard', params: [{ n: 1 }] },
      msg: 'x',
    });
  });

  it('writes each level at its pino label, verbose as trace', () => {
    const out = capture();
    const logger = new PinoLoggerService(createLogger(settings('debug'), out), 'Hookyard');
    logger.log('a');
    logger.warn('b', 'Retention');
    logger.error(new Error('c'));
    logger.debug({ msg: 'd', eventId: 'evt_1' });
    logger.verbose('e');
    expect(out.lines().map(({ level, context, msg }) => ({ level, context, msg }))).toEqual([
      { level: 'info', context: 'Hookyard', msg: 'a' },
      { level: 'warn', context: 'Retention', msg: 'b' },
      { level: 'error', context: 'Hookyard', msg: 'c' },
      { level: 'debug', context: 'Hookyard', msg: 'd' },
    ]);
    expect(out.lines()[2]).toMatchObject({ err: { type: 'Error', message: 'c' } });
    expect(out.lines()[3]).toMatchObject({ eventId: 'evt_1' });
  });
});

import { Writable } from 'node:stream';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { attemptLogLine, attemptSpanOutcome, deliveryLogFields } from './delivery-telemetry';
import { createProcessLogger } from './process.util';

const DELIVERY = {
  id: 'del_1',
  organizationId: 'org_1',
  endpointId: 'ep_1',
  eventId: 'evt_1',
};
const IDS = { organizationId: 'org_1', endpointId: 'ep_1', eventId: 'evt_1', deliveryId: 'del_1' };

const response = (status: number) =>
  ({
    kind: 'response',
    status,
    headers: {},
    bodyExcerpt: '',
    bodyBytes: 0,
    truncated: false,
    durationMs: 12.4,
    publicAddress: true,
  }) as const;

describe('delivery log lines and spans', () => {
  it('names a delivery by the four ids of the contract', () => {
    expect(deliveryLogFields(DELIVERY)).toEqual(IDS);
  });

  it('describes a recorded attempt: status, outcome and duration, the error class when no response came', () => {
    expect(attemptLogLine({ delivery: DELIVERY, result: response(200) }, 'success')).toEqual({
      msg: 'delivery attempt',
      ...IDS,
      statusCode: 200,
      outcome: 'success',
      durationMs: 12,
    });
    expect(
      attemptLogLine(
        {
          delivery: DELIVERY,
          result: { kind: 'error', errorClass: 'timeout', message: 'took 5 s', durationMs: 5000 },
        },
        'retry',
      ),
    ).toMatchObject({ statusCode: null, outcome: 'retry', errorClass: 'timeout' });
  });

  it('marks an attempt span failed unless a 2xx came', () => {
    expect(attemptSpanOutcome(response(204))).toEqual({
      attributes: { 'http.response.status_code': 204 },
    });
    expect(attemptSpanOutcome(response(503))).toEqual({
      attributes: { 'http.response.status_code': 503 },
      error: 'HTTP 503',
    });
    expect(
      attemptSpanOutcome({
        kind: 'error',
        errorClass: 'dns',
        message: 'no such host',
        durationMs: 1,
      }),
    ).toEqual({ error: 'dns: no such host' });
  });

  it("writes the engine's NestJS Logger calls as JSON lines with context and the ids as fields", () => {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    const processLogger = createProcessLogger(
      { logLevel: 'debug', logFormat: 'auto' },
      { stream, isTty: false },
    );
    try {
      const engine = new Logger('DeliveryWorker');
      engine.debug(attemptLogLine({ delivery: DELIVERY, result: response(500) }, 'retry'));
      engine.warn({ msg: 'try not recorded', ...deliveryLogFields(DELIVERY) });
      processLogger.log('delivery worker started');
    } finally {
      // createProcessLogger made it NestJS's global logger: give the other tests Nest's own back.
      Logger.overrideLogger(new ConsoleLogger());
    }
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'debug',
        context: 'DeliveryWorker',
        msg: 'delivery attempt',
        ...IDS,
        statusCode: 500,
        outcome: 'retry',
      }),
      expect.objectContaining({ level: 'warn', context: 'DeliveryWorker', ...IDS }),
      expect.objectContaining({
        level: 'info',
        context: 'Hookyard',
        msg: 'delivery worker started',
      }),
    ]);
  });
});

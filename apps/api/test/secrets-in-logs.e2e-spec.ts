import { Webhook } from 'standardwebhooks';
import {
  CapturingLogger,
  DELIVERY_ENV,
  type EndpointCreated,
  endpointBody,
  eventually,
  startTestApp,
  type TestApp,
} from './harness';
import {
  captureOutput,
  type CapturedOutput,
  type ChildOutput,
  jsonLines,
  type LogLine,
} from './json-logs';
import { type Receipt, Receiver } from './receiver';
import { type BuiltApps, startBuiltApps, stopBuiltApps } from './worker-process';

describe('secrets and logs', () => {
  const logger = new CapturingLogger();
  let t: TestApp;
  let receiver: Receiver;
  /** A copy of everything written to stdout and stderr (a logger that bypasses `logger` ends up here). */
  let written: CapturedOutput | undefined;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    // The API and a delivery worker in one process, both logging through `logger`.
    t = await startTestApp(DELIVERY_ENV, { worker: true, logger });
    written = captureOutput();
  });

  afterAll(async () => {
    written?.restore();
    await t?.close();
    await receiver?.stop();
  });

  /** Everything the app and the worker logged or printed so far. */
  const everythingLogged = () => [...logger.lines, written?.text() ?? ''].join('\n');

  it('K3 never logs a signing secret, an outbound password or an API key across create and rotate', async () => {
    const { apiKey } = await t.createOrganization();
    const mySecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const created = await t.request('POST', '/v1/endpoints', {
      key: apiKey,
      body: endpointBody({
        secret: mySecret,
        authentication: { type: 'basic', username: 'bob', password: 'CanaryPassw0rd' },
      }),
    });
    expect(created.status).toBe(201);
    const rotated = await t.request('POST', `/v1/endpoints/${created.body.id}/secret/rotate`, {
      key: apiKey,
      body: {},
    });
    expect(rotated.status).toBe(200);
    const apiKeyCreated = await t.request('POST', '/v1/api-keys', {
      key: apiKey,
      body: { name: 'x', permissions: ['*'] },
    });
    const refused = await t.request('POST', '/v1/endpoints', {
      key: apiKey,
      body: endpointBody({ url: 'http://10.0.0.1/', secret: mySecret }),
    });
    expect(refused.status).toBe(400); // a refused request with the secret in its body

    const everything = everythingLogged();
    expect(logger.lines.some((line) => line.includes(created.body.id))).toBe(true);
    for (const secret of [
      mySecret,
      rotated.body.secret,
      'CanaryPassw0rd',
      apiKey,
      apiKeyCreated.body.key,
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('K3 never logs a signing secret, a password or an API key while the worker signs and sends with them', async () => {
    const { apiKey } = await t.createOrganization();
    const endpointAt = async (path: string, overrides: Record<string, unknown>) => {
      const created = await t.request('POST', '/v1/endpoints', {
        key: apiKey,
        body: endpointBody({ url: receiver.url(path), ...overrides }),
      });
      expect(created.status).toBe(201);
      return created.body as EndpointCreated;
    };
    const ownSecret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const basic = await endpointAt('/ok?basic-in-logs', {
      secret: ownSecret,
      authentication: { type: 'basic', username: 'carol', password: 'CanaryBasicPw7' },
    });
    const rotated = await t.request('POST', `/v1/endpoints/${basic.id}/secret/rotate`, {
      key: apiKey,
      body: { gracePeriodSeconds: 3600 },
    });
    expect(rotated.status).toBe(200); // deliveries to `basic` are signed with both secrets
    const keyed = await endpointAt('/ok?api-key-in-logs', {
      authentication: { type: 'api_key', headerName: 'X-Receiver-Key', apiKey: 'CanaryHeaderKey7' },
    });
    // Its signing secret decrypts and its password does not: the worker logs the try it cannot prepare.
    const broken = await endpointAt('/ok?unpreparable-in-logs', {
      authentication: { type: 'basic', username: 'dave', password: 'CanaryBrokenPw7' },
    });
    await t.dataSource.query(
      `UPDATE endpoints SET auth_secret_enc = 'v9:not-a-ciphertext' WHERE id = $1`,
      [broken.id],
    );

    const published = await t.request('POST', '/v1/events', {
      key: apiKey,
      body: { topic: 'post.created', data: { id: 'secrets-in-logs' } },
    });
    expect(published.body).toMatchObject({ deliveries: 3 });
    const tested = await t.request('POST', `/v1/endpoints/${keyed.id}/test`, {
      key: apiKey,
      body: {},
    });
    expect(tested.body).toMatchObject({ success: true, status: 200 }); // the API signs and sends too

    const delivered = (path: string): Receipt | undefined =>
      receiver.receipts(path).find((r) => r.webhookId === published.body.id);
    await receiver.waitFor(
      () => !!delivered('/ok?basic-in-logs') && !!delivered('/ok?api-key-in-logs'),
    );
    const toBasic = delivered('/ok?basic-in-logs')!;
    const toKeyed = delivered('/ok?api-key-in-logs')!;
    expect(toBasic.headers['authorization']).toBe(
      `Basic ${Buffer.from('carol:CanaryBasicPw7').toString('base64')}`,
    );
    expect(toKeyed.headers['x-receiver-key']).toBe('CanaryHeaderKey7');
    for (const [receipt, secret] of [
      [toBasic, ownSecret],
      [toBasic, rotated.body.secret as string],
      [toKeyed, keyed.secret],
    ] as const) {
      expect(() =>
        new Webhook(secret).verify(receipt.body, receipt.headers as Record<string, string>),
      ).not.toThrow();
    }
    const [{ id: brokenDelivery }] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM deliveries WHERE endpoint_id = $1`,
      [broken.id],
    );
    await eventually(() =>
      expect(
        logger.lines.some(
          (line) => line.includes('ResultRecorder') && line.includes(brokenDelivery),
        ),
      ).toBe(true),
    );
    expect(receiver.receipts('/ok?unpreparable-in-logs')).toEqual([]);

    const everything = everythingLogged();
    expect(logger.lines.some((line) => line.includes(basic.id))).toBe(true); // the API's lines
    const signingSecrets = [ownSecret, rotated.body.secret as string, keyed.secret, broken.secret];
    for (const secret of [
      ...signingSecrets.flatMap((s) => [s, s.slice('whsec_'.length)]),
      'CanaryBasicPw7',
      Buffer.from('carol:CanaryBasicPw7').toString('base64'),
      'CanaryHeaderKey7',
      'CanaryBrokenPw7',
      apiKey,
      t.encryptionKey,
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('K1 keeps signing secrets and outbound credentials encrypted at rest', async () => {
    const { apiKey } = await t.createOrganization();
    const created = await t.request('POST', '/v1/endpoints', {
      key: apiKey,
      body: endpointBody({
        authentication: {
          type: 'api_key',
          headerName: 'X-Receiver-Key',
          apiKey: 'CanaryApiKey123',
        },
      }),
    });
    const dump = JSON.stringify([
      await t.dataSource.query('SELECT * FROM endpoints'),
      await t.dataSource.query('SELECT * FROM endpoint_secrets'),
      await t.dataSource.query('SELECT * FROM api_keys'),
    ]);
    expect(dump).not.toContain(created.body.secret);
    expect(dump).not.toContain(created.body.secret.slice('whsec_'.length));
    expect(dump).not.toContain('CanaryApiKey123');
    expect(dump).not.toContain(apiKey);
  });
});

/**
 * The built API app and worker app as they run in production: their stdout is one JSON object per
 * line (pino), each request has a line with its `requestId`, each attempt a debug line with the
 * delivery's ids, and none of the secrets, keys or credentials the requests carried is in any of it.
 */
describe('the logs of the built apps', () => {
  let t: TestApp;
  let receiver: Receiver;
  let apps: BuiltApps;
  let apiOutput: ChildOutput;
  let workerOutput: ChildOutput;
  let base: string;
  const bootstrapKey = 'hk_json_logs_key_0123456789abcdef';

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(DELIVERY_ENV); // makes the database and migrates it; its HTTP stays unused
    apps = await startBuiltApps(t, {
      api: { HOOKYARD_BOOTSTRAP_API_KEY: bootstrapKey, HOOKYARD_LOG_LEVEL: 'debug' },
      worker: { HOOKYARD_LOG_LEVEL: 'debug' },
    });
    ({ apiOutput, workerOutput, base } = apps);
  }, 60_000);

  afterAll(async () => {
    await stopBuiltApps(apps);
    await t?.close();
    await receiver?.stop();
  });

  const call = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bootstrapKey}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('writes JSON lines only: a line per request with its id, a debug line per attempt with the ids, no secret', async () => {
    const ownSecret = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
    const basic = await call(
      'POST',
      '/v1/endpoints',
      endpointBody({
        url: receiver.url('/ok?json-basic'),
        secret: ownSecret,
        authentication: { type: 'basic', username: 'erin', password: 'CanaryJsonPw7' },
      }),
    );
    expect(basic.status).toBe(201);
    const basicEndpoint = (await basic.json()) as EndpointCreated;
    const keyed = await call(
      'POST',
      '/v1/endpoints',
      endpointBody({
        url: receiver.url('/ok?json-keyed'),
        authentication: { type: 'api_key', headerName: 'X-Receiver-Key', apiKey: 'CanaryJsonKey7' },
      }),
    );
    const keyedEndpoint = (await keyed.json()) as EndpointCreated;
    const rotated = (await (
      await call('POST', `/v1/endpoints/${basicEndpoint.id}/secret/rotate`, {
        gracePeriodSeconds: 60,
      })
    ).json()) as { secret: string };
    const apiKey = (await (
      await call('POST', '/v1/api-keys', { name: 'logs', permissions: ['*'] })
    ).json()) as { key: string };
    const wrongKey = 'hk_wrong_key_that_must_not_be_logged_01';
    expect(
      (await call('GET', '/v1/endpoints', undefined, { authorization: `Bearer ${wrongKey}` }))
        .status,
    ).toBe(401);
    const tagged = await fetch(`${base}/v1/endpoints`, {
      headers: {
        'x-request-id': 'json-logs-request-1',
        cookie: 'session=CanaryCookie7',
        'x-api-key': apiKey.key,
      },
    });
    expect(tagged.headers.get('x-request-id')).toBe('json-logs-request-1');
    const published = await call('POST', '/v1/events', { topic: 'post.created', data: { n: 1 } });
    expect(published.status).toBe(202);
    const event = (await published.json()) as { id: string };
    const generatedId = published.headers.get('x-request-id');

    await receiver.waitFor(
      (ledger) => ledger.filter((r) => r.webhookId === event.id).length === 2,
      20_000,
    );
    const attemptLines = () =>
      jsonLines(workerOutput.stdout()).filter(
        (l) => l.msg === 'delivery attempt' && l['eventId'] === event.id,
      );
    await eventually(() => expect(attemptLines()).toHaveLength(2), 10_000);
    const requestLines = () => jsonLines(apiOutput.stdout()).filter((l) => 'requestId' in l);
    await eventually(
      () => expect(requestLines().some((l) => l['requestId'] === generatedId)).toBe(true),
      5_000,
    );

    // Every line of both apps is JSON (jsonLines throws on the first that is not).
    const apiLines = jsonLines(apiOutput.stdout());
    const workerLines = jsonLines(workerOutput.stdout());
    expect(apiLines.length).toBeGreaterThan(5);
    expect(workerLines.length).toBeGreaterThan(2);

    const lineOf = (id: string | null): LogLine | undefined =>
      requestLines().find((l) => l['requestId'] === id);
    expect(lineOf('json-logs-request-1')).toMatchObject({
      level: 'info',
      method: 'GET',
      url: '/v1/endpoints',
      route: '/v1/endpoints',
      statusCode: 200,
      responseTime: expect.any(Number),
      msg: 'request completed',
    });
    expect(lineOf(generatedId)).toMatchObject({
      method: 'POST',
      route: '/v1/events',
      statusCode: 202,
    });
    for (const line of requestLines()) expect(line['requestId']).toEqual(expect.any(String));
    expect(requestLines().filter((l) => l['statusCode'] === 401)).toHaveLength(1);

    expect(
      attemptLines()
        .map((l) => l['endpointId'])
        .sort(),
    ).toEqual([basicEndpoint.id, keyedEndpoint.id].sort());
    for (const line of attemptLines()) {
      expect(line).toMatchObject({
        level: 'debug',
        context: 'ResultRecorder',
        organizationId: expect.any(String),
        deliveryId: expect.any(String),
        statusCode: 200,
        outcome: 'success',
        durationMs: expect.any(Number),
      });
    }

    const everything = [
      apiOutput.stdout(),
      apiOutput.stderr(),
      workerOutput.stdout(),
      workerOutput.stderr(),
    ].join('\n');
    for (const secret of [
      ownSecret,
      ownSecret.slice('whsec_'.length),
      rotated.secret,
      keyedEndpoint.secret,
      basicEndpoint.secret,
      'CanaryJsonPw7',
      Buffer.from('erin:CanaryJsonPw7').toString('base64'),
      'CanaryJsonKey7',
      'CanaryCookie7',
      bootstrapKey,
      apiKey.key,
      wrongKey,
      t.encryptionKey,
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});

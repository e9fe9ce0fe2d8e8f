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
import { type Receipt, Receiver } from './receiver';

describe('secrets and logs', () => {
  const logger = new CapturingLogger();
  let t: TestApp;
  let receiver: Receiver;
  const written: string[] = [];
  const restoreOutput: (() => void)[] = [];

  /** Keeps a copy of everything written to `stream` (a logger that bypasses `logger` ends up here). */
  function capture(stream: NodeJS.WriteStream): void {
    const original = stream.write.bind(stream);
    stream.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      written.push(String(chunk));
      return original(chunk, ...rest);
    };
    restoreOutput.push(() => (stream.write = original));
  }

  beforeAll(async () => {
    receiver = await new Receiver().start();
    // The API and a delivery worker in one process, both logging through `logger`.
    t = await startTestApp(DELIVERY_ENV, { worker: true, logger });
    capture(process.stdout);
    capture(process.stderr);
  });

  afterAll(async () => {
    for (const restore of restoreOutput) restore();
    await t?.close();
    await receiver?.stop();
  });

  /** Everything the app and the worker logged or printed so far. */
  const everythingLogged = () => [...logger.lines, ...written].join('\n');

  it('never logs a signing secret, an outbound password or an API key across create and rotate', async () => {
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

  it('never logs a signing secret, a password or an API key while the worker signs and sends with them', async () => {
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
          (line) => line.includes('DeliveryWorker') && line.includes(brokenDelivery),
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

  it('keeps signing secrets and outbound credentials encrypted at rest', async () => {
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

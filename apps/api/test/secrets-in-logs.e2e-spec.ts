import { CapturingLogger, endpointBody, startTestApp, type TestApp } from './harness';

describe('secrets and logs', () => {
  const logger = new CapturingLogger();
  let t: TestApp;
  const written: string[] = [];
  const originalWrite = process.stdout.write.bind(process.stdout);

  beforeAll(async () => {
    t = await startTestApp({}, { logger });
    process.stdout.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      written.push(String(chunk));
      return originalWrite(chunk, ...rest);
    };
  });

  afterAll(async () => {
    process.stdout.write = originalWrite;
    await t?.close();
  });

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
    await t.request('POST', '/v1/endpoints', {
      key: apiKey,
      body: endpointBody({ url: 'http://bad', secret: mySecret }),
    });

    const everything = [...logger.lines, ...written].join('\n');
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

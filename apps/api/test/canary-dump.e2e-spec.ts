import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { dumpDatabase } from '@hookyard/data-access';
import {
  CapturingLogger,
  DELIVERY_ENV,
  endpointBody,
  eventually,
  startTestApp,
  type TestApp,
} from './harness';
import { captureOutput, type CapturedOutput } from './json-logs';
import { Receiver } from './receiver';
import { type BuiltApps, startBuiltApps, stopBuiltApps } from './worker-process';

/** A marker no real value contains, so a hit can only be one of this suite's canaries. */
const MARK = `CNRY${randomBytes(6).toString('hex')}`;

/** A `whsec_` signing secret whose key bytes start with the marker (so its base64 is one of a kind). */
function canarySecret(): string {
  return `whsec_${Buffer.concat([Buffer.from(MARK), randomBytes(24)]).toString('base64')}`;
}

/** A canary value: letters and digits only (an outbound API key allows no more), marked. */
const canary = (what: string) =>
  `${what.replace(/[^a-zA-Z0-9]/g, '')}${MARK}${randomBytes(4).toString('hex')}`;

/** How a value could sit in a dump or a log: as is, base64 (both alphabets), hex. */
function encodings(value: string): string[] {
  const bytes = Buffer.from(value);
  const forms = [
    value,
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
  ];
  if (value.startsWith('whsec_')) {
    const key = Buffer.from(value.slice('whsec_'.length), 'base64');
    forms.push(value.slice('whsec_'.length), key.toString('base64url'), key.toString('hex'));
  }
  return forms.map((form) => form.replace(/=+$/, '')); // padding depends on where a value starts
}

/** The canaries (and their encodings) found in `text`; hex is compared case-insensitively. */
function leaks(text: string, secrets: readonly string[]): string[] {
  const lower = text.toLowerCase();
  return secrets.filter((secret) =>
    encodings(secret).some((form) =>
      /^[0-9a-f]+$/.test(form) ? lower.includes(form) : text.includes(form),
    ),
  );
}

/**
 * Catalogue rows K1 and K3 (docs/reliability.md) from outside: after a run that made
 * organizations, API keys, endpoints with canary signing secrets, Basic passwords and API-key
 * header values, rotated secrets, delivered through a real receiver and opened portal sessions,
 * neither a `pg_dump` of the database nor any log line of the apps (the in-process app's logger
 * and output, the built API and worker apps' stdout and stderr, at debug level) holds any of those
 * values, in plain text, base64 or hex.
 */
describe('K1 K3 canaries in a pg_dump and in every log line', () => {
  const logger = new CapturingLogger();
  let output: CapturedOutput;
  let t: TestApp;
  let receiver: Receiver;
  let apps: BuiltApps;
  const bootstrapKey = `hk_${canary('bootstrap')}`;
  /** Every secret the suite used or was given. */
  const secrets: string[] = [bootstrapKey];

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(DELIVERY_ENV, { worker: true, logger });
    output = captureOutput();
    apps = await startBuiltApps(t, {
      api: { HOOKYARD_BOOTSTRAP_API_KEY: bootstrapKey, HOOKYARD_LOG_LEVEL: 'debug' },
      worker: { HOOKYARD_LOG_LEVEL: 'debug' },
    });
    secrets.push(t.encryptionKey);
  }, 60_000);

  afterAll(async () => {
    output?.restore();
    await stopBuiltApps(apps);
    await t?.close();
    await receiver?.stop();
  });

  /** A request to the built API (`built`) or to the in-process one. */
  async function call(
    where: 'built' | 'in-process',
    method: string,
    path: string,
    key: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> {
    if (where === 'in-process') return t.request(method, path, { key, body });
    const response = await fetch(`${apps.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => undefined) };
  }

  /** One tenant's worth of secrets, made through `where`; returns what to expect at the receiver. */
  async function tenant(where: 'built' | 'in-process', name: string) {
    const { apiKey } = await t.createOrganization(`canary-${name}`);
    secrets.push(apiKey);
    const issued = await call(where, 'POST', '/v1/api-keys', apiKey, {
      name: 'canary',
      permissions: ['*'],
    });
    expect(issued.status).toBe(201);
    secrets.push(issued.body.key);
    const key = issued.body.key as string; // the rest goes through the issued key

    const ownSecret = canarySecret();
    const password = canary('basic-pw');
    const basic = await call(where, 'POST', '/v1/endpoints', key, {
      ...endpointBody({ url: receiver.url(`/ok?canary-basic-${name}`), secret: ownSecret }),
      authentication: { type: 'basic', username: `user-${name}`, password },
    });
    expect(basic.status).toBe(201);
    const headerKey = canary('header-key');
    const keyed = await call(where, 'POST', '/v1/endpoints', key, {
      ...endpointBody({ url: receiver.url(`/ok?canary-keyed-${name}`) }),
      authentication: { type: 'api_key', headerName: 'X-Receiver-Key', apiKey: headerKey },
    });
    expect(keyed.status).toBe(201);
    // A password replaced later: the old one must be gone, the new one never stored in clear.
    const replaced = canary('replaced-pw');
    const replacement = canary('replacement-pw');
    const patched = await call(where, 'POST', '/v1/endpoints', key, {
      ...endpointBody({ url: receiver.url(`/ok?canary-patched-${name}`) }),
      authentication: { type: 'basic', username: 'old', password: replaced },
    });
    expect(patched.status).toBe(201);
    expect(
      (
        await call(where, 'PATCH', `/v1/endpoints/${patched.body.id}`, key, {
          authentication: { type: 'basic', username: 'new', password: replacement },
        })
      ).status,
    ).toBe(200);
    const rotated = await call(where, 'POST', `/v1/endpoints/${basic.body.id}/secret/rotate`, key, {
      gracePeriodSeconds: 3600,
    });
    expect(rotated.status).toBe(200);
    const rotatedAgain = await call(
      where,
      'POST',
      `/v1/endpoints/${keyed.body.id}/secret/rotate`,
      key,
      { secret: canarySecret(), gracePeriodSeconds: 0 },
    );
    expect(rotatedAgain.status).toBe(200);
    const portal = await call(where, 'POST', '/v1/portal-sessions', key, {
      permissions: ['WEBHOOK.READ'],
    });
    expect(portal.status).toBe(201);
    expect((await call(where, 'GET', '/v1/endpoints', portal.body.token)).status).toBe(200);
    const wrongKey = `hk_${canary('wrong-key')}`;
    expect((await call(where, 'GET', '/v1/endpoints', wrongKey)).status).toBe(401);
    const refused = await call(where, 'POST', '/v1/endpoints', key, {
      ...endpointBody({ url: 'http://10.0.0.1/', secret: ownSecret }),
      authentication: { type: 'basic', username: 'x', password },
    });
    expect(refused.status).toBe(400); // refused with the canaries in its body
    secrets.push(
      ownSecret,
      password,
      `user-${name}:${password}`,
      headerKey,
      replaced,
      `old:${replaced}`,
      replacement,
      `new:${replacement}`,
      basic.body.secret,
      keyed.body.secret,
      patched.body.secret,
      rotated.body.secret,
      rotatedAgain.body.secret,
      portal.body.token,
      wrongKey,
    );

    const published = await call(where, 'POST', '/v1/events', key, {
      topic: 'post.created',
      data: { tenant: name },
    });
    expect(published.status).toBe(202);
    const tested = await call(where, 'POST', `/v1/endpoints/${keyed.body.id}/test`, key, {});
    expect(tested.body).toMatchObject({ success: true, status: 200 });
    return {
      eventId: published.body.id as string,
      name,
      basic: { password, secrets: [ownSecret, rotated.body.secret as string] },
      keyed: { headerKey, secret: rotatedAgain.body.secret as string },
      patched: replacement,
    };
  }

  it('leaves no canary secret, password, API key or portal token in a pg_dump or in any log line', async () => {
    const tenants = [await tenant('built', 'a'), await tenant('in-process', 'b')];
    // Both workers (the built one and the in-process one) deliver; each delivery once is enough.
    const delivered = (path: string, id: string) =>
      receiver.receipts(path).find((r) => r.webhookId === id && r.status === 200);
    await eventually(() => {
      for (const { eventId, name } of tenants)
        for (const kind of ['basic', 'keyed', 'patched'])
          expect(delivered(`/ok?canary-${kind}-${name}`, eventId)).toBeDefined();
    }, 30_000);
    for (const { eventId, name, basic, keyed, patched } of tenants) {
      // The canaries were really used: the receiver saw them, and the signatures verify.
      const toBasic = delivered(`/ok?canary-basic-${name}`, eventId)!;
      expect(toBasic.headers['authorization']).toBe(
        `Basic ${Buffer.from(`user-${name}:${basic.password}`).toString('base64')}`,
      );
      for (const secret of basic.secrets)
        expect(() =>
          new Webhook(secret).verify(toBasic.body, toBasic.headers as Record<string, string>),
        ).not.toThrow();
      const toKeyed = delivered(`/ok?canary-keyed-${name}`, eventId)!;
      expect(toKeyed.headers['x-receiver-key']).toBe(keyed.headerKey);
      expect(() =>
        new Webhook(keyed.secret).verify(toKeyed.body, toKeyed.headers as Record<string, string>),
      ).not.toThrow();
      expect(delivered(`/ok?canary-patched-${name}`, eventId)!.headers['authorization']).toBe(
        `Basic ${Buffer.from(`new:${patched}`).toString('base64')}`,
      );
    }

    // The dump: the whole test database.
    const { text: dump, tables, tool } = await dumpDatabase(t.database.url);
    console.log(`canary dump made with ${tool}`);
    // It is a real dump of this run: the tables are in it, and so are the rows the suite made.
    expect(tables).toEqual(expect.arrayContaining(['endpoint_secrets', 'portal_sessions']));
    expect(dump).toContain(tenants[0].eventId);
    expect(dump).toContain('canary-a');
    expect(leaks(dump, secrets)).toEqual([]);

    // Every log line: the in-process app's logger and this process's output, and the built apps'.
    // The two workers compete for the deliveries, so the built one may have sent none of them; it
    // has logged its start, which is enough for its lines to be read.
    await eventually(() => expect(apps.workerOutput.stdout()).toMatch(/"level"/), 10_000);
    const logs = [
      ...logger.lines,
      output.text(),
      apps.apiOutput.stdout(),
      apps.apiOutput.stderr(),
      apps.workerOutput.stdout(),
      apps.workerOutput.stderr(),
    ].join('\n');
    expect(apps.apiOutput.stdout()).toContain('request completed'); // the built API logged requests
    expect(logger.lines.length).toBeGreaterThan(5);
    expect(leaks(logs, secrets)).toEqual([]);
    // The checks can fail: a canary is found in any of its forms.
    expect(leaks(`x${Buffer.from(secrets[1]).toString('hex').toUpperCase()}x`, secrets)).toEqual([
      secrets[1],
    ]);
  });
});

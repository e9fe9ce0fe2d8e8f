import { createHmac, createPublicKey, verify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  CapturingLogger,
  DELIVERY_ENV,
  eventually,
  sleepUntil,
  startTestApp,
  type TestApp,
} from './harness';
import { type Receipt, Receiver } from './receiver';

/** The roll window of this suite: long enough to deliver inside it, short enough to outlast. */
const GRACE_SECONDS = 4;
const PLATFORM = '/platform/v1/webhooks';

/** Verifies a `v1a` entry of `webhook-signature` with a `whpk_` key, by node:crypto alone. */
function verifiesEd25519(publicKey: string, receipt: Receipt): boolean {
  const raw = Buffer.from(publicKey.slice('whpk_'.length), 'base64');
  // An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte prefix and the raw 32-byte key.
  const key = createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]),
    format: 'der',
    type: 'spki',
  });
  const signed = Buffer.from(
    `${String(receipt.headers['webhook-id'])}.${String(receipt.headers['webhook-timestamp'])}.${receipt.body}`,
  );
  return String(receipt.headers['webhook-signature'])
    .split(' ')
    .filter((entry) => entry.startsWith('v1a,'))
    .some((entry) => verify(null, signed, key, Buffer.from(entry.slice(4), 'base64')));
}

/** Verifies the `v1` entries as any Standard Webhooks receiver would. */
function verifiesHmac(secret: string, receipt: Receipt): boolean {
  try {
    new Webhook(secret).verify(receipt.body, receipt.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

/** The dialect's own `X-PAYLOAD-SIGNATURE`: `v1=<hex HMAC of "{iso timestamp}.{body}">` per secret. */
function payloadSignatureOf(secret: string, receipt: Receipt): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const timestamp = String(receipt.headers['x-payload-signature-timestamp']);
  return `v1=${createHmac('sha256', key).update(`${timestamp}.${receipt.body}`).digest('hex')}`;
}

describe('platform dialect: delivery', () => {
  const logger = new CapturingLogger();
  let t: TestApp;
  let receiver: Receiver;
  let key: string;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp(
      {
        ...DELIVERY_ENV,
        HOOKYARD_PLATFORM_SECRET_GRACE_SECONDS: String(GRACE_SECONDS),
        HOOKYARD_PLATFORM_RETRY_SCHEDULE: '300ms,300ms,300ms,300ms,300ms',
        HOOKYARD_PLATFORM_ENVIRONMENT: 'SANDBOX',
      },
      { worker: true, logger },
    );
    key = (await t.createOrganization()).apiKey;
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  const webhook = async (path: string, body: Record<string, unknown> = {}) => {
    const created = await t.request('POST', PLATFORM, {
      key,
      body: { url: receiver.url(path), name: path, reference: `ref${path}`, ...body },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret_key: string };
  };
  const publish = async (data: Record<string, unknown>, topic = 'post.created') => {
    const published = await t.request('POST', '/v1/events', { key, body: { topic, data } });
    expect(published.status).toBe(202);
    return published.body.id as string;
  };
  const receiptOf = async (path: string, eventId: string): Promise<Receipt> => {
    await receiver.waitFor(() => receiver.receipts(path).some((r) => r.webhookId === eventId));
    return receiver.receipts(path).find((r) => r.webhookId === eventId)!;
  };

  it('sends basic auth and an API key header, and keeps both out of responses, logs and attempts', async () => {
    const basic = await webhook('/ok?platform-basic', {
      authentication_type: 'PASSWORD',
      username: 'erin',
      password: 'CanaryPlatformPw1',
    });
    const keyed = await webhook('/ok?platform-key', {
      authentication_type: 'API_KEY',
      api_header_field: 'X-Receiver-Token',
      api_key: 'CanaryPlatformKey1',
    });
    const eventId = await publish({ id: 'with-credentials' });
    const toBasic = await receiptOf('/ok?platform-basic', eventId);
    const toKeyed = await receiptOf('/ok?platform-key', eventId);
    expect(toBasic.headers['authorization']).toBe(
      `Basic ${Buffer.from('erin:CanaryPlatformPw1').toString('base64')}`,
    );
    expect(toKeyed.headers['x-receiver-token']).toBe('CanaryPlatformKey1');
    const tested = await t.request('POST', `${PLATFORM}/${keyed.id}/send-test`, { key });
    expect(tested.body).toMatchObject({ successful: true });
    const testReceipt = receiver.receipts('/ok?platform-key').find((r) => r.webhookId !== eventId);
    expect(testReceipt?.headers['x-receiver-token']).toBe('CanaryPlatformKey1');

    const responses = JSON.stringify([
      await t.request('GET', `${PLATFORM}/${basic.id}`, { key }),
      await t.request('GET', PLATFORM, { key }),
      await t.request('GET', `/v1/endpoints/${keyed.id}`, { key }),
      await t.request('GET', `/featurebase/v2/webhooks/${basic.id}`, { key }),
    ]);
    await eventually(async () => {
      const attempts = await t.dataSource.query<unknown[]>(
        `SELECT * FROM attempts WHERE endpoint_id = ANY($1)`,
        [[basic.id, keyed.id]],
      );
      expect(attempts.length).toBeGreaterThanOrEqual(3);
    });
    const stored = JSON.stringify([
      await t.dataSource.query(`SELECT * FROM attempts WHERE endpoint_id = ANY($1)`, [
        [basic.id, keyed.id],
      ]),
      (await t.request('GET', `/v1/endpoints/${keyed.id}/attempts`, { key })).body,
      await t.dataSource.query(`SELECT * FROM endpoints WHERE id = ANY($1)`, [
        [basic.id, keyed.id],
      ]),
    ]);
    const logged = logger.lines.join('\n');
    expect(logged).toContain(basic.id); // the logs are there, and say nothing secret
    expect(stored).toContain('X-Receiver-Token');
    for (const secret of [
      'CanaryPlatformPw1',
      Buffer.from('erin:CanaryPlatformPw1').toString('base64'),
      'CanaryPlatformKey1',
    ]) {
      expect(responses).not.toContain(secret);
      expect(stored).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
  });

  it('delivers the platform envelope, signed with Standard Webhooks and X-PAYLOAD-SIGNATURE', async () => {
    const made = await webhook('/ok?platform-envelope', { include_previous_data: true });
    const published = await t.request('POST', '/v1/events', {
      key,
      body: {
        topic: 'post.updated',
        data: { id: 'p1', title: 'new' },
        previousData: { title: 'old' },
      },
    });
    expect(published.status).toBe(202);
    const receipt = await receiptOf('/ok?platform-envelope', published.body.id as string);
    expect(JSON.parse(receipt.body)).toEqual({
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      type: 'POST.UPDATED',
      environment: 'SANDBOX',
      data: { id: 'p1', title: 'new' },
      previous_data: { title: 'old' },
    });
    expect(verifiesHmac(made.secret_key, receipt)).toBe(true);
    const timestamp = String(receipt.headers['x-payload-signature-timestamp']);
    expect(new Date(timestamp).getTime()).toBe(Number(receipt.headers['webhook-timestamp']) * 1000);
    expect(receipt.headers['x-payload-signature']).toBe(
      payloadSignatureOf(made.secret_key, receipt),
    );
  });

  it('keeps the previous key valid for the roll window and not after; DELETE drops it at once', async () => {
    const path = '/ok?platform-roll';
    const made = await webhook(path);
    const rolled = await t.request('PATCH', `${PLATFORM}/${made.id}/secret-key`, {
      key,
      body: { active: true, include_previous_data: false, authentication_type: 'NONE' },
    });
    expect(rolled.status).toBe(200);
    const rolledAt = Date.now();
    expect(rolled.body).toMatchObject({
      previous_secret_key: made.secret_key,
      signing_protocol: 'HmacSHA256',
      previous_signing_protocol: 'HmacSHA256',
      secret_rolled_at: expect.any(String),
    });
    const fresh = rolled.body.secret_key as string;
    expect(fresh).not.toBe(made.secret_key);

    const during = await receiptOf(path, await publish({ id: 'inside-window' }));
    expect(verifiesHmac(made.secret_key, during)).toBe(true);
    expect(verifiesHmac(fresh, during)).toBe(true);
    expect(String(during.headers['x-payload-signature']).split(' ')).toEqual([
      payloadSignatureOf(fresh, during),
      payloadSignatureOf(made.secret_key, during),
    ]);

    await sleepUntil(rolledAt + GRACE_SECONDS * 1000 + 500);
    const after = await receiptOf(path, await publish({ id: 'after-window' }));
    expect(verifiesHmac(fresh, after)).toBe(true);
    expect(verifiesHmac(made.secret_key, after)).toBe(false);
    const shown = await t.request('GET', `${PLATFORM}/${made.id}`, { key });
    expect(shown.body).toMatchObject({ previous_secret_key: null, secret_key: fresh });

    const again = await t.request('PATCH', `${PLATFORM}/${made.id}/secret-key`, {
      key,
      body: { active: true, include_previous_data: false, authentication_type: 'NONE' },
    });
    expect(again.body.previous_secret_key).toBe(fresh);
    const removed = await t.request('DELETE', `${PLATFORM}/${made.id}/secret-key`, { key });
    expect(removed.status).toBe(200);
    expect(removed.body.previous_secret_key).toBeNull();
    const newest = removed.body.secret_key as string;
    const afterDelete = await receiptOf(path, await publish({ id: 'after-delete' }));
    expect(verifiesHmac(newest, afterDelete)).toBe(true);
    expect(verifiesHmac(again.body.secret_key as string, afterDelete)).toBe(false);
    expect(String(afterDelete.headers['webhook-signature']).split(' ')).toHaveLength(1);
  });

  it('rolls from HmacSHA256 to Ed25519 sending both signatures in the window, v1a verifying with the public key', async () => {
    const path = '/ok?platform-ed25519';
    const made = await webhook(path);
    const rolled = await t.request('PATCH', `${PLATFORM}/${made.id}/secret-key`, {
      key,
      body: {
        active: true,
        include_previous_data: false,
        authentication_type: 'NONE',
        signing_protocol: 'Ed25519',
      },
    });
    expect(rolled.status).toBe(200);
    expect(rolled.body).toMatchObject({
      signing_protocol: 'Ed25519',
      previous_signing_protocol: 'HmacSHA256',
      previous_secret_key: made.secret_key,
      secret_key: expect.stringMatching(/^whpk_/),
    });
    const publicKey = rolled.body.secret_key as string;
    const receipt = await receiptOf(path, await publish({ id: 'two-protocols' }));
    const entries = String(receipt.headers['webhook-signature']).split(' ');
    expect(entries.map((e) => e.split(',')[0]).sort()).toEqual(['v1', 'v1a']);
    expect(verifiesEd25519(publicKey, receipt)).toBe(true);
    expect(verifiesHmac(made.secret_key, receipt)).toBe(true);
    // Every response and every stored row shows the public key only.
    const everything = JSON.stringify([
      rolled.body,
      (await t.request('GET', `/v1/endpoints/${made.id}/secret`, { key })).body,
      (await t.request('GET', `/featurebase/v2/webhooks/${made.id}`, { key })).body,
      await t.dataSource.query(`SELECT * FROM endpoint_secrets WHERE endpoint_id = $1`, [made.id]),
    ]);
    expect(everything).not.toContain('whsk_');
  });

  it('delivers a fifo webhook in publish order, one request at a time, behind a failing first event', async () => {
    const path = '/flaky/3?platform-fifo';
    const made = await webhook(path);
    expect((await t.request('GET', `${PLATFORM}/${made.id}`, { key })).body.ordering).toBe('fifo');
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push(await publish({ n: i }));
    await receiver.waitFor(
      () => receiver.receipts(path).filter((r) => r.status === 200).length === ids.length,
      30_000,
    );
    const receipts = receiver.receipts(path);
    expect(receipts.filter((r) => r.status === 200).map((r) => r.webhookId)).toEqual(ids);
    // Every try of event n+1 comes after event n succeeded.
    for (let i = 1; i < ids.length; i++) {
      const succeeded = receipts.findIndex((r) => r.webhookId === ids[i - 1] && r.status === 200);
      const firstOfNext = receipts.findIndex((r) => r.webhookId === ids[i]);
      expect(firstOfNext).toBeGreaterThan(succeeded);
    }
    expect(receiver.maxConcurrentPerId).toBe(1);
  });
});

import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { get as httpsGet } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Webhook } from 'standardwebhooks';
import { type LedgerEntry } from './ledger-entry';
import { type Receiver, startReceiver } from './receiver';
import { selfSignedCertificate } from './tls-certificate';

const DRIP_MS = 200;
const SECRET = `whsec_${Buffer.from('reliability-receiver-test-key!!').toString('base64')}`;

let receiver: Receiver;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'receiver-spec-'));
  receiver = await startReceiver({
    dripIntervalMs: DRIP_MS,
    ledgerFile: join(dir, 'ledger.jsonl'),
  });
});

afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Sent {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/** One request on a fresh connection; resolves with the whole answer. */
function send(url: string, options: RequestOptions & { body?: string } = {}): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const { body, ...rest } = options;
    const request = httpRequest(url, { agent: false, method: 'POST', ...rest }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
      response.once('error', reject);
    });
    request.once('error', reject);
    request.end(body ?? '{}');
  });
}

/** Opens a request and hands back the response head without reading the body. */
function open(url: string, options: RequestOptions = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent: false, method: 'POST', ...options }, resolve);
    request.once('error', reject);
    request.end('{}');
  });
}

function last(path: string): LedgerEntry {
  const entries = receiver.ledger().entries.filter((entry) => entry.path === path);
  const found = entries.at(-1);
  if (!found) throw new Error(`no ledger entry for ${path}`);
  return found;
}

function signed(id: string, body: string, secret = SECRET, at = new Date()) {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

describe('receiver modes', () => {
  it('/ok answers 200 and records the request in the ledger', async () => {
    const body = '{"hello":"wörld"}';
    const answer = await send(receiver.url('/m/ok'), { body, headers: { 'webhook-id': 'msg_ok' } });
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('status 200');
    expect(last('/m/ok')).toMatchObject({
      method: 'POST',
      endpoint: '/m/ok',
      mode: 'ok',
      tls: false,
      webhookId: 'msg_ok',
      bodyBytes: Buffer.byteLength(body),
      bodySha256: createHash('sha256').update(body).digest('hex'),
      signatureValid: null,
      attempt: 1,
      concurrent: 1,
      status: 200,
      acked: true,
    });
  });

  it('/status/:code answers that status', async () => {
    expect((await send(receiver.url('/m/status/503'))).status).toBe(503);
    const noContent = await send(receiver.url('/m/status/204'));
    expect(noContent.status).toBe(204);
    expect(noContent.body.length).toBe(0);
    expect(last('/m/status/204').acked).toBe(true);
    expect(last('/m/status/503').acked).toBe(false);
  });

  it('/flaky/:k fails the first k attempts of each webhook-id with 500', async () => {
    const url = receiver.url('/m/flaky/2');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await send(url, { headers: { 'webhook-id': 'msg_flaky' } })).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect((await send(url, { headers: { 'webhook-id': 'msg_other' } })).status).toBe(500);
    const attempts = receiver
      .ledger()
      .forEndpoint('/m/flaky/2')
      .filter((entry) => entry.webhookId === 'msg_flaky')
      .map((entry) => [entry.attempt, entry.acked]);
    expect(attempts).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
  });

  it('/hang accepts and never answers; overlapping attempts of one id are counted', async () => {
    const answered = jest.fn();
    const requests = [1, 2].map(() => {
      const request = httpRequest(
        receiver.url('/m/hang'),
        { agent: false, method: 'POST', headers: { 'webhook-id': 'msg_hang' } },
        answered,
      );
      request.on('error', () => undefined);
      request.end('{}');
      return request;
    });
    const entries = await receiver.waitFor(
      (all) => all.filter((entry) => entry.endpoint === '/m/hang').length === 2,
    );
    expect(
      entries.filter((entry) => entry.endpoint === '/m/hang').map((e) => e.concurrent),
    ).toEqual([1, 2]);
    expect(receiver.ledger().maxConcurrentAttemptsPerId()).toBe(2);
    expect(answered).not.toHaveBeenCalled();
    for (const request of requests) request.destroy();
    // Once the client gave up, the attempts are no longer in flight.
    await until(() => receiver.inFlight() === 0, 5_000);
  });

  it('/slow/:ms answers 200 after the delay, and records no acknowledgement when the client left first', async () => {
    const started = Date.now();
    const answer = await send(receiver.url('/m/slow/150'), { headers: { 'webhook-id': 'msg_s' } });
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(last('/m/slow/150')).toMatchObject({ mode: 'slow', status: 200, acked: true });

    const request = httpRequest(receiver.url('/m/slow/5000'), {
      agent: false,
      method: 'POST',
      headers: { 'webhook-id': 'msg_gone' },
    });
    request.on('error', () => undefined);
    request.end('{}');
    await until(() => receiver.inFlight() === 1, 5_000);
    request.destroy();
    const entries = await receiver.waitFor((all) =>
      all.some((entry) => entry.endpoint === '/m/slow/5000'),
    );
    expect(entries.find((entry) => entry.endpoint === '/m/slow/5000')).toMatchObject({
      status: 0,
      acked: false,
      bodyBytes: 2,
    });
  });

  it('/slow-headers writes the response head one byte per interval and never finishes it', async () => {
    const socket = connect(receiver.port, '127.0.0.1');
    const received: { at: number; text: string }[] = [];
    socket.on('data', (chunk: Buffer) => received.push({ at: Date.now(), text: chunk.toString() }));
    socket.write(
      'POST /m/slow-headers HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\nwebhook-id: msg_slow\r\n\r\n{}',
    );
    await until(() => received.length >= 3, 5_000);
    socket.destroy();
    const text = received.map((part) => part.text).join('');
    expect('HTTP/1.1 200 OK\r\nx-slow: '.startsWith(text)).toBe(true);
    expect(text).not.toContain('\r\n\r\n');
    const first = received[0]!.at;
    const third = received[2]!.at;
    expect(third - first).toBeGreaterThanOrEqual(2 * DRIP_MS - 50);
    expect(last('/m/slow-headers')).toMatchObject({ status: 0, acked: false, bodyBytes: 2 });
  });

  it('/drip sends status and headers, then one byte per interval', async () => {
    const response = await open(receiver.url('/m/drip'));
    expect(response.statusCode).toBe(200);
    const times: number[] = [];
    await new Promise<void>((resolve) => {
      response.on('data', (chunk: Buffer) => {
        for (let i = 0; i < chunk.length; i++) times.push(Date.now());
        if (times.length >= 2) resolve();
      });
    });
    response.destroy();
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(DRIP_MS - 50);
    expect(last('/m/drip').acked).toBe(false);
  });

  it('/huge/:mb sends that many MB chunked', async () => {
    const answer = await send(receiver.url('/m/huge/2'));
    expect(answer.status).toBe(200);
    expect(answer.headers['transfer-encoding']).toBe('chunked');
    expect(answer.body.length).toBe(2 * 1024 * 1024);
  });

  it('/infinite streams until the client goes away', async () => {
    const response = await open(receiver.url('/m/infinite'));
    expect(response.headers['transfer-encoding']).toBe('chunked');
    let bytes = 0;
    await new Promise<void>((resolve) => {
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes >= 3 * 1024 * 1024) resolve();
      });
    });
    response.destroy();
    expect(bytes).toBeGreaterThanOrEqual(3 * 1024 * 1024);
  });

  it('/gzip-bomb sends about 1 MB of gzip that inflates to zeros', async () => {
    const answer = await send(receiver.url('/m/gzip-bomb'));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
    expect(answer.body.length).toBeLessThan(2 * 1024 * 1024);
    // Inflate the first MB only, never the whole GiB.
    const gunzip = createGunzip();
    let inflated = 0;
    let nonZero = 0;
    await new Promise<void>((resolve, reject) => {
      gunzip.on('data', (chunk: Buffer) => {
        inflated += chunk.length;
        for (const byte of chunk) if (byte !== 0) nonZero++;
        if (inflated >= 1024 * 1024) {
          gunzip.destroy();
          resolve();
        }
      });
      gunzip.once('error', reject);
      gunzip.write(answer.body.subarray(0, 64 * 1024));
    });
    expect(inflated).toBeGreaterThanOrEqual(1024 * 1024);
    expect(nonZero).toBe(0);
  });

  it('/big-headers sends a 64 KB header that overflows default clients', async () => {
    await expect(send(receiver.url('/m/big-headers'))).rejects.toMatchObject({
      code: 'HPE_HEADER_OVERFLOW',
    });
    const roomy = await send(receiver.url('/m/big-headers'), { maxHeaderSize: 128 * 1024 });
    expect(roomy.status).toBe(200);
    expect(String(roomy.headers['x-big']).length).toBe(64 * 1024);
  });

  it('/reset destroys the connection before reading the request', async () => {
    await expect(send(receiver.url('/m/reset'))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(last('/m/reset')).toMatchObject({ status: 0, bodySha256: null, acked: false });
  });

  it('/reset-after-body reads the body, records it, then resets; /reset-after-body/1 only once', async () => {
    const body = '{"processed":true}';
    // An RST surfaces as a read error, not as the "socket hang up" of a clean close.
    await expect(send(receiver.url('/m/reset-after-body'), { body })).rejects.toMatchObject({
      code: 'ECONNRESET',
      message: 'read ECONNRESET',
    });
    expect(last('/m/reset-after-body')).toMatchObject({
      bodySha256: createHash('sha256').update(body).digest('hex'),
      status: 0,
      acked: false,
    });
    const once = receiver.url('/m/reset-after-body/1');
    const headers = { 'webhook-id': 'msg_ack_lost' };
    await expect(send(once, { body, headers })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await send(once, { body, headers })).status).toBe(200);
    const figures = receiver
      .ledger()
      .figures([{ endpoint: '/m/reset-after-body/1', webhookId: 'msg_ack_lost' }]);
    expect(figures).toMatchObject({ delivered_unique: 1, lost: 0, duplicates: 0 });
    expect(receiver.ledger().forEndpoint('/m/reset-after-body/1')).toHaveLength(2);
  });

  it('/redirect answers 3xx with the location from ?to=, else its own /ok', async () => {
    const to = 'http://127.0.0.1:9/internal';
    const away = await send(receiver.url(`/m/redirect?to=${encodeURIComponent(to)}`));
    expect(away.status).toBe(302);
    expect(away.headers.location).toBe(to);
    const home = await send(receiver.url('/m/redirect?code=307'));
    expect(home.status).toBe(307);
    expect(home.headers.location).toBe('/m/ok');
  });

  it('/retry-after/:v answers 429 with Retry-After: v', async () => {
    const seconds = await send(receiver.url('/m/retry-after/5'));
    expect(seconds.status).toBe(429);
    expect(seconds.headers['retry-after']).toBe('5');
    const date = 'Wed, 21 Oct 2026 07:28:00 GMT';
    const dated = await send(receiver.url(`/m/retry-after/${encodeURIComponent(date)}`));
    expect(dated.headers['retry-after']).toBe(date);
  });

  it('/gone answers 410 and an unknown mode 404', async () => {
    expect((await send(receiver.url('/m/gone'))).status).toBe(410);
    expect((await send(receiver.url('/m/nothing-here'))).status).toBe(404);
    expect(last('/m/nothing-here').mode).toBe('unknown');
  });
});

describe('the TLS server', () => {
  it('fails verification with the default CAs and answers ok on any path when trusted', async () => {
    await expect(
      new Promise((resolve, reject) =>
        httpsGet(receiver.tlsUrl('/tls-selfsigned'), { agent: false }, resolve).once(
          'error',
          reject,
        ),
      ),
    ).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/) });
    const status = await new Promise<number>((resolve, reject) =>
      httpsGet(
        receiver.tlsUrl('/any/path'),
        { agent: false, ca: receiver.tlsCertificate },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      ).once('error', reject),
    );
    expect(status).toBe(200);
    expect(last('/any/path')).toMatchObject({ tls: true, mode: 'tls-selfsigned', acked: true });
  });

  it('has a fresh openssl certificate and a loopback fixture to fall back on', () => {
    const fresh = selfSignedCertificate('openssl');
    const fixture = selfSignedCertificate('fixture');
    expect(fixture.source).toBe('fixture');
    for (const { cert } of [fresh, fixture]) {
      const x509 = new X509Certificate(cert);
      expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now());
    }
    expect(new Date(new X509Certificate(fixture.cert).validTo).getFullYear()).toBeGreaterThan(2100);
  });
});

describe('signature checks and the control API', () => {
  it('verifies Standard Webhooks signatures for endpoints under a registered prefix', async () => {
    receiver.setSecret('/sig', SECRET);
    const body = '{"type":"order.created","data":{"n":12345678901234567890}}';
    await send(receiver.url('/sig/a/ok'), { body, headers: signed('msg_good', body) });
    await send(receiver.url('/sig/a/ok'), {
      body: `${body} `,
      headers: signed('msg_tampered', body),
    });
    const otherSecret = `whsec_${Buffer.from('another-secret-of-enough-size').toString('base64')}`;
    await send(receiver.url('/sig/a/ok'), {
      body,
      headers: signed('msg_wrong', body, otherSecret),
    });
    const stale = new Date(Date.now() - 10 * 60_000);
    await send(receiver.url('/sig/a/ok'), {
      body,
      headers: signed('msg_stale', body, SECRET, stale),
    });
    await send(receiver.url('/sigx/ok'), { body, headers: signed('msg_elsewhere', body) });
    const byId = new Map(receiver.ledger().entries.map((entry) => [entry.webhookId, entry]));
    expect(byId.get('msg_good')).toMatchObject({ signatureValid: true, signatureError: null });
    expect(byId.get('msg_good')?.signature).toMatch(/^v1,/);
    expect(byId.get('msg_tampered')?.signatureValid).toBe(false);
    expect(byId.get('msg_wrong')?.signatureValid).toBe(false);
    expect(byId.get('msg_stale')).toMatchObject({
      signatureValid: false,
      signatureError: 'Message timestamp too old',
    });
    expect(byId.get('msg_elsewhere')?.signatureValid).toBeNull();
  });

  it('registers secrets over POST /__secrets and rejects bad ones with a problem document', async () => {
    const bad = await fetch(receiver.url('/__secrets'), {
      method: 'POST',
      body: JSON.stringify({ pathPrefix: '/ctl', secret: 'not-a-secret' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_SECRET', field: 'secret' });
    const noPrefix = await fetch(receiver.url('/__secrets'), {
      method: 'POST',
      body: JSON.stringify({ pathPrefix: 'ctl', secret: SECRET }),
    });
    expect(await noPrefix.json()).toMatchObject({
      code: 'INVALID_PATH_PREFIX',
      field: 'pathPrefix',
    });
    const good = await fetch(receiver.url('/__secrets'), {
      method: 'POST',
      body: JSON.stringify({ pathPrefix: '/ctl', secret: SECRET }),
    });
    expect(good.status).toBe(204);
    const body = '{}';
    await send(receiver.url('/ctl/ok'), { body, headers: signed('msg_ctl', body) });
    const ledger = (await (await fetch(receiver.url('/__ledger'))).json()) as LedgerEntry[];
    expect(ledger.find((entry) => entry.webhookId === 'msg_ctl')?.signatureValid).toBe(true);
    expect(ledger.some((entry) => entry.path.startsWith('/__'))).toBe(false);
  });

  it('appends every entry to the JSONL ledger file', () => {
    const lines = readFileSync(join(dir, 'ledger.jsonl'), 'utf8').trim().split('\n');
    const fromFile = lines.map((line) => JSON.parse(line) as LedgerEntry);
    expect(fromFile.length).toBeGreaterThanOrEqual(receiver.ledger().entries.length);
    expect(fromFile.slice(-receiver.ledger().entries.length)).toEqual(receiver.ledger().entries);
  });

  it('waitFor rejects when the condition does not come true in time', async () => {
    await expect(receiver.waitFor(() => false, 50)).rejects.toThrow(/not met within 50 ms/);
  });

  it('POST /__reset forgets the ledger, the attempts and the secrets', async () => {
    expect((await fetch(receiver.url('/__reset'), { method: 'POST' })).status).toBe(204);
    expect(receiver.ledger().entries).toHaveLength(0);
    const body = '{}';
    await send(receiver.url('/sig/ok'), { body, headers: signed('msg_flaky', body) });
    expect(receiver.ledger().entries[0]).toMatchObject({ seq: 1, signatureValid: null });
    const again = await send(receiver.url('/m/flaky/2'), {
      headers: { 'webhook-id': 'msg_flaky' },
    });
    expect(again.status).toBe(500);
  });
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

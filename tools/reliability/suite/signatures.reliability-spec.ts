import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { deliveredAll, keysOf } from './lib/ledger-checks';
import { acknowledged, publish, type Published } from './lib/publisher';
import { decodedSecretBytes, duplicatesOf } from './lib/receiver-rows';
import { fanOut, reportRow, rowFigures } from './lib/row-report';
import { suiteFile } from './lib/suite-file';

/**
 * Catalogue rows G1 and G2 (signatures, docs/reliability.md), on a stack of their own: G2 makes a
 * thousand endpoints, which no other row should have to claim past. G1 also sends every event to a
 * small capture server in this process, which keeps the raw bytes, so the bytes the receiver hashed
 * and verified can be compared with the bytes that were sent and with what was published.
 */
const suite = suiteFile();
const { startWorker } = suite;

function ids(published: readonly Published[]): string[] {
  return acknowledged(published).map((p) => p.id ?? '');
}

/** One request the capture server got: the raw body and the signature headers. */
interface Captured {
  readonly body: Buffer;
  readonly headers: IncomingHttpHeaders;
}

/** A plain HTTP server on 127.0.0.1 that answers 200 and keeps every request's raw body. */
async function captureServer(): Promise<{ server: Server; port: number; got: Captured[] }> {
  const got: Captured[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      got.push({ body: Buffer.concat(chunks), headers: request.headers });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, got };
}

/**
 * Payloads as raw JSON text, published as written (the API parses and stores them; what it sends is
 * its own serialization, and that is what must be signed).
 */
const SPECIAL_PAYLOADS: Readonly<Record<string, string>> = {
  unicode:
    '{"s":"héllo wörld — ✓ 😀 𝄞 中文 עברית","sep":"a\\u2028b\\u2029c","combining":"e\\u0301","family":"👩‍👩‍👧‍👦"}',
  key_order: '{"zeta":1,"alpha":2,"mid":{"b":1,"a":2},"aa":3,"a":4}',
  whitespace: '{\n\t"a" :  [ 1 , 2 ,\r\n 3 ] ,  "s" : "  spaced\\tout\\n  "  }',
  big_numbers:
    '{"big":12345678901234567890,"neg":-9007199254740993,"pi":3.141592653589793238462643,"exp":1e300,"tiny":5e-324}',
  escapes:
    '{"q":"\\"quoted\\" \\\\ back\\/slash","ctl":"\\u0001\\u001f","html":"<script>&amp;</script>"}',
  nested: '[[[[{"x":[],"y":{}}]]]]',
  scalar: '"just a string"',
};

async function publishRaw(topic: string, dataJson: string): Promise<Published & { raw: string }> {
  const sentAt = Date.now();
  const real = await fetch(`${suite.stack.base}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${suite.stack.key}`, 'content-type': 'application/json' },
    body: `{"topic":${JSON.stringify(topic)},"data":${dataJson}}`,
    signal: AbortSignal.timeout(15_000),
  });
  const answer = (await real.json().catch(() => null)) as { id?: unknown } | null;
  const id = real.ok && typeof answer?.id === 'string' ? answer.id : null;
  return { n: -1, topic, sentAt, status: real.status, id, raw: dataJson };
}

/** `v1,<base64>` of HMAC-SHA256 over `id.timestamp.body`, keyed with the secret's decoded bytes. */
function expectedSignature(secret: string, id: string, timestamp: string, body: Buffer): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key);
  mac.update(`${id}.${timestamp}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

function one(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return typeof value === 'string' ? value : '';
}

describe('signatures (catalogue G rows)', () => {
  it('G1 signs exactly the bytes it sends, for unicode, key order, whitespace and big numbers', async () => {
    const capture = await captureServer();
    try {
      const topic = 'conversation.user.created';
      const flaky = await suite.stack.endpoint('/g1/flaky/1', [topic]);
      const captured = await suite.stack.endpoint('/g1/capture', [topic], {
        url: `http://127.0.0.1:${capture.port}/g1/capture`,
      });
      await suite.stack.receiver.setSecret('/g1', flaky.secret);
      await startWorker();
      const generic = await publish({
        base: suite.stack.base,
        key: suite.stack.key,
        count: 200,
        topic: () => topic,
        data: (n) => ({ title: `event ${n}`, tags: ['a', 'b'], score: n / 7 }),
      });
      const specials: (Published & { raw: string; kind: string })[] = [];
      for (let round = 0; round < 3; round++)
        for (const [kind, raw] of Object.entries(SPECIAL_PAYLOADS))
          specials.push({ ...(await publishRaw(topic, raw)), kind });
      const published = [...generic, ...specials];
      const expected = fanOut([flaky.path], ids(published));
      await suite.stack.waitForLedger('/g1', deliveredAll(keysOf(expected)), 60_000);
      const wantIds = new Set(ids(published));
      const captureDeadline = Date.now() + 30_000;
      while (
        new Set(capture.got.map((c) => one(c.headers, 'webhook-id'))).size < wantIds.size &&
        Date.now() < captureDeadline
      )
        await new Promise((resolve) => setTimeout(resolve, 200));
      const entries = await suite.stack.ledger('/g1');
      const f = rowFigures(entries, expected, published);

      const verifier = new Webhook(captured.secret);
      const svix = new SvixWebhook(captured.secret);
      const rawById = new Map<string, Buffer>();
      let localFail = 0;
      let svixFail = 0;
      let manualFail = 0;
      for (const c of capture.got) {
        const id = one(c.headers, 'webhook-id');
        const timestamp = one(c.headers, 'webhook-timestamp');
        rawById.set(id, c.body);
        try {
          verifier.verify(
            c.body,
            {
              'webhook-id': id,
              'webhook-timestamp': timestamp,
              'webhook-signature': one(c.headers, 'webhook-signature'),
            },
            { jsonParse: false },
          );
        } catch {
          localFail++;
        }
        try {
          // svix reads the Standard Webhooks names (`webhook-*`) as well as its own (`svix-*`).
          svix.verify(c.body.toString('utf8'), {
            'webhook-id': id,
            'webhook-timestamp': timestamp,
            'webhook-signature': one(c.headers, 'webhook-signature'),
          });
        } catch {
          svixFail++;
        }
        const signatures = one(c.headers, 'webhook-signature').split(' ');
        if (!signatures.includes(expectedSignature(captured.secret, id, timestamp, c.body)))
          manualFail++;
      }
      const receiverFail = entries.filter((e) => e.signatureValid !== true).length;
      const hashMismatch = entries.filter((e) => {
        const raw = e.webhookId === null ? undefined : rawById.get(e.webhookId);
        return raw === undefined || createHash('sha256').update(raw).digest('hex') !== e.bodySha256;
      }).length;
      const contentMismatch: string[] = [];
      let keyOrderKept = true;
      let bigNumberTextKept = true;
      for (const s of specials) {
        const raw = s.id === null ? undefined : rawById.get(s.id);
        const sent =
          raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as { data: unknown });
        try {
          expect(sent?.data).toEqual(JSON.parse(s.raw));
        } catch {
          contentMismatch.push(s.kind);
        }
        if (s.kind === 'key_order' && raw !== undefined)
          keyOrderKept &&= raw.toString('utf8').includes('{"zeta":1,"alpha":2,"mid":{"b":1,"a":2}');
        if (s.kind === 'big_numbers' && raw !== undefined)
          bigNumberTextKept &&= raw.toString('utf8').includes('12345678901234567890');
      }
      reportRow({
        id: 'G1',
        title: 'signature conformance',
        figures: f,
        extra: {
          receipts: entries.length,
          captured: capture.got.length,
          verify_fail: receiverFail,
          verify_fail_local: localFail,
          id_ts_body_fail: manualFail,
          verify_fail_svix: svixFail,
          body_hash_mismatch: hashMismatch,
          content_mismatch:
            contentMismatch.length === 0 ? 0 : [...new Set(contentMismatch)].join('|'),
          key_order_kept: keyOrderKept,
          big_number_text_kept: bigNumberTextKept,
        },
      });

      expect(specials.map((s) => s.status)).toEqual(specials.map(() => 202));
      expect(f.sent).toBe(200 + 3 * Object.keys(SPECIAL_PAYLOADS).length);
      expect(f.lost).toBe(0);
      expect(f.duplicates).toBe(0);
      expect(entries).toHaveLength(2 * f.sent); // flaky/1: each id twice, signed afresh each time
      expect(new Set(capture.got.map((c) => one(c.headers, 'webhook-id')))).toEqual(wantIds);
      expect(receiverFail).toBe(0);
      expect(localFail).toBe(0);
      expect(svixFail).toBe(0);
      expect(manualFail).toBe(0);
      expect(hashMismatch).toBe(0);
      expect(contentMismatch).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => capture.server.close(() => resolve()));
      capture.server.closeAllConnections();
    }
  }, 150_000);

  it('G2 secrets are whsec_ + 24-64 random bytes, webhook-id and -timestamp are clean, webhook-* headers are refused', async () => {
    const count = 1000;
    const bulkTopic = 'conversation.read'; // never published: the thousand endpoints only hold secrets
    const createStart = Date.now();
    const secrets: string[] = [];
    const createdAt: number[] = [];
    const failedCreates: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < count) {
          const n = next++;
          try {
            secrets.push((await suite.stack.endpoint(`/g2/bulk/e${n}/ok`, [bulkTopic])).secret);
            createdAt.push(Date.now());
          } catch (error) {
            failedCreates.push(String(error));
          }
        }
      }),
    );
    const createS = (Date.now() - createStart) / 1000;
    // Creates per second over the first and the last hundred: a limit check that counts every endpoint
    // of the organization would slow down as they add up.
    const rate = (from: number, to: number): string =>
      (100 / Math.max(0.001, ((createdAt[to] ?? 0) - (createdAt[from] ?? 0)) / 1000)).toFixed(0);
    const lengths = secrets.map(decodedSecretBytes);
    const badFormat = lengths.filter((l) => l === null || l < 24 || l > 64).length;
    const sizes = lengths.filter((l): l is number => l !== null);

    const refusals: string[] = [];
    for (const name of ['webhook-id', 'Webhook-Timestamp', 'webhook-signature', 'WEBHOOK-ID']) {
      const response = await suite.stack.call('POST', '/v1/endpoints', {
        url: suite.stack.receiver.url('/g2/override/ok'),
        topics: [bulkTopic],
        requestConfig: { headers: { [name]: 'msg_forged' } },
      });
      const body = await response.text();
      refusals.push(
        `${response.status}:${body.includes('HEADER_RESERVED') ? 'HEADER_RESERVED' : body}`,
      );
    }
    const hdr = await suite.stack.endpoint('/g2/hdr/ok', ['conversation.user.replied']);
    const patch = await suite.stack.call('PATCH', `/v1/endpoints/${hdr.id}`, {
      requestConfig: { headers: { 'webhook-id': 'msg_forged' } },
    });
    const patchBody = await patch.text();
    refusals.push(
      `${patch.status}:${patchBody.includes('HEADER_RESERVED') ? 'HEADER_RESERVED' : patchBody}`,
    );

    await suite.stack.receiver.setSecret('/g2/hdr', hdr.secret);
    await startWorker();
    const key = (n: number): string => `order.${n}.created.v1`;
    const published = await publish({
      base: suite.stack.base,
      key: suite.stack.key,
      count: 20,
      topic: () => 'conversation.user.replied',
      idempotencyKey: key,
    });
    const replay = await publish({
      base: suite.stack.base,
      key: suite.stack.key,
      count: 1,
      numbers: [3],
      topic: () => 'conversation.user.replied',
      idempotencyKey: key,
    });
    const expected = fanOut([hdr.path], ids(published));
    await suite.stack.waitForLedger('/g2/hdr', deliveredAll(keysOf(expected)), 30_000);
    const entries = await suite.stack.ledger('/g2/hdr');
    const f = rowFigures(entries, expected, published);
    const idsWithDot = entries.filter(
      (e) => e.webhookId === null || e.webhookId.includes('.'),
    ).length;
    const apiIdsWithDot = ids(published).filter((id) => id.includes('.')).length;
    const notSeconds = entries.filter(
      (e) =>
        !/^\d{1,12}$/.test(e.webhookTimestamp ?? '') ||
        Math.abs(Number(e.webhookTimestamp) * 1000 - e.receivedAt) > 5000,
    ).length;
    const verifyFail = entries.filter((e) => e.signatureValid !== true).length;
    const replayedId = replay[0]?.id ?? null;
    reportRow({
      id: 'G2',
      title: 'secret format, header hygiene',
      figures: f,
      extra: {
        endpoints: secrets.length,
        create_s: createS.toFixed(1),
        creates_per_s_first_last: `${rate(0, 100)}/${rate(count - 101, count - 1)}`,
        min_bytes: Math.min(...sizes),
        max_bytes: Math.max(...sizes),
        bad_format: badFormat,
        duplicates: duplicatesOf(secrets),
        overrides: refusals.join(','),
        id_with_dot: idsWithDot,
        ts_not_seconds: verifyFail === 0 ? notSeconds : `${notSeconds}/verify_fail=${verifyFail}`,
        dotted_idempotency_key: `${published[0]?.status ?? 0}/replay_same_id=${replayedId === published[3]?.id}`,
      },
    });

    expect(failedCreates).toEqual([]);
    expect(secrets).toHaveLength(count);
    expect(badFormat).toBe(0);
    expect(duplicatesOf(secrets)).toBe(0);
    expect(refusals).toEqual(Array.from({ length: 5 }, () => '400:HEADER_RESERVED'));
    expect(published.map((p) => p.status)).toEqual(published.map(() => 202));
    expect(replayedId).toBe(published[3]?.id);
    expect(f.lost).toBe(0);
    expect(apiIdsWithDot).toBe(0);
    expect(idsWithDot).toBe(0);
    expect(notSeconds).toBe(0);
    expect(verifyFail).toBe(0);
  }, 150_000);
});

import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket } from 'node:tls';
import { EMPTY_POLICY, type OutboundPolicy, parseOutboundAllow } from '@hookyard/webhook-core';
import {
  type OutboundClientOptions,
  type OutboundRequest,
  type OutboundResult,
  OutboundClient,
  type ResolvedAddress,
} from './outbound-client';

const LOOPBACK_ONLY: OutboundPolicy = parseOutboundAllow(['127.0.0.1/32']);

interface Receiver {
  port: number;
  /** Requests that reached a handler. */
  hits: number;
  /** TCP (or TLS) connections accepted. */
  connections: number;
  requests: { url: string; headers: http.IncomingHttpHeaders; body: Buffer }[];
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(options: Partial<OutboundClientOptions> = {}): OutboundClient {
  const created = new OutboundClient({ policy: LOOPBACK_ONLY, ...options });
  cleanups.push(() => created.close());
  return created;
}

function post(url: string, extra: Partial<OutboundRequest> = {}): OutboundRequest {
  return {
    url,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"hello":"world"}'),
    timeoutMs: 5000,
    ...extra,
  };
}

function interval(fn: () => void, ms: number): NodeJS.Timeout {
  const timer = setInterval(fn, ms);
  cleanups.push(() => clearInterval(timer));
  return timer;
}

async function listen(server: net.Server, sockets: Set<net.Socket>): Promise<number> {
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as net.AddressInfo).port;
}

function instrument(
  server: http.Server | https.Server,
  handler: Handler,
  receiver: Receiver,
): void {
  server.on(server instanceof https.Server ? 'secureConnection' : 'connection', () => {
    receiver.connections += 1;
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      receiver.hits += 1;
      receiver.requests.push({
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      handler(req, res);
    });
  });
}

async function startHttp(handler: Handler): Promise<Receiver> {
  const server = http.createServer();
  const receiver: Receiver = { port: 0, hits: 0, connections: 0, requests: [] };
  instrument(server, handler, receiver);
  receiver.port = await listen(server, new Set());
  return receiver;
}

async function startHttps(tls: { key: Buffer; cert: Buffer }, handler: Handler): Promise<Receiver> {
  const server = https.createServer({ key: tls.key, cert: tls.cert });
  const receiver: Receiver = { port: 0, hits: 0, connections: 0, requests: [] };
  instrument(server, handler, receiver);
  receiver.port = await listen(server, new Set());
  return receiver;
}

/** A raw TCP receiver for behaviour `node:http` servers will not produce. */
async function startTcp(onSocket: (socket: net.Socket) => void): Promise<{ port: number }> {
  const server = net.createServer(onSocket);
  return { port: await listen(server, new Set()) };
}

function answer(...addresses: string[]): (hostname: string) => Promise<ResolvedAddress[]> {
  return () =>
    Promise.resolve(
      addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }) as const),
    );
}

function expectResponse(result: OutboundResult): Extract<OutboundResult, { kind: 'response' }> {
  if (result.kind !== 'response') {
    throw new Error(`expected a response, got ${result.errorClass}: ${result.message}`);
  }
  return result;
}

function expectError(
  result: OutboundResult,
  errorClass: string,
): Extract<OutboundResult, { kind: 'error' }> {
  if (result.kind !== 'error') throw new Error(`expected ${errorClass}, got HTTP ${result.status}`);
  expect(result.errorClass).toBe(errorClass);
  expect(result.message.length).toBeGreaterThan(0);
  return result;
}

describe('OutboundClient', () => {
  describe('responses', () => {
    it('posts the exact body with content-length, the default user agent and accept-encoding identity', async () => {
      const receiver = await startHttp((_req, res) => res.end('thanks'));
      const body = Buffer.from('{"id":"evt_1","ünï":"cödé"}');
      const result = await client().send(
        post(`http://127.0.0.1:${receiver.port}/ok?x=1`, {
          headers: { 'Content-Type': 'application/json', 'webhook-id': 'msg_1' },
          body,
        }),
      );

      const response = expectResponse(result);
      expect(response.status).toBe(200);
      expect(response.bodyExcerpt).toBe('thanks');
      expect(response.bodyBytes).toBe(6);
      expect(response.truncated).toBe(false);
      expect(response.headers['content-length']).toBe('6');
      expect(response.durationMs).toBeGreaterThan(0);
      const seen = receiver.requests[0];
      expect(seen?.url).toBe('/ok?x=1');
      expect(seen?.body.equals(body)).toBe(true);
      expect(seen?.headers['content-length']).toBe(String(body.length));
      expect(seen?.headers['user-agent']).toBe('Hookyard-Webhooks/1.0');
      expect(seen?.headers['accept-encoding']).toBe('identity');
      expect(seen?.headers['content-type']).toBe('application/json');
      expect(seen?.headers['webhook-id']).toBe('msg_1');
      expect(seen?.headers['host']).toBe(`127.0.0.1:${receiver.port}`);
    });

    it('counts the sockets serving a request, not the idle keep-alive ones', async () => {
      const held: http.ServerResponse[] = [];
      const receiver = await startHttp((_req, res) => held.push(res));
      const outbound = client();
      expect(outbound.connectionsInUse).toBe(0);
      const url = `http://127.0.0.1:${receiver.port}/`;
      const sends = [outbound.send(post(url)), outbound.send(post(url))];
      const until = async (condition: () => boolean) => {
        const deadline = Date.now() + 5000;
        while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      };
      await until(() => held.length === 2);
      expect(outbound.connectionsInUse).toBe(2);
      for (const res of held) res.end('done');
      await Promise.all(sends);
      await until(() => outbound.connectionsInUse === 0);
      expect(outbound.connectionsInUse).toBe(0);
      expect(receiver.connections).toBe(2);
    });

    it('keeps a caller-supplied user agent', async () => {
      const receiver = await startHttp((_req, res) => res.end());
      await client().send(
        post(`http://127.0.0.1:${receiver.port}/`, { headers: { 'User-Agent': 'Custom/2' } }),
      );
      expect(receiver.requests[0]?.headers['user-agent']).toBe('Custom/2');
    });

    it('returns a 204 with an empty body', async () => {
      const receiver = await startHttp((_req, res) => {
        res.statusCode = 204;
        res.end();
      });
      const response = expectResponse(
        await client().send(post(`http://127.0.0.1:${receiver.port}/`)),
      );
      expect(response).toMatchObject({
        status: 204,
        bodyExcerpt: '',
        bodyBytes: 0,
        truncated: false,
      });
    });

    it('returns a 500 as a response, not an error', async () => {
      const receiver = await startHttp((_req, res) => {
        res.statusCode = 500;
        res.end('boom');
      });
      const response = expectResponse(
        await client().send(post(`http://127.0.0.1:${receiver.port}/`)),
      );
      expect(response.status).toBe(500);
      expect(response.bodyExcerpt).toBe('boom');
    });

    it('S5 never follows a 302: the redirect target records no hits', async () => {
      const target = await startHttp((_req, res) => res.end('internal'));
      const redirector = await startHttp((_req, res) => {
        res.writeHead(302, { location: `http://127.0.0.1:${target.port}/secret` });
        res.end();
      });
      const response = expectResponse(
        await client().send(post(`http://127.0.0.1:${redirector.port}/redirect`)),
      );
      expect(response.status).toBe(302);
      expect(response.headers['location']).toBe(`http://127.0.0.1:${target.port}/secret`);
      expect(redirector.hits).toBe(1);
      expect(target.hits).toBe(0);
      expect(target.connections).toBe(0);
    });

    it('keeps excerptBytes of the body without splitting a utf8 character', async () => {
      const receiver = await startHttp((_req, res) => res.end('é'.repeat(100)));
      const response = expectResponse(
        await client({ excerptBytes: 11 }).send(post(`http://127.0.0.1:${receiver.port}/`)),
      );
      expect(response.bodyExcerpt).toBe('é'.repeat(5));
      expect(response.bodyBytes).toBe(200);
      expect(response.truncated).toBe(false);
    });

    it('reuses one keep-alive socket for sequential sends to the same origin', async () => {
      const receiver = await startHttp((_req, res) => res.end('ok'));
      const outbound = client();
      expectResponse(await outbound.send(post(`http://127.0.0.1:${receiver.port}/a`)));
      expectResponse(await outbound.send(post(`http://127.0.0.1:${receiver.port}/b`)));
      expect(receiver.hits).toBe(2);
      expect(receiver.connections).toBe(1);
    });

    it('S8 ignores HTTP_PROXY and HTTPS_PROXY', async () => {
      const receiver = await startHttp((_req, res) => res.end('direct'));
      const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy };
      process.env.HTTP_PROXY = 'http://127.0.0.1:9';
      process.env.http_proxy = 'http://127.0.0.1:9';
      try {
        const response = expectResponse(
          await client().send(post(`http://127.0.0.1:${receiver.port}/`)),
        );
        expect(response.bodyExcerpt).toBe('direct');
        expect(receiver.hits).toBe(1);
      } finally {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      }
    });
  });

  describe('R1 total deadline', () => {
    it('ends a receiver that never answers at timeoutMs', async () => {
      const receiver = await startHttp(() => undefined);
      const result = await client().send(
        post(`http://127.0.0.1:${receiver.port}/hang`, { timeoutMs: 1000 }),
      );
      expect(expectError(result, 'timeout').durationMs).toBeGreaterThanOrEqual(900);
      expect(result.durationMs).toBeLessThan(2000);
      expect(receiver.hits).toBe(1);
    });

    it('ends a receiver that accepts the connection and sends nothing', async () => {
      const silent = await startTcp(() => undefined);
      const result = await client().send(
        post(`http://127.0.0.1:${silent.port}/slow-headers`, { timeoutMs: 600 }),
      );
      expect(expectError(result, 'timeout').durationMs).toBeGreaterThanOrEqual(550);
      expect(result.durationMs).toBeLessThan(1500);
    });

    it('ends a receiver that trickles its headers one byte at a time', async () => {
      const trickle = await startTcp((socket) => {
        socket.on('error', () => undefined);
        socket.write('HTTP/1.1 200 OK\r\nX-Slow: ');
        interval(() => socket.write('a'), 200);
      });
      const result = await client().send(
        post(`http://127.0.0.1:${trickle.port}/`, { timeoutMs: 600 }),
      );
      expect(expectError(result, 'timeout').durationMs).toBeGreaterThanOrEqual(550);
      expect(result.durationMs).toBeLessThan(1500);
    });

    it('ends a drip-fed body (headers, then one byte every 200ms) at timeoutMs', async () => {
      const receiver = await startHttp((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.flushHeaders();
        const timer = interval(() => res.write('x'), 200);
        res.on('close', () => clearInterval(timer));
      });
      const result = await client().send(
        post(`http://127.0.0.1:${receiver.port}/drip`, { timeoutMs: 800 }),
      );
      expect(expectError(result, 'timeout').durationMs).toBeGreaterThanOrEqual(750);
      expect(result.durationMs).toBeLessThan(1700);
    });

    it('counts DNS time against the deadline', async () => {
      const receiver = await startHttp((_req, res) => res.end());
      const result = await client({ lookup: () => new Promise(() => undefined) }).send(
        post(`http://slow-dns.test:${receiver.port}/`, { timeoutMs: 500 }),
      );
      expect(expectError(result, 'timeout').durationMs).toBeGreaterThanOrEqual(450);
      expect(result.durationMs).toBeLessThan(1500);
      expect(receiver.connections).toBe(0);
    });
  });

  describe('R2 body cap', () => {
    it('truncates a 50 MB body at maxBodyBytes, drops the connection and returns quickly', async () => {
      const total = 50 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 'z');
      let sent = 0;
      let serverClosed: Promise<unknown> = Promise.resolve();
      const receiver = await startHttp((_req, res) => {
        serverClosed = once(res, 'close');
        res.writeHead(200, { 'content-length': String(total) });
        const pump = (): void => {
          while (sent < total && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          if (sent >= total) res.end();
        };
        pump();
      });

      const result = await client({ maxBodyBytes: 65_536, excerptBytes: 100 }).send(
        post(`http://127.0.0.1:${receiver.port}/huge`),
      );

      const response = expectResponse(result);
      expect(response.status).toBe(200);
      expect(response.truncated).toBe(true);
      expect(response.bodyBytes).toBeLessThanOrEqual(65_536);
      expect(response.bodyBytes).toBeGreaterThan(0);
      expect(response.bodyExcerpt).toBe('z'.repeat(100));
      expect(response.durationMs).toBeLessThan(2000);
      await serverClosed;
      expect(sent).toBeLessThan(total);
    });
  });

  describe('R3 network failures', () => {
    it('reports a connection reset on accept as connect', async () => {
      const reset = await startTcp((socket) => socket.destroy());
      const result = await client().send(post(`http://127.0.0.1:${reset.port}/reset`));
      expectError(result, 'connect');
    });

    it('reports a closed port as connect', async () => {
      const probe = net.createServer();
      probe.listen(0, '127.0.0.1');
      await once(probe, 'listening');
      const { port } = probe.address() as net.AddressInfo;
      await new Promise<void>((resolve) => probe.close(() => resolve()));

      const result = await client().send(post(`http://127.0.0.1:${port}/`));
      expect(expectError(result, 'connect').message).toMatch(/ECONNREFUSED/);
    });

    it('R2 reports a 64 KB response header as protocol', async () => {
      const receiver = await startHttp((_req, res) => {
        res.setHeader('x-big', 'a'.repeat(64 * 1024));
        res.end('ok');
      });
      const result = await client().send(post(`http://127.0.0.1:${receiver.port}/big-headers`));
      expect(expectError(result, 'protocol').message).toMatch(/HPE_HEADER_OVERFLOW/);
    });

    it('reports a failed lookup as dns without connecting', async () => {
      const receiver = await startHttp((_req, res) => res.end());
      const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), {
        code: 'ENOTFOUND',
      });
      const result = await client({ lookup: () => Promise.reject(notFound) }).send(
        post(`http://nowhere.test:${receiver.port}/`),
      );
      expectError(result, 'dns');
      const empty = await client({ lookup: answer() }).send(
        post(`http://nowhere.test:${receiver.port}/`),
      );
      expectError(empty, 'dns');
      expect(receiver.connections).toBe(0);
    });

    it('refuses unsupported schemes and credentials in the URL as protocol', async () => {
      const outbound = client();
      expectError(await outbound.send(post('ftp://127.0.0.1/')), 'protocol');
      expectError(await outbound.send(post('http://user:pass@127.0.0.1/')), 'protocol');
      expectError(await outbound.send(post('not a url')), 'protocol');
    });
  });

  describe('R4 TLS', () => {
    let dir: string;
    let tls: { key: Buffer; cert: Buffer };

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'hookyard-tls-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=tls.test',
          '-addext',
          'subjectAltName=DNS:tls.test,IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reports a self-signed certificate as tls', async () => {
      const receiver = await startHttps(tls, (_req, res) => res.end('secret'));
      const result = await client().send(post(`https://127.0.0.1:${receiver.port}/tls-selfsigned`));
      expectError(result, 'tls');
      expect(receiver.hits).toBe(0);
    });

    it('trusts the certificate when it is the configured ca, with the host name as SNI', async () => {
      let servername: string | false | null | undefined;
      const receiver = await startHttps(tls, (req, res) => {
        servername = (req.socket as TLSSocket).servername;
        res.end('secure');
      });
      const result = await client({ ca: tls.cert, lookup: answer('127.0.0.1') }).send(
        post(`https://tls.test:${receiver.port}/`),
      );
      const response = expectResponse(result);
      expect(response.bodyExcerpt).toBe('secure');
      expect(servername).toBe('tls.test');
      expect(receiver.requests[0]?.headers['host']).toBe(`tls.test:${receiver.port}`);
    });
  });

  describe('S3 S4 SSRF guard', () => {
    it('refuses 127.0.0.1 under the empty policy without connecting', async () => {
      const receiver = await startHttp((_req, res) => res.end());
      const result = await client({ policy: EMPTY_POLICY }).send(
        post(`http://127.0.0.1:${receiver.port}/`),
      );
      expectError(result, 'ssrf_blocked');
      expect(receiver.hits).toBe(0);
      expect(receiver.connections).toBe(0);
    });

    it('refuses a host name that resolves to loopback (evil.test)', async () => {
      const receiver = await startHttp((_req, res) => res.end());
      const result = await client({ policy: EMPTY_POLICY, lookup: answer('127.0.0.1') }).send(
        post(`http://evil.test:${receiver.port}/`),
      );
      expectError(result, 'ssrf_blocked');
      expect(receiver.hits).toBe(0);
      expect(receiver.connections).toBe(0);
    });

    it('refuses the whole target when the answer mixes public and private addresses', async () => {
      const receiver = await startHttp((_req, res) => res.end());
      const outbound = client({
        policy: EMPTY_POLICY,
        lookup: answer('93.184.216.34', '127.0.0.1'),
      });
      const result = await outbound.send(post(`http://mixed.test:${receiver.port}/`));
      const { message } = expectError(result, 'ssrf_blocked');
      expect(message).toBe('the destination address is not allowed: loopback');
      expect(message).not.toContain('127.0.0.1');
      expect(receiver.connections).toBe(0);
    });

    it('X5 lets a request through on its own allowance, beside the client policy, marked not public', async () => {
      const receiver = await startHttp((_req, res) => res.end('inside'));
      const outbound = client({ policy: EMPTY_POLICY });
      const url = `http://127.0.0.1:${receiver.port}/`;
      expectError(await outbound.send(post(url)), 'ssrf_blocked');
      expectError(
        await outbound.send(post(url, { allow: parseOutboundAllow(['10.0.0.0/8']) })),
        'ssrf_blocked',
      );
      const allowed = await outbound.send(post(url, { allow: parseOutboundAllow(['127.0.0.1']) }));
      expect(expectResponse(allowed)).toMatchObject({
        status: 200,
        bodyExcerpt: 'inside',
        publicAddress: false,
      });
      expect(receiver.hits).toBe(1);
    });

    it('connects to the checked address only, keeping the original Host (rebind.test)', async () => {
      const receiver = await startHttp((_req, res) => res.end('pinned'));
      let calls = 0;
      // A rebinding resolver: the first answer passes the guard, any later one points elsewhere.
      const lookup = (): Promise<ResolvedAddress[]> => {
        calls += 1;
        return Promise.resolve([{ address: calls === 1 ? '127.0.0.1' : '10.0.0.1', family: 4 }]);
      };
      const result = await client({ lookup }).send(post(`http://rebind.test:${receiver.port}/`));

      expect(expectResponse(result).bodyExcerpt).toBe('pinned');
      expect(calls).toBe(1);
      expect(receiver.hits).toBe(1);
      expect(receiver.requests[0]?.headers['host']).toBe(`rebind.test:${receiver.port}`);
    });
  });
});

import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { type AddressInfo } from 'node:net';
import { deliveryKey } from './figures';
import { gzipBomb } from './gzip-bomb';
import { Ledger } from './ledger';
import { type LedgerEntry } from './ledger-entry';
import { acknowledges, type Mode, parsePath, plannedStatus } from './modes';
import { SecretBook, SecretError } from './signatures';
import { selfSignedCertificate } from './tls-certificate';

export interface ReceiverOptions {
  /** Plain HTTP port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** HTTPS port with the self-signed certificate; 0 (default) picks a free one. */
  readonly tlsPort?: number;
  /** Appends every ledger entry to this file as one JSON line. */
  readonly ledgerFile?: string;
  /** Pace of `/drip` and `/slow-headers`: one byte per interval (default 1000 ms). */
  readonly dripIntervalMs?: number;
  /** Where the TLS certificate comes from (default: a fresh one from openssl, else the fixture). */
  readonly certificate?: 'openssl' | 'fixture';
}

/** A running misbehaving receiver (docs/reliability.md, "The misbehaving receiver"). */
export interface Receiver {
  readonly port: number;
  readonly tlsPort: number;
  /** The PEM certificate of the HTTPS server, for tests that configure it as a trusted CA. */
  readonly tlsCertificate: string;
  url(path: string): string;
  tlsUrl(path: string): string;
  ledger(): Ledger;
  /** Resolves with the entries once `predicate` holds over them; rejects after `timeoutMs`. */
  waitFor(
    predicate: (entries: readonly LedgerEntry[]) => boolean,
    timeoutMs?: number,
  ): Promise<readonly LedgerEntry[]>;
  /** Verifies deliveries to endpoints at or below `pathPrefix` with this `whsec_` secret. */
  setSecret(pathPrefix: string, secret: string): void;
  /** Requests being answered right now (hanging and streaming ones included). */
  inFlight(): number;
  /** Forgets the ledger, the attempt counters and the secrets (the ledger file is kept). */
  reset(): void;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const CHUNK = Buffer.alloc(64 * 1024, 'x');
const MEGABYTE = 1024 * 1024;
/** The header `/slow-headers` writes one byte at a time and never finishes. */
const SLOW_HEAD = 'HTTP/1.1 200 OK\r\nx-slow: ';

/** Starts the plain and TLS servers on 127.0.0.1. */
export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const dripMs = options.dripIntervalMs ?? 1000;
  const ledger = new Ledger();
  const secrets = new SecretBook();
  const attempts = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const certificate = selfSignedCertificate(options.certificate);
  let seq = 0;

  const record = (entry: Omit<LedgerEntry, 'seq'>): void => {
    const full: LedgerEntry = { seq: ++seq, ...entry };
    ledger.add(full);
    if (options.ledgerFile) appendFileSync(options.ledgerFile, `${JSON.stringify(full)}\n`);
  };

  const inFlightNow = (): number => [...inFlight.values()].reduce((sum, n) => sum + n, 0);

  const reset = (): void => {
    ledger.clear();
    attempts.clear();
    secrets.clear();
    seq = 0;
  };

  const handle = async (
    request: IncomingMessage,
    response: ServerResponse,
    tls: boolean,
  ): Promise<void> => {
    const receivedAt = Date.now();
    const target = request.url ?? '/';
    if (!tls && target.startsWith('/__')) return control(request, response);
    const parsed = parsePath(target);
    const mode: Mode | null = tls ? null : parsed.mode;
    const webhookId = header(request, 'webhook-id');
    const key = deliveryKey(parsed.endpoint, webhookId);
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const concurrent = (inFlight.get(key) ?? 0) + 1;
    inFlight.set(key, concurrent);
    response.once('close', () => {
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left === 0) inFlight.delete(key);
      else inFlight.set(key, left);
    });
    const status = mode ? plannedStatus(mode, attempt) : 200;
    const base = {
      receivedAt,
      method: request.method ?? 'GET',
      path: target,
      endpoint: parsed.endpoint,
      mode: mode ? mode.name : ('tls-selfsigned' as const),
      tls,
      webhookId,
      webhookTimestamp: header(request, 'webhook-timestamp'),
      signature: header(request, 'webhook-signature'),
      attempt,
      concurrent,
      status,
      acked: mode ? acknowledges(mode, status) : true,
    };
    if (mode?.name === 'reset') {
      record({
        ...base,
        bodySha256: null,
        bodyBytes: 0,
        signatureValid: null,
        signatureError: null,
      });
      request.socket.destroy();
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch {
      return; // the client went away mid-body: nothing was received
    }
    const check = secrets.check(parsed.endpoint, body, request.headers);
    // A slow answer counts only if it was sent: a sender that died while waiting got nothing.
    const answered = mode?.name === 'slow' ? await waitOrClose(response, mode.ms) : true;
    const outcome = answered ? {} : { status: 0, acked: false };
    record({
      ...base,
      ...outcome,
      bodySha256: createHash('sha256').update(body).digest('hex'),
      bodyBytes: body.length,
      signatureValid: check.valid,
      signatureError: check.error,
    });
    if (!mode) return void response.writeHead(200, TEXT).end('ok');
    if (!answered) return;
    await answer(mode, parsed.prefix, status, request, response, dripMs);
  };

  const control = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const route = `${request.method} ${(request.url ?? '').split('?')[0]}`;
    const body = await readBody(request).catch(() => Buffer.alloc(0));
    switch (route) {
      case 'GET /__ledger':
        return void response.writeHead(200, JSON_TYPE).end(JSON.stringify(ledger.entries));
      case 'GET /__in-flight':
        return void response
          .writeHead(200, JSON_TYPE)
          .end(JSON.stringify({ inFlight: inFlightNow() }));
      case 'GET /__tls-cert':
        return void response
          .writeHead(200, { 'content-type': 'application/x-pem-file' })
          .end(certificate.cert);
      case 'POST /__reset':
        reset();
        return void response.writeHead(204).end();
      case 'POST /__secrets': {
        let parsed: { pathPrefix?: unknown; secret?: unknown };
        try {
          parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
        } catch {
          return problem(response, 400, 'MALFORMED_JSON', 'body', 'The body is not JSON.');
        }
        try {
          secrets.set(parsed?.pathPrefix, parsed?.secret);
        } catch (error) {
          if (error instanceof SecretError)
            return problem(response, 400, error.code, error.field, error.message);
          throw error;
        }
        return void response.writeHead(204).end();
      }
      default:
        return problem(response, 404, 'NOT_FOUND', 'path', `No control route ${route}.`);
    }
  };

  const plain = createServer(listener(handle, false));
  const secure = createTlsServer(
    { key: certificate.key, cert: certificate.cert },
    listener(handle, true),
  );
  const port = await listen(plain, options.port ?? 0);
  const tlsPort = await listen(secure, options.tlsPort ?? 0).catch(async (error: unknown) => {
    await closeServer(plain);
    throw error;
  });

  return {
    port,
    tlsPort,
    tlsCertificate: certificate.cert,
    url: (path) => `http://${HOST}:${port}${path}`,
    tlsUrl: (path) => `https://${HOST}:${tlsPort}${path}`,
    ledger: () => ledger,
    waitFor: (predicate, timeoutMs = 15_000) => waitFor(ledger, predicate, timeoutMs),
    setSecret: (pathPrefix, secret) => secrets.set(pathPrefix, secret),
    inFlight: inFlightNow,
    reset,
    close: async () => {
      await Promise.all([closeServer(plain), closeServer(secure)]);
    },
  };
}

const TEXT = { 'content-type': 'text/plain' };
const JSON_TYPE = { 'content-type': 'application/json' };

/** Answers one request the way its mode says. */
async function answer(
  mode: Mode,
  prefix: string,
  status: number,
  request: IncomingMessage,
  response: ServerResponse,
  dripMs: number,
): Promise<void> {
  switch (mode.name) {
    case 'ok':
    case 'status':
    case 'flaky':
    case 'gone':
    case 'unknown':
      return void response.writeHead(status, TEXT).end(hasBody(status) ? `status ${status}` : '');
    case 'slow': // the wait is over (handle waited before recording)
      return void response.writeHead(status, TEXT).end('ok');
    case 'retry-after':
      return void response
        .writeHead(status, { ...TEXT, 'retry-after': mode.value })
        .end('slow down');
    case 'redirect':
      return void response.writeHead(status, { location: mode.location ?? `${prefix}/ok` }).end();
    case 'reset-after-body':
      if (status === 0) {
        // Processed, then the acknowledgement is lost: an RST, not a clean FIN.
        const socket = request.socket;
        if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
        else socket.destroy();
        return;
      }
      return void response.writeHead(status, TEXT).end('ok');
    case 'hang':
    case 'reset':
      return; // accepted (reset never gets here); no answer until the client gives up
    case 'slow-headers':
      return slowHeaders(request, response, dripMs);
    case 'drip': {
      response.writeHead(status, TEXT);
      response.write('.');
      const timer = setInterval(() => response.write('.'), dripMs);
      response.once('close', () => clearInterval(timer));
      return;
    }
    case 'huge':
      return stream(response, status, mode.megabytes * MEGABYTE);
    case 'infinite':
      return stream(response, status, Number.POSITIVE_INFINITY);
    case 'gzip-bomb': {
      const bomb = await gzipBomb();
      if (response.destroyed) return;
      return void response
        .writeHead(status, {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': String(bomb.length),
        })
        .end(bomb);
    }
    case 'big-headers':
      return void response.writeHead(status, { ...TEXT, 'x-big': 'a'.repeat(64 * 1024) }).end('ok');
  }
}

/** Resolves true after `ms`, or false as soon as the client goes away. */
function waitOrClose(response: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      response.off('close', gone);
      resolve(!response.destroyed);
    }, ms);
    const gone = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    response.once('close', gone);
  });
}

/** Writes the status line and a header one byte per interval, never finishing the head. */
function slowHeaders(request: IncomingMessage, response: ServerResponse, dripMs: number): void {
  const socket = request.socket;
  let next = 0;
  const writeByte = (): void => {
    if (socket.destroyed) return;
    socket.write(next < SLOW_HEAD.length ? SLOW_HEAD.charAt(next++) : 'a');
  };
  writeByte();
  const timer = setInterval(writeByte, dripMs);
  response.once('close', () => clearInterval(timer));
}

/** A chunked 200 of `bytes` bytes (or endless), written with backpressure until the client goes. */
function stream(response: ServerResponse, status: number, bytes: number): void {
  response.writeHead(status, { 'content-type': 'application/octet-stream' });
  let left = bytes;
  const pump = (): void => {
    while (left > 0 && !response.destroyed) {
      const part = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= part.length;
      if (!response.write(part)) {
        response.once('drain', pump);
        return;
      }
    }
    if (!response.destroyed) response.end();
  };
  pump();
}

function listener(
  handle: (request: IncomingMessage, response: ServerResponse, tls: boolean) => Promise<void>,
  tls: boolean,
): RequestListener {
  return (request, response) => {
    handle(request, response, tls).catch(() => response.destroy());
  };
}

function problem(
  response: ServerResponse,
  status: number,
  code: string,
  field: string,
  detail: string,
): void {
  response
    .writeHead(status, { 'content-type': 'application/problem+json' })
    .end(JSON.stringify({ type: 'about:blank', title: code, status, code, field, detail }));
}

function hasBody(status: number): boolean {
  return status !== 204 && status !== 304;
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function waitFor(
  ledger: Ledger,
  predicate: (entries: readonly LedgerEntry[]) => boolean,
  timeoutMs: number,
): Promise<readonly LedgerEntry[]> {
  return new Promise((resolve, reject) => {
    if (predicate(ledger.entries)) return resolve(ledger.entries);
    const timer = setTimeout(() => {
      stop();
      reject(
        new Error(
          `receiver: condition not met within ${timeoutMs} ms (${ledger.entries.length} entries)`,
        ),
      );
    }, timeoutMs);
    const stop = ledger.onEntry(() => {
      if (!predicate(ledger.entries)) return;
      clearTimeout(timer);
      stop();
      resolve(ledger.entries);
    });
  });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

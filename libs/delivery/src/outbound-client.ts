import * as http from 'node:http';
import * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { classifyAddress, combinePolicies, type OutboundPolicy } from '@hookyard/webhook-core';
import {
  describe,
  errorCode,
  parseTarget,
  pinnedLookup,
  type ResolvedAddress,
  resolveTarget,
  systemLookup,
  type Target,
} from './outbound-target';

export type { ResolvedAddress } from './outbound-target';

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Total deadline for DNS, connect, headers and body together. */
  timeoutMs: number;
  /** The sending organization's own allowance, let through beside the client's policy. */
  allow?: OutboundPolicy;
}

/**
 * Why a try failed before any response. `internal` means Hookyard could not prepare the request (a
 * secret it cannot decrypt, say): nothing was sent, and the endpoint's health is not charged.
 */
export type OutboundErrorClass =
  'timeout' | 'connect' | 'dns' | 'tls' | 'ssrf_blocked' | 'protocol' | 'internal';

export type OutboundResult =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string>;
      bodyExcerpt: string;
      bodyBytes: number;
      truncated: boolean;
      durationMs: number;
      /** Whether the address connected to is public (not one an allow-list entry let through). */
      publicAddress: boolean;
    }
  | { kind: 'error'; errorClass: OutboundErrorClass; message: string; durationMs: number };

export interface OutboundClientOptions {
  policy: OutboundPolicy;
  /** Read at most this much of the response body, then destroy the socket (default 65536). */
  maxBodyBytes?: number;
  /** Keep this much of the body as `bodyExcerpt` (utf8, default 2048). */
  excerptBytes?: number;
  /** Injectable DNS for tests; default `node:dns/promises` `lookup` with `all: true`. */
  lookup?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Keep-alive sockets per origin (default 10). */
  maxSocketsPerOrigin?: number;
  /** Extra trusted CA (tests). Certificates are always verified. */
  ca?: string | Buffer;
}

export const DEFAULT_USER_AGENT = 'Hookyard-Webhooks/1.0';
const DEFAULT_MAX_BODY_BYTES = 65_536;
const DEFAULT_EXCERPT_BYTES = 2048;
const DEFAULT_MAX_SOCKETS_PER_ORIGIN = 10;
/** Node's default; pinned so a `--max-http-header-size` flag cannot loosen it. */
const MAX_RESPONSE_HEADER_BYTES = 16_384;
/**
 * Idle keep-alive sockets are dropped after this long: shorter than the 5 s most servers keep an idle
 * connection, so we rarely reuse a socket the receiver is closing.
 */
const IDLE_SOCKET_MS = 4000;
const MAX_TIMER_MS = 2_147_483_647;

type Settle = (result: OutboundResult) => void;

/**
 * POSTs one webhook to one receiver with the guarantees the delivery worker relies on: the SSRF guard
 * runs on every resolved address and the socket is pinned to the address that was checked, one total
 * deadline, redirects never followed, bounded body reads, no decompression, and errors sorted into a
 * small set of classes. `send` never throws.
 *
 * Proxy variables (`HTTP_PROXY`, `HTTPS_PROXY`) are ignored on purpose: `node:http` does not read
 * them, and every request goes through one of our own agents, so even a proxy-aware global agent
 * could not route a delivery around the guard.
 */
export class OutboundClient {
  private readonly policy: OutboundPolicy;
  private readonly maxBodyBytes: number;
  private readonly excerptBytes: number;
  private readonly resolveHost: (hostname: string) => Promise<ResolvedAddress[]>;
  private readonly maxSocketsPerOrigin: number;
  private readonly ca: string | Buffer | undefined;
  private readonly agents = new Map<string, http.Agent>();

  constructor(options: OutboundClientOptions) {
    this.policy = options.policy;
    this.maxBodyBytes = Math.max(0, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    this.excerptBytes = Math.max(0, options.excerptBytes ?? DEFAULT_EXCERPT_BYTES);
    this.resolveHost = options.lookup ?? systemLookup;
    this.maxSocketsPerOrigin = Math.max(
      1,
      options.maxSocketsPerOrigin ?? DEFAULT_MAX_SOCKETS_PER_ORIGIN,
    );
    this.ca = options.ca;
  }

  async send(request: OutboundRequest): Promise<OutboundResult> {
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    const failure = (errorClass: OutboundErrorClass, message: string): OutboundResult => ({
      kind: 'error',
      errorClass,
      message,
      durationMs: elapsed(),
    });

    const target = parseTarget(request.url);
    if (typeof target === 'string') return failure('protocol', target);

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), clampTimeout(request.timeoutMs));
    try {
      const policy = request.allow ? combinePolicies(this.policy, request.allow) : this.policy;
      const resolved = await resolveTarget(target, this.resolveHost, policy, deadline.signal);
      if (deadline.signal.aborted) return failure('timeout', timeoutMessage(request.timeoutMs));
      if ('errorClass' in resolved) return failure(resolved.errorClass, resolved.message);
      return await new Promise<OutboundResult>((resolve) => {
        this.exchange(target, resolved, request, deadline.signal, elapsed, resolve);
      });
    } catch (error) {
      // Defensive: nothing above should throw, but `send` must never reject.
      return failure('protocol', describe(error));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sockets serving a request now, over every origin (idle keep-alive sockets not counted). */
  get connectionsInUse(): number {
    let inUse = 0;
    for (const agent of this.agents.values())
      for (const sockets of Object.values(agent.sockets)) inUse += sockets?.length ?? 0;
    return inUse;
  }

  /** Destroys every pooled socket. Later sends open new connections. */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private exchange(
    target: Target,
    pinned: ResolvedAddress,
    request: OutboundRequest,
    signal: AbortSignal,
    elapsed: () => number,
    resolve: Settle,
  ): void {
    let settled = false;
    let req: http.ClientRequest | undefined;
    let res: http.IncomingMessage | undefined;
    const settle = (result: OutboundResult): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onDeadline);
      resolve(result);
    };
    const fail = (errorClass: OutboundErrorClass, message: string): void =>
      settle({ kind: 'error', errorClass, message, durationMs: elapsed() });
    const publicAddress = classifyAddress(pinned.address) === null;
    const onDeadline = (): void => {
      fail('timeout', timeoutMessage(request.timeoutMs));
      res?.destroy();
      req?.destroy();
    };
    if (signal.aborted) return onDeadline();
    signal.addEventListener('abort', onDeadline, { once: true });

    const options: https.RequestOptions = {
      method: 'POST',
      protocol: target.secure ? 'https:' : 'http:',
      hostname: target.hostname,
      port: target.port,
      path: `${target.url.pathname}${target.url.search}`,
      headers: buildHeaders(request, target),
      agent: this.agentFor(target),
      // Connect to the checked address and nothing else, so a second DNS answer (rebinding) cannot
      // swap the destination between the check and the connect.
      lookup: pinnedLookup(pinned),
      family: pinned.family,
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      insecureHTTPParser: false,
    };
    if (target.secure) {
      options.rejectUnauthorized = true;
      // SNI and certificate checks use the host name, never the pinned IP.
      if (!target.literal) options.servername = target.hostname;
    }

    try {
      req = (target.secure ? https : http).request(options);
    } catch (error) {
      // Invalid header names or values are rejected synchronously.
      return fail('protocol', describe(error));
    }

    req.on('error', (error) => fail(classify(error), describe(error)));
    req.on('upgrade', (_response, socket) => {
      socket.destroy();
      fail('protocol', 'receiver answered with a protocol upgrade');
    });
    req.on('response', (response) => {
      res = response;
      this.readBody(response, elapsed, publicAddress, settle, fail);
    });
    req.end(request.body);
  }

  private readBody(
    response: http.IncomingMessage,
    elapsed: () => number,
    publicAddress: boolean,
    settle: Settle,
    fail: (errorClass: OutboundErrorClass, message: string) => void,
  ): void {
    const status = response.statusCode ?? 0;
    const decoder = new StringDecoder('utf8');
    let excerpt = '';
    let excerptRoom = this.excerptBytes;
    let bodyBytes = 0;
    const done = (truncated: boolean): void =>
      settle({
        kind: 'response',
        status,
        headers: flattenHeaders(response.headers),
        // The decoder holds back a character cut by the excerpt limit instead of emitting U+FFFD.
        bodyExcerpt: excerpt,
        bodyBytes,
        truncated,
        durationMs: elapsed(),
        publicAddress,
      });

    response.on('data', (chunk: Buffer) => {
      const room = this.maxBodyBytes - bodyBytes;
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      bodyBytes += kept.length;
      if (excerptRoom > 0) {
        const part = kept.subarray(0, excerptRoom);
        excerptRoom -= part.length;
        excerpt += decoder.write(part);
      }
      if (chunk.length > room) {
        // Cap reached: stop reading and drop the connection so the rest is never buffered.
        done(true);
        response.destroy();
      }
    });
    response.on('end', () => done(false));
    response.on('error', (error) => fail(classify(error), describe(error)));
    response.on('close', () => {
      if (!response.complete) {
        // Retrying is the safe side of at-least-once: the receiver may not have processed it.
        fail('connect', `connection closed while reading the ${status} response body`);
      }
    });
  }

  private agentFor(target: Target): http.Agent {
    const key = target.url.origin;
    let agent = this.agents.get(key);
    if (agent === undefined) {
      const options: https.AgentOptions = {
        keepAlive: true,
        maxSockets: this.maxSocketsPerOrigin,
        maxFreeSockets: this.maxSocketsPerOrigin,
        timeout: IDLE_SOCKET_MS,
        scheduling: 'lifo',
      };
      if (target.secure && this.ca !== undefined) options.ca = this.ca;
      agent = target.secure ? new https.Agent(options) : new http.Agent(options);
      this.agents.set(key, agent);
    }
    return agent;
  }
}

function buildHeaders(request: OutboundRequest, target: Target): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers['user-agent'] ??= DEFAULT_USER_AGENT;
  // The transport owns these: the body length is what we send, the Host is the URL's (not the pinned
  // IP), and we never decompress, so we never ask for compression.
  headers['content-length'] = String(request.body.length);
  headers['host'] = target.url.host;
  headers['accept-encoding'] = 'identity';
  return headers;
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

const DNS_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  'ENODATA',
]);
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

/** Sorts a socket, TLS or parser error into an error class; unknown network errors count as connect. */
export function classify(error: unknown): OutboundErrorClass {
  const code = errorCode(error);
  if (DNS_CODES.has(code)) return 'dns';
  if (
    TLS_CODES.has(code) ||
    code.startsWith('CERT_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_')
  ) {
    return 'tls';
  }
  if (
    code.startsWith('HPE_') ||
    code.startsWith('ERR_HTTP_') ||
    code === 'ERR_INVALID_CHAR' ||
    code === 'ERR_INVALID_HTTP_TOKEN'
  ) {
    return 'protocol';
  }
  return 'connect';
}

function timeoutMessage(timeoutMs: number): string {
  return `no complete response within ${timeoutMs}ms`;
}

function clampTimeout(timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs)) return MAX_TIMER_MS;
  return Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(timeoutMs)));
}

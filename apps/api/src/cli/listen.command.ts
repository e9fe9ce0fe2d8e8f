import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { verifyPayload, WEBHOOK_HEADERS } from '@hookyard/webhook-core';

/** What `hookyard listen` runs with, from its flags and the environment. */
export interface ListenOptions {
  readonly port: number;
  readonly key: string;
  /** The Hookyard API that holds the endpoints' secrets, without a trailing slash. */
  readonly api: string;
}

/** An endpoint that points at this listener, with the secrets it signs with now. */
interface EndpointSecrets {
  readonly id: string;
  readonly secrets: readonly string[];
}

/** One page of `GET /v1/endpoints`, as far as the listener reads it. */
interface EndpointPage {
  readonly data: readonly { readonly id: string; readonly url: string }[];
  readonly nextCursor: string | null;
}

type Verdict = { readonly endpointId: string } | { readonly reason: string };

const DEFAULT_PORT = 4000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Reads `--port`, `--key` (else HOOKYARD_API_KEY) and `--api` (else the API on PORT, default 3000);
 * returns what is wrong when they do not make a listener.
 */
export function readListenOptions(
  flags: { port?: string; key?: string; api?: string },
  env: NodeJS.ProcessEnv,
): ListenOptions | { problem: string } {
  const key = flags.key?.trim() || env['HOOKYARD_API_KEY']?.trim();
  if (!key) return { problem: 'an API key is needed: --key <key> or HOOKYARD_API_KEY' };
  const port = flags.port === undefined ? DEFAULT_PORT : Number(flags.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return { problem: '--port must be an integer from 1 to 65535' };
  const api = (flags.api ?? `http://127.0.0.1:${env['PORT']?.trim() || 3000}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(api)) return { problem: '--api must be an http(s) URL' };
  return { port, key, api };
}

/**
 * `hookyard listen`: a receiver on 127.0.0.1 that answers 200 to every POST and prints what came,
 * with whether its signature verifies against the secrets of the endpoints that point here.
 * Resolves with 0 once SIGINT or SIGTERM has closed it.
 */
export async function listen(options: ListenOptions): Promise<number> {
  const secrets = new SecretBook(options);
  const server = createServer((request, response) => {
    receive(request, response, secrets).catch((error: unknown) =>
      process.stderr.write(`hookyard listen: ${messageOf(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `listening on http://127.0.0.1:${port}/ — create an endpoint with this URL (secrets from ${options.api})\n`,
  );
  // Handlers stay on after the first signal: npm passes Ctrl-C on as well, and a second SIGINT
  // without a handler would end the process with 130.
  return new Promise((resolve) => {
    const stop = () => {
      if (!server.listening) return;
      server.close(() => resolve(0));
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Answers 200 as soon as the body is in, then prints the message and whether it verifies. */
async function receive(
  request: IncomingMessage,
  response: ServerResponse,
  secrets: SecretBook,
): Promise<void> {
  if (request.method !== 'POST') {
    response.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const body = await readBody(request);
  response.writeHead(200).end();
  const verdict = await secrets.verify(body, request.headers);
  process.stdout.write(`${summary(body, request.headers, verdict)}\n${indent(body)}\n`);
}

/**
 * The secrets of the organization's endpoints on this port, fetched on first use and again when a
 * message does not verify (the secret may have been rotated, or the endpoint made since).
 */
class SecretBook {
  private endpoints: Promise<EndpointSecrets[]> | null = null;

  constructor(private readonly options: ListenOptions) {}

  async verify(body: Buffer, headers: IncomingMessage['headers']): Promise<Verdict> {
    const cached = this.endpoints;
    if (cached) {
      const verdict = await this.check(cached, body, headers);
      if ('endpointId' in verdict) return verdict;
      if (this.endpoints === cached) this.endpoints = null; // unless another message refetched already
    }
    this.endpoints ??= fetchSecrets(this.options);
    return this.check(this.endpoints, body, headers);
  }

  private async check(
    endpoints: Promise<EndpointSecrets[]>,
    body: Buffer,
    headers: IncomingMessage['headers'],
  ): Promise<Verdict> {
    let found: EndpointSecrets[];
    try {
      found = await endpoints;
    } catch (error) {
      return { reason: `could not read the secrets from ${this.options.api}: ${messageOf(error)}` };
    }
    let reason = `no endpoint of this organization points at port ${this.options.port} of 127.0.0.1, [::1] or localhost`;
    for (const endpoint of found) {
      try {
        verifyPayload({ body, headers, secrets: endpoint.secrets, now: new Date() });
        return { endpointId: endpoint.id };
      } catch (error) {
        reason = messageOf(error);
      }
    }
    return { reason };
  }
}

/** Every page of `GET /v1/endpoints`, kept to the endpoints on this port, and their secrets. */
async function fetchSecrets({ api, key, port }: ListenOptions): Promise<EndpointSecrets[]> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    return (await response.json()) as T;
  };
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const path = `/v1/endpoints?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page: EndpointPage = await get<EndpointPage>(path);
    ids.push(...page.data.filter((endpoint) => pointsAt(endpoint.url, port)).map((e) => e.id));
    cursor = page.nextCursor;
  } while (cursor);
  return Promise.all(
    ids.map(async (id) => {
      const secret = await get<{ secret: string; previousSecrets: { secret: string }[] }>(
        `/v1/endpoints/${id}/secret`,
      );
      return { id, secrets: [secret.secret, ...secret.previousSecrets.map((p) => p.secret)] };
    }),
  );
}

/** Whether an endpoint URL is http(s) to a loopback host on `port`. */
function pointsAt(url: string, port: number): boolean {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) return false;
  const actualPort = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  return LOOPBACK_HOSTS.has(parsed.hostname) && actualPort === String(port);
}

/** `12:01:02 post.created msg <webhook-id> signature verified (endpoint <id>)`, or why it did not. */
function summary(body: Buffer, headers: IncomingMessage['headers'], verdict: Verdict): string {
  const time = new Date().toTimeString().slice(0, 8);
  const type = parseJson(body)?.type;
  const id = headers[WEBHOOK_HEADERS.id];
  const outcome =
    'endpointId' in verdict
      ? `signature verified (endpoint ${verdict.endpointId})`
      : `signature NOT verified: ${verdict.reason}`;
  return `${time} ${typeof type === 'string' ? type : '?'} msg ${typeof id === 'string' ? id : '?'} ${outcome}`;
}

/** The body as indented JSON, or as indented text when it is not JSON. */
function indent(body: Buffer): string {
  const parsed = parseJson(body);
  const text = parsed === null ? body.toString('utf8') : JSON.stringify(parsed, null, 2);
  return text.replace(/^/gm, '  ');
}

function parseJson(body: Buffer): { type?: unknown } | null {
  try {
    return JSON.parse(body.toString('utf8')) as { type?: unknown };
  } catch {
    return null;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

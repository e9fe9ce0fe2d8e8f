import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * Canary secrets for the redaction rows K1–K4 (docs/reliability.md): values marked with a token no
 * real value holds, the forms they could take in a dump, a log line or a response (as is, base64,
 * base64url, hex), and the tools to look for them: a whole-database dump, the stack's log files,
 * and a receiver that records the headers it was sent (so a row can show a canary really went out).
 */
export class Canaries {
  /** The mark every canary of this set carries. */
  readonly mark = `CNRY${randomBytes(6).toString('hex')}`;

  /** A value of letters and digits (all an outbound password or API key may hold), marked. */
  value(what: string): string {
    return `${what.replace(/[^a-zA-Z0-9]/g, '')}${this.mark}${randomBytes(4).toString('hex')}`;
  }

  /** A `whsec_` signing secret whose key bytes start with the mark (32 bytes of key). */
  signingSecret(): string {
    return `whsec_${Buffer.concat([Buffer.from(this.mark), randomBytes(16)]).toString('base64')}`;
  }
}

/** How `value` could sit in a dump, a log line or a body: as is, base64 (both alphabets), hex. */
export function encodings(value: string): string[] {
  const bytes = Buffer.from(value);
  const forms = [
    // A signing secret is looked for without its prefix (which the plain form would count twice).
    value.startsWith('whsec_') ? value.slice('whsec_'.length) : value,
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
  ];
  if (value.startsWith('whsec_')) {
    const key = Buffer.from(value.slice('whsec_'.length), 'base64');
    forms.push(key.toString('base64url'), key.toString('hex'));
  }
  // Padding depends on where a value starts; 8 characters at least, so a form cannot match by chance.
  return [...new Set(forms.map((form) => form.replace(/=+$/, '')))].filter((f) => f.length >= 8);
}

/** One secret found in a text: which, and how many times (any of its forms). */
export interface Hit {
  readonly secret: string;
  readonly count: number;
}

/** The secrets of `secrets` found in `text`, in any form; hex compared case-insensitively. */
export function hitsIn(text: string, secrets: readonly string[]): Hit[] {
  const lower = text.toLowerCase();
  const hits: Hit[] = [];
  for (const secret of new Set(secrets)) {
    let count = 0;
    for (const form of encodings(secret)) {
      const hex = /^[0-9a-f]+$/.test(form);
      count += occurrences(hex ? lower : text, form);
    }
    if (count > 0) hits.push({ secret, count });
  }
  return hits;
}

/** The number of hits in all: a figure of the row. */
export function hitCount(hits: readonly Hit[]): number {
  return hits.reduce((sum, hit) => sum + hit.count, 0);
}

/** A short, safe description of hits for a failure message (the secret's first characters). */
export function describeHits(hits: readonly Hit[]): string {
  return hits.map((h) => `${h.secret.slice(0, 12)}… x${h.count}`).join(', ');
}

function occurrences(text: string, form: string): number {
  let count = 0;
  for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + form.length)) count++;
  return count;
}

/** A whole database as text. */
/** Every log file of a stack (`*.log` in its log directory), read now. */
export interface StackLogs {
  readonly text: string;
  readonly files: readonly string[];
  readonly lines: number;
}

export function readLogs(logDir: string): StackLogs {
  const files = readdirSync(logDir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  const texts = files.map((f) => readFileSync(join(logDir, f), 'utf8'));
  const lines = texts.reduce((sum, t) => sum + t.split('\n').filter((l) => l !== '').length, 0);
  return { text: texts.join('\n'), files, lines };
}

/** One request the header capture received. */
export interface CapturedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly webhookId: string | null;
}

/** A receiver in this process that answers 200 to everything and keeps each request's headers. */
export interface HeaderCapture {
  url(path: string): string;
  /** The requests whose path (query excluded) is `path`. */
  received(path: string): CapturedRequest[];
  close(): Promise<void>;
}

export async function startHeaderCapture(): Promise<HeaderCapture> {
  const requests: CapturedRequest[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const id = request.headers['webhook-id'];
      requests.push({
        path: (request.url ?? '').split('?')[0] ?? '',
        headers: request.headers,
        webhookId: typeof id === 'string' ? id : null,
      });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received: (path) => requests.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

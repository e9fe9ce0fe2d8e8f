import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type LedgerEntry } from './ledger-entry';

/** The built entry point; the same path from src/ (under jest) and from dist/. */
export const RECEIVER_MAIN = join(__dirname, '..', 'dist', 'receiver-main.js');

export interface SpawnOptions {
  readonly port?: number;
  readonly tlsPort?: number;
  readonly ledgerFile?: string;
  /** How long to wait for the listening line (default 15 s). */
  readonly startTimeoutMs?: number;
}

/** A receiver running as a child process, driven through its control API. */
export interface ReceiverProcess {
  readonly pid: number;
  readonly port: number;
  readonly tlsPort: number;
  readonly child: ChildProcess;
  url(path: string): string;
  tlsUrl(path: string): string;
  ledger(): Promise<LedgerEntry[]>;
  /** Requests being answered right now (hanging and streaming ones included). */
  inFlight(): Promise<number>;
  reset(): Promise<void>;
  setSecret(pathPrefix: string, secret: string): Promise<void>;
  /** SIGTERM, then the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

/** Spawns `node dist/receiver-main.js` (build the `reliability` project first). */
export async function spawnReceiver(options: SpawnOptions = {}): Promise<ReceiverProcess> {
  if (!existsSync(RECEIVER_MAIN)) {
    throw new Error(`${RECEIVER_MAIN} is missing: run npx nx run reliability:build first`);
  }
  const args = [RECEIVER_MAIN];
  if (options.port !== undefined) args.push('--port', String(options.port));
  if (options.tlsPort !== undefined) args.push('--tls-port', String(options.tlsPort));
  if (options.ledgerFile) args.push('--ledger', options.ledgerFile);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ports = await firstLine(child, exited, options.startTimeoutMs ?? 15_000);
  const base = `http://127.0.0.1:${ports.port}`;
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`receiver ${method} ${path}: ${response.status}`);
    return response;
  };
  return {
    pid: child.pid ?? 0,
    port: ports.port,
    tlsPort: ports.tlsPort,
    child,
    url: (path) => `${base}${path}`,
    tlsUrl: (path) => `https://127.0.0.1:${ports.tlsPort}${path}`,
    ledger: async () => (await (await call('GET', '/__ledger')).json()) as LedgerEntry[],
    inFlight: async () =>
      ((await (await call('GET', '/__in-flight')).json()) as { inFlight: number }).inFlight,
    reset: async () => void (await call('POST', '/__reset')),
    setSecret: async (pathPrefix, secret) =>
      void (await call('POST', '/__secrets', { pathPrefix, secret })),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

function firstLine(
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<{ port: number; tlsPort: number }> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`receiver did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`receiver exited with ${code} before listening`));
    });
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      try {
        resolve(JSON.parse(line) as { port: number; tlsPort: number });
      } catch {
        reject(new Error(`receiver printed ${line}`));
      }
    });
  });
}

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DataSource } from 'typeorm';
import { type HookyardConfig, loadOrCreateEmbeddedKey } from '@hookyard/config';
import { createDataSource, openDatabase } from './data-source';
import {
  openEmbeddedDatabase,
  type EmbeddedAccess,
  type EmbeddedDatabase,
} from './embedded-instance';
import { SecretCipher } from './secret-cipher';

/** The database, the cipher and what must be stopped on exit, for whichever database the config names. */
export interface Runtime {
  /** The API's pool; the only pool of a process that runs one role, and of the CLI. */
  readonly dataSource: DataSource;
  /**
   * The worker role's pool: its own when the runtime was opened with `separateWorkerPool`, so tries
   * stuck on slow receivers and the worker's batches never queue the API's requests for a
   * connection; else `dataSource`.
   */
  readonly workerDataSource: DataSource;
  readonly cipher: SecretCipher;
  readonly embedded: boolean;
  readonly notes: readonly string[];
  close(): Promise<void>;
}

/**
 * Without `DATABASE_URL`, the embedded PostgreSQL of the data directory: `serve` owns it (the server,
 * which refuses a second start), `join` uses the owner's server when one runs (the CLI).
 */
export async function openRuntime(
  config: HookyardConfig,
  access: EmbeddedAccess = 'serve',
  {
    separateWorkerPool = false,
    onWait,
  }: {
    separateWorkerPool?: boolean;
    /** Told once when PostgreSQL refuses connections and the runtime waits for it. */
    onWait?: (message: string) => void;
  } = {},
): Promise<Runtime> {
  const notes: string[] = [];
  const dataDir = config.database.dataDir;
  let embedded: EmbeddedDatabase | null = null;
  let url = config.database.url;
  let key = config.encryptionKey;
  if (!url) {
    embedded = await openEmbeddedDatabase(dataDir, access);
    url = embedded.url;
    if (embedded.owned)
      notes.push(
        `embedded PostgreSQL: data in ${dataDir} (set DATABASE_URL to use your own server)`,
      );
    if (!key) {
      const made = loadOrCreateEmbeddedKey(dataDir);
      key = { version: 1, key: made.key };
      notes.push(
        `${made.created ? 'generated' : 'using'} the encryption key in ${join(dataDir, 'encryption.key')}`,
      );
    }
  }
  if (!key) throw new Error('HOOKYARD_ENCRYPTION_KEY is required');
  const { poolSize, workerPoolSize, statementTimeoutMs, lockTimeoutMs } = config.database;
  const pool = (size: number) => ({ url, poolSize: size, statementTimeoutMs, lockTimeoutMs });
  let dataSource: DataSource;
  let workerDataSource: DataSource;
  try {
    dataSource = await untilReachable(
      () => openDatabase(pool(config.role === 'worker' ? workerPoolSize : poolSize)),
      config.database.connectTimeoutSeconds * 1000,
      onWait,
    );
    try {
      // Migrations ran on the first pool; the second only connects.
      workerDataSource = separateWorkerPool
        ? await createDataSource(pool(workerPoolSize)).initialize()
        : dataSource;
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
  } catch (error) {
    await embedded?.close();
    throw error;
  }
  return {
    dataSource,
    workerDataSource,
    cipher: new SecretCipher(
      new Map([...config.previousEncryptionKeys, key].map((k) => [k.version, k.key])),
      key.version,
    ),
    embedded: embedded !== null,
    notes,
    async close() {
      if (workerDataSource !== dataSource) await workerDataSource.destroy();
      await dataSource.destroy();
      await embedded?.close();
    },
  };
}

/** What a PostgreSQL that is down, restarting or still starting answers a new connection with. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P03', // cannot_connect_now: starting up or shutting down
]);

function unreachable(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : null;
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout expired/i.test(message);
}

/**
 * Runs `open` until it succeeds, retrying with backoff (0.25 s doubling to 5 s) while PostgreSQL
 * refuses connections, for at most `timeoutMs`; any other error, or the last one, is thrown.
 */
async function untilReachable<T>(
  open: () => Promise<T>,
  timeoutMs: number,
  onWait?: (message: string) => void,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 250, told = false; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await open();
    } catch (error) {
      if (!unreachable(error)) throw error;
      if (Date.now() + delay > deadline)
        throw told
          ? new Error(
              `PostgreSQL did not accept connections within ${Math.round(timeoutMs / 1000)} s (HOOKYARD_DB_CONNECT_TIMEOUT_SECONDS): ${reason(error)}`,
              { cause: error },
            )
          : error;
      if (!told)
        onWait?.(
          `PostgreSQL refuses connections (${reason(error)}): retrying for up to ${Math.round(timeoutMs / 1000)} s (HOOKYARD_DB_CONNECT_TIMEOUT_SECONDS)`,
        );
      told = true;
      await sleep(delay);
    }
  }
}

/** The driver's code, or its message: never the URL, which may hold the password. */
function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

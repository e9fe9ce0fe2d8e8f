import { join } from 'node:path';
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
  { separateWorkerPool = false }: { separateWorkerPool?: boolean } = {},
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
    dataSource = await openDatabase(pool(config.role === 'worker' ? workerPoolSize : poolSize));
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

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DataSource } from 'typeorm';
import {
  openDatabase,
  SecretCipher,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '@hookyard/data-access';
import { type HookyardConfig, loadOrCreateEmbeddedKey } from './config/config';

/** The database, the cipher and what must be stopped on exit, for whichever database the config names. */
export interface Runtime {
  readonly dataSource: DataSource;
  readonly cipher: SecretCipher;
  readonly embedded: boolean;
  readonly notes: readonly string[];
  close(): Promise<void>;
}

export async function openRuntime(config: HookyardConfig): Promise<Runtime> {
  const notes: string[] = [];
  const dataDir = config.database.dataDir;
  const shared = join(dataDir, 'embedded.json');
  let embedded: EmbeddedPostgres | null = null;
  let url = config.database.url;
  let key = config.encryptionKey;
  if (!url) {
    url = runningEmbeddedUrl(shared);
    if (!url) {
      embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pgdata') });
      url = embedded.url;
      writeFileSync(shared, JSON.stringify({ pid: process.pid, url }));
      notes.push(
        `embedded PostgreSQL: data in ${dataDir} (set DATABASE_URL to use your own server)`,
      );
    }
    if (!key) {
      const made = loadOrCreateEmbeddedKey(dataDir);
      key = { version: 1, key: made.key };
      notes.push(
        `${made.created ? 'generated' : 'using'} the encryption key in ${join(dataDir, 'encryption.key')}`,
      );
    }
  }
  if (!key) throw new Error('HOOKYARD_ENCRYPTION_KEY is required');
  // The embedded server funnels every connection into one PGlite session, where the extended-protocol
  // messages of concurrent connections interleave ("unnamed prepared statement does not exist"): one
  // connection, used by one query at a time, is what it can serve correctly.
  const dataSource = await openDatabase({ url, poolSize: config.database.url ? 10 : 1 });
  return {
    dataSource,
    cipher: new SecretCipher(
      new Map([...config.previousEncryptionKeys, key].map((k) => [k.version, k.key])),
      key.version,
    ),
    embedded: embedded !== null,
    notes,
    async close() {
      await dataSource.destroy();
      if (embedded) {
        rmSync(shared, { force: true });
        await embedded.stop();
      }
    },
  };
}

/**
 * The embedded database belongs to one process. Another process (the CLI while `npm start` runs) connects
 * to the one that is serving it instead of opening the same data directory twice.
 */
function runningEmbeddedUrl(path: string): string | null {
  if (!existsSync(path)) return null;
  try {
    const { pid, url } = JSON.parse(readFileSync(path, 'utf8')) as { pid: number; url: string };
    process.kill(pid, 0);
    return url;
  } catch {
    return null;
  }
}

import { join } from 'node:path';
import { type DataSource } from 'typeorm';
import { type HookyardConfig, loadOrCreateEmbeddedKey } from '@hookyard/config';
import { openDatabase } from './data-source';
import {
  openEmbeddedDatabase,
  type EmbeddedAccess,
  type EmbeddedDatabase,
} from './embedded-instance';
import { SecretCipher } from './secret-cipher';

/** The database, the cipher and what must be stopped on exit, for whichever database the config names. */
export interface Runtime {
  readonly dataSource: DataSource;
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
  let dataSource: DataSource;
  try {
    dataSource = await openDatabase({ url });
  } catch (error) {
    await embedded?.close();
    throw error;
  }
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
      await embedded?.close();
    },
  };
}

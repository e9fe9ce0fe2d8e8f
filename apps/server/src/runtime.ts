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
  let embedded: EmbeddedPostgres | null = null;
  let url = config.database.url;
  let key = config.encryptionKey;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: join(config.database.dataDir, 'pgdata') });
    url = embedded.url;
    notes.push(
      `embedded PostgreSQL: data in ${config.database.dataDir} (set DATABASE_URL to use your own server)`,
    );
    if (!key) {
      const made = loadOrCreateEmbeddedKey(config.database.dataDir);
      key = made.key;
      notes.push(
        `${made.created ? 'generated' : 'using'} the encryption key in ${join(config.database.dataDir, 'encryption.key')}`,
      );
    }
  }
  if (!key) throw new Error('HOOKYARD_ENCRYPTION_KEY is required');
  const dataSource = await openDatabase({ url, poolSize: embedded ? 5 : 10 });
  return {
    dataSource,
    cipher: SecretCipher.fromKey(key),
    embedded: embedded !== null,
    notes,
    async close() {
      await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { type DataSource } from 'typeorm';
import { openDatabase } from './data-source';
import { restartEmbeddedPostgres } from './embedded-postgres';

/** A throwaway database for one test file. */
export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** Set by the tests' global setup when it started an embedded server for the run. */
export const TEST_EMBEDDED_PGDATA = 'HOOKYARD_TEST_EMBEDDED_PGDATA';

/**
 * Creates a fresh database on the server that `TEST_DATABASE_URL` (or `DATABASE_URL`) names and drops
 * it afterwards, so test files can run in parallel. Without either, the global setup
 * (`testing/global-setup.ts`) has started an embedded server and set `TEST_DATABASE_URL` to it.
 */
export async function createTestDatabase(
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestDatabase> {
  const serverUrl = env['TEST_DATABASE_URL'] || env['DATABASE_URL'];
  if (!serverUrl)
    throw new Error(
      'no TEST_DATABASE_URL: run the tests through their jest config, whose global setup starts an embedded PostgreSQL',
    );
  const name = `hookyard_test_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withClient(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ),
  };
}

/** A migrated throwaway database, open; `close` closes and drops it. */
export interface OpenTestDatabase {
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

/** Creates a throwaway database (see {@link createTestDatabase}), migrates and opens it. */
export async function openTestDatabase(poolSize = 2): Promise<OpenTestDatabase> {
  const database = await createTestDatabase();
  const dataSource = await openDatabase({ url: database.url, poolSize });
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/**
 * Restarts the server the tests run on (catalogue row P1, docs/reliability.md): the embedded one
 * when the tests own it, else the machine's cluster (Debian's pg_ctlcluster, as root). Resolves
 * once the server answers again.
 */
export async function restartTestServer(
  mode: 'fast' | 'immediate',
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const embedded = env[TEST_EMBEDDED_PGDATA];
  if (embedded) return restartEmbeddedPostgres(embedded, mode);
  const [version] = readdirSync('/etc/postgresql');
  if (!version)
    throw new Error(
      'no PostgreSQL cluster under /etc/postgresql: unset TEST_DATABASE_URL to restart an embedded server instead',
    );
  await promisify(execFile)('pg_ctlcluster', [
    '--skip-systemctl-redirect',
    '-m',
    mode,
    version,
    'main',
    'restart',
  ]);
}

async function withClient(url: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

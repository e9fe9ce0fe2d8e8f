import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { type DataSource } from 'typeorm';
import { openDatabase } from './data-source';

/** A throwaway database for one test file. */
export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

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

async function withClient(url: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

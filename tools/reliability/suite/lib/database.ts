import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Pool } from 'pg';

/** A database of the run's own on the server `TEST_DATABASE_URL` names, and a small pool on it. */
export interface SuiteDatabase {
  readonly url: string;
  /** The suite's own queries (queue checks); the apps have pools of their own. */
  readonly pool: Pool;
  drop(): Promise<void>;
}

/**
 * Creates an empty database on the run's server (the jest global setup starts an embedded one unless
 * `TEST_DATABASE_URL` is set). The API migrates it when it starts, as in production.
 */
export async function createSuiteDatabase(
  env: NodeJS.ProcessEnv = process.env,
): Promise<SuiteDatabase> {
  const serverUrl = env['TEST_DATABASE_URL'] || env['DATABASE_URL'];
  if (!serverUrl)
    throw new Error(
      'no TEST_DATABASE_URL: run the suite through jest.reliability.config.js, whose global setup starts an embedded PostgreSQL',
    );
  const name = `hookyard_reliability_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: serverUrl, max: 1 });
  admin.on('error', () => undefined);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 2 });
  pool.on('error', () => undefined); // a restarted server ends idle clients; the next query reconnects
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

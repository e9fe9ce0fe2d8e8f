import { createTestDatabase, freePort } from '@hookyard/data-access';
import { Pool } from 'pg';

export { freePort };

/** A database of the run's own on the server `TEST_DATABASE_URL` names, and a small pool on it. */
export interface SuiteDatabase {
  readonly url: string;
  /** The suite's own queries (queue checks); the apps have pools of their own. */
  readonly pool: Pool;
  drop(): Promise<void>;
}

/**
 * Creates an empty database on the run's server (the jest global setup starts an embedded one unless
 * `TEST_DATABASE_URL` is set), as every other suite's {@link createTestDatabase} does. The API
 * migrates it when it starts, as in production.
 */
export async function createSuiteDatabase(
  env: NodeJS.ProcessEnv = process.env,
): Promise<SuiteDatabase> {
  const database = await createTestDatabase(env);
  const pool = new Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => undefined); // a restarted server ends idle clients; the next query reconnects
  return {
    url: database.url,
    pool,
    async drop() {
      await pool.end();
      await database.drop();
    },
  };
}

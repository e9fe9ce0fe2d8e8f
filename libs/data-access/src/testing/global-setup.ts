import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded-postgres';

const HANDLE = Symbol.for('hookyard.test.embedded-postgres');

/**
 * Jest global setup: without `TEST_DATABASE_URL` or `DATABASE_URL`, starts one embedded PostgreSQL
 * for the whole run and points `TEST_DATABASE_URL` at it; every test file then makes its own database
 * there, exactly as on the machine's server. The workers inherit the variables.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['TEST_DATABASE_URL'] || process.env['DATABASE_URL']) return;
  const scratch = mkdtempSync(join(tmpdir(), 'hookyard-test-pg-'));
  chmodSync(scratch, 0o711); // run as root, the server's `postgres` user must pass through
  const dataDir = join(scratch, 'pgdata');
  const server = await startEmbeddedPostgres({
    dataDir,
    password: randomBytes(16).toString('hex'),
    settings: { max_connections: 300 },
  });
  (globalThis as Record<symbol, unknown>)[HANDLE] = server;
  process.env['TEST_DATABASE_URL'] = server.url;
}

export function embeddedTestServer(): EmbeddedPostgres | undefined {
  return (globalThis as Record<symbol, unknown>)[HANDLE] as EmbeddedPostgres | undefined;
}

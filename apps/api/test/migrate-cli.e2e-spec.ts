import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createTestDatabase, MIGRATIONS, type TestDatabase } from '@hookyard/data-access';

const run = promisify(execFile);
const CLI = join(__dirname, '..', 'dist', 'cli.js');

describe('hookyard migrate', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  /** Runs `hookyard migrate` against the test database, as the compose `migrate` service does. */
  const migrate = () =>
    run(process.execPath, [CLI, 'migrate'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: database.url,
        HOOKYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      },
    });

  const tables = async (): Promise<string[]> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema = 'public' ORDER BY table_name`,
      );
      return rows.map((row) => row.name);
    } finally {
      await client.end();
    }
  };

  it('makes the tables on an empty database and exits 0', async () => {
    expect(await tables()).toEqual([]);
    const { stdout } = await migrate();
    expect(JSON.parse(stdout.trim())).toEqual({ migrations: MIGRATIONS.length });
    expect(await tables()).toEqual(
      expect.arrayContaining([
        'organizations',
        'api_keys',
        'endpoints',
        'endpoint_secrets',
        'events',
        'deliveries',
        'attempts',
        'hookyard_migrations',
      ]),
    );
  });

  it('changes nothing on a second run and exits 0', async () => {
    const before = await tables();
    const { stdout } = await migrate();
    expect(JSON.parse(stdout.trim())).toEqual({ migrations: MIGRATIONS.length });
    expect(await tables()).toEqual(before);
  });
});

import { type DataSource } from 'typeorm';
import { DIALECT_NAMES } from '@hookyard/webhook-core';
import { openDatabase } from './data-source';
import { createTestDatabase, type TestDatabase } from './test-database';

/**
 * The `endpoints.dialect` CHECK is written in a migration, the dialects in webhook-core's registry. A
 * dialect added to the registry needs a migration that widens the CHECK (a row of it would be refused),
 * and one removed needs a migration that narrows it; this spec fails until the two agree.
 */
describe('the endpoint dialect constraint', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openDatabase({ url: database.url, poolSize: 1 });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('admits exactly the dialects of the registry, after every migration', async () => {
    const checks = await dataSource.query<{ definition: string }[]>(
      `SELECT pg_get_constraintdef(c.oid) AS definition
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.conrelid = 'endpoints'::regclass AND c.contype = 'c' AND a.attname = 'dialect'`,
    );
    expect(checks).toHaveLength(1);
    // PostgreSQL shows `dialect IN (…)` as `(dialect = ANY (ARRAY['native'::text, …]))`.
    const admitted = [...(checks[0]?.definition ?? '').matchAll(/'([^']*)'::text/g)].map(
      (match) => match[1],
    );
    expect(admitted.sort()).toEqual([...DIALECT_NAMES].sort());
  });
});

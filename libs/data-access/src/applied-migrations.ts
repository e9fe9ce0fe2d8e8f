import { type DataSource } from 'typeorm';

/** The migrations table of `dataSource`, quoted for SQL. */
export function migrationsTable(dataSource: DataSource): string {
  return dataSource.driver.escape(dataSource.options.migrationsTableName ?? 'migrations');
}

/** How many migrations the database has applied (the rows of its migrations table). */
export async function countAppliedMigrations(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query<{ n: string }[]>(
    `SELECT count(*) AS n FROM ${migrationsTable(dataSource)}`,
  );
  return Number(row?.n ?? 0);
}

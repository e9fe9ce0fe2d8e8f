import { type EntityManager } from 'typeorm';

/** Runs an UPDATE or DELETE (on a data source or a transaction's manager); answers how many rows it hit. */
export async function rowsAffected(
  runner: Pick<EntityManager, 'query'>,
  sql: string,
  parameters: unknown[],
): Promise<number> {
  const result: unknown = await runner.query(sql, parameters);
  // TypeORM answers an UPDATE or DELETE on PostgreSQL with [rows, count].
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}

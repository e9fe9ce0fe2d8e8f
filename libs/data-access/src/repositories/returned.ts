/** TypeORM answers UPDATE … RETURNING on PostgreSQL with `[rows, count]` and SELECT with `rows`. */
export function returned<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}

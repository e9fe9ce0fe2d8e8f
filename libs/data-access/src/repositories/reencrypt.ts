import { type DataSource } from 'typeorm';
import { type SecretCipher } from '../secret-cipher';

/** The encrypted columns, and the column that records a value's key version where there is one. */
const ENCRYPTED_COLUMNS: readonly { table: string; column: string; versionColumn?: string }[] = [
  { table: 'endpoint_secrets', column: 'secret_enc', versionColumn: 'key_version' },
  { table: 'endpoints', column: 'auth_secret_enc' },
];

/**
 * Re-encrypts every stored secret that is not on the cipher's current key version, in small batches.
 * Each row is written only if it still holds the value read, so a concurrent rotation or update wins.
 * Returns how many values it re-encrypted. Once it returns, the older keys can be removed.
 */
export async function reencryptSecrets(
  dataSource: DataSource,
  cipher: SecretCipher,
  batchSize = 200,
): Promise<number> {
  const current = `v${cipher.currentVersion}.%`;
  let total = 0;
  for (const { table, column, versionColumn } of ENCRYPTED_COLUMNS) {
    const setVersion = versionColumn ? `, ${versionColumn} = ${cipher.currentVersion}` : '';
    let afterId = '';
    for (;;) {
      const rows = await dataSource.query<{ id: string; value: string }[]>(
        `SELECT id, ${column} AS value FROM ${table}
         WHERE ${column} IS NOT NULL AND ${column} NOT LIKE $1 AND id > $2
         ORDER BY id LIMIT $3`,
        [current, afterId, batchSize],
      );
      for (const { id, value } of rows) {
        const updated: unknown = await dataSource.query(
          `UPDATE ${table} SET ${column} = $1${setVersion} WHERE id = $2 AND ${column} = $3`,
          [cipher.encrypt(cipher.decrypt(value)), id, value],
        );
        total += affectedRows(updated);
      }
      if (rows.length < batchSize) break;
      afterId = rows[rows.length - 1].id;
    }
  }
  return total;
}

/** How many rows a stored value still needs re-encrypting, for metrics and the operator. */
export async function countStaleSecrets(
  dataSource: DataSource,
  cipher: SecretCipher,
): Promise<number> {
  let total = 0;
  for (const { table, column } of ENCRYPTED_COLUMNS) {
    const [row] = await dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM ${table} WHERE ${column} IS NOT NULL AND ${column} NOT LIKE $1`,
      [`v${cipher.currentVersion}.%`],
    );
    total += Number(row?.n ?? 0);
  }
  return total;
}

/** TypeORM answers a PostgreSQL UPDATE with `[rows, affected]`. */
function affectedRows(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}

import { type DataSource } from 'typeorm';
import {
  ENCRYPTED_COLUMNS,
  type EncryptedColumn,
  SecretCipher,
  secretBinding,
} from '../secret-cipher';

/** The encrypted columns, and the column that records a value's key version where there is one. */
const REENCRYPTED: readonly { place: EncryptedColumn; versionColumn?: string }[] = [
  { place: ENCRYPTED_COLUMNS.signingSecret, versionColumn: 'key_version' },
  { place: ENCRYPTED_COLUMNS.authSecret },
];

/**
 * A stored value that is not bound to its place (the earlier form), or whose key version is not one
 * of `$1` (the cipher's `keptVersions`): an older key, or one this process cannot read (then
 * reported as unreadable), or malformed. A bound value on a newer key the process can read is left
 * alone: during a rollout a process still on the old primary key reads the new one as a previous key,
 * and must not move rows back to its own.
 */
function staleOn(column: string): string {
  return `NOT (${column} ~ '^v[0-9]{1,9}[.]aad[.]'
    AND substring(${column} from '^v([0-9]{1,9})[.]')::int = ANY($1::int[]))`;
}

export interface ReencryptResult {
  /** Values moved to the current key. */
  readonly moved: number;
  /** Values no configured key can read, as `table.id`: left as they are, never logged by value. */
  readonly unreadable: readonly string[];
}

/**
 * Re-encrypts every stored secret on a key version older than the cipher's current one (or on one it
 * cannot read, which is reported), in small batches, and moves every value of the earlier, unbound
 * form to the bound form: on the current key, or on its own key when that is a newer one kept.
 * Each row is written only if it still holds the value read, so a concurrent rotation or update wins.
 * A value no key can read is skipped and reported, so one bad row cannot stop the rest.
 */
export async function reencryptSecrets(
  dataSource: DataSource,
  cipher: SecretCipher,
  batchSize = 200,
): Promise<ReencryptResult> {
  let moved = 0;
  const unreadable: string[] = [];
  for (const { place, versionColumn } of REENCRYPTED) {
    const { table, column } = place;
    let afterId = '';
    for (;;) {
      const rows = await dataSource.query<{ id: string; organization: string; value: string }[]>(
        `SELECT id, organization_id AS organization, ${column} AS value FROM ${table}
         WHERE ${column} IS NOT NULL AND ${staleOn(column)} AND id > $2
         ORDER BY id LIMIT $3`,
        [cipher.keptVersions, afterId, batchSize],
      );
      for (const { id, organization, value } of rows) {
        const binding = secretBinding(organization, place, id);
        let plaintext: string;
        try {
          plaintext = cipher.decrypt(value, binding);
        } catch {
          unreadable.push(`${table}.${id}`);
          continue;
        }
        const version = cipher.keptVersions.includes(SecretCipher.versionOf(value))
          ? SecretCipher.versionOf(value)
          : cipher.currentVersion;
        const setVersion = versionColumn ? `, ${versionColumn} = ${version}` : '';
        const updated: unknown = await dataSource.query(
          `UPDATE ${table} SET ${column} = $1${setVersion} WHERE id = $2 AND ${column} = $3`,
          [cipher.encrypt(plaintext, binding, version), id, value],
        );
        moved += affectedRows(updated);
      }
      if (rows.length < batchSize) break;
      afterId = rows[rows.length - 1].id;
    }
  }
  return { moved, unreadable };
}

/** How many stored values are still on an older key or of the unbound form, for the operator. */
export async function countStaleSecrets(
  dataSource: DataSource,
  cipher: SecretCipher,
): Promise<number> {
  let total = 0;
  for (const { table, column } of REENCRYPTED.map((c) => c.place)) {
    const [row] = await dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM ${table} WHERE ${column} IS NOT NULL AND ${staleOn(column)}`,
      [cipher.keptVersions],
    );
    total += Number(row?.n ?? 0);
  }
  return total;
}

/** TypeORM answers a PostgreSQL UPDATE with `[rows, affected]`. */
function affectedRows(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}

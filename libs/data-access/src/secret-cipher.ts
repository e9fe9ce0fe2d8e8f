import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The second part of a value bound to its place: `v<keyVersion>.aad.<iv>.<tag>.<ciphertext>`. */
const BOUND = 'aad';

/** The columns that hold encrypted values. */
export const ENCRYPTED_COLUMNS = {
  /** An endpoint's signing secret (`endpoint_secrets.secret_enc`). */
  signingSecret: { table: 'endpoint_secrets', column: 'secret_enc' },
  /** An endpoint's outbound password or API key (`endpoints.auth_secret_enc`). */
  authSecret: { table: 'endpoints', column: 'auth_secret_enc' },
} as const;

export type EncryptedColumn = (typeof ENCRYPTED_COLUMNS)[keyof typeof ENCRYPTED_COLUMNS];

/**
 * Where an encrypted value is stored, `organization:table:column:row id`: the associated data it is
 * encrypted with, so a value copied to another row, column or organization does not decrypt.
 */
export function secretBinding(
  organizationId: string,
  { table, column }: EncryptedColumn,
  rowId: string,
): string {
  return `${organizationId}:${table}:${column}:${rowId}`;
}

/**
 * Encrypts secrets at rest with AES-256-GCM, bound to where they are stored (see `secretBinding`).
 * A stored value reads `v<keyVersion>.aad.<iv>.<tag>.<ciphertext>` (base64url parts), so keys can be
 * rotated and old rows re-encrypted online. Values of the earlier form `v<keyVersion>.<iv>.<tag>.
 * <ciphertext>`, bound to nothing, are still read until re-encryption has moved them (`isBound`).
 * Tags are always 16 bytes; a shorter one is refused.
 */
export class SecretCipher {
  private readonly keys: ReadonlyMap<number, Buffer>;

  /** `keys` maps key versions to 32-byte keys; `currentVersion` encrypts, every version decrypts. */
  constructor(
    keys: ReadonlyMap<number, Buffer>,
    readonly currentVersion: number,
  ) {
    for (const [version, key] of keys) {
      if (key.length !== 32)
        throw new RangeError(`encryption key version ${version} must be 32 bytes`);
    }
    if (!keys.has(currentVersion))
      throw new RangeError(`no encryption key of version ${currentVersion}`);
    this.keys = keys;
  }

  /**
   * The versions a value may be on and stay: the current one, and any newer one this cipher can read
   * (a rollout's first step, where the new key is only a previous key).
   */
  get keptVersions(): number[] {
    return [...this.keys.keys()].filter((version) => version >= this.currentVersion);
  }

  static fromKey(key: Buffer): SecretCipher {
    return new SecretCipher(new Map([[1, key]]), 1);
  }

  /**
   * Encrypts `plaintext` bound to `binding` (from `secretBinding`), with the current key unless
   * `keyVersion` names another this cipher holds (re-encryption keeps a value on a newer key).
   */
  encrypt(plaintext: string, binding: string, keyVersion = this.currentVersion): string {
    const key = this.keys.get(keyVersion);
    if (!key) throw new RangeError(`no encryption key of version ${keyVersion}`);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(binding, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      `v${keyVersion}`,
      BOUND,
      ...[iv, tag, ciphertext].map((p) => p.toString('base64url')),
    ].join('.');
  }

  /** Decrypts a value stored at `binding`; throws when it was encrypted for another place. */
  decrypt(stored: string, binding: string): string {
    const parts = stored.split('.');
    const bound = SecretCipher.isBound(stored);
    const [version, iv, tag, ciphertext] = bound ? [parts[0], ...parts.slice(2)] : parts;
    const key = this.keys.get(Number(version?.slice(1)));
    const ivBytes = Buffer.from(iv ?? '', 'base64url');
    const tagBytes = Buffer.from(tag ?? '', 'base64url');
    if (
      !version?.startsWith('v') ||
      !key ||
      (!bound && parts.length !== 4) ||
      ivBytes.length !== IV_BYTES ||
      tagBytes.length !== TAG_BYTES ||
      ciphertext === undefined
    ) {
      throw new Error('unreadable encrypted value (unknown key version or malformed)');
    }
    const decipher = createDecipheriv(ALGORITHM, key, ivBytes, { authTagLength: TAG_BYTES });
    if (bound) decipher.setAAD(Buffer.from(binding, 'utf8'));
    decipher.setAuthTag(tagBytes);
    try {
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error('unreadable encrypted value (altered, or stored for another place)');
    }
  }

  /** The key version a stored value was encrypted with. */
  static versionOf(stored: string): number {
    return Number(stored.slice(1, stored.indexOf('.')));
  }

  /** Whether a stored value is bound to its place (the current form), not of the earlier form. */
  static isBound(stored: string): boolean {
    const parts = stored.split('.');
    return parts.length === 5 && parts[1] === BOUND;
  }
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;

/**
 * Encrypts secrets at rest with AES-256-GCM. A stored value reads `v<keyVersion>.<iv>.<tag>.<ciphertext>`
 * (base64url parts), so keys can be rotated and old rows re-encrypted online.
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

  encrypt(plaintext: string): string {
    const key = this.keys.get(this.currentVersion) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [`v${this.currentVersion}`, iv, tag, ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  decrypt(stored: string): string {
    const [version, iv, tag, ciphertext] = stored.split('.');
    const key = this.keys.get(Number(version?.slice(1)));
    if (!version?.startsWith('v') || !key || !iv || !tag || ciphertext === undefined) {
      throw new Error('unreadable encrypted value (unknown key version or malformed)');
    }
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }

  /** The key version a stored value was encrypted with. */
  static versionOf(stored: string): number {
    return Number(stored.slice(1, stored.indexOf('.')));
  }
}

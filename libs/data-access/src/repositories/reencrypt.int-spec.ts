import { randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { openDatabase } from '../data-source';
import { SecretCipher } from '../secret-cipher';
import { createTestDatabase, type TestDatabase } from '../test-database';
import { countStaleSecrets, reencryptSecrets } from './reencrypt';

describe('K4 re-encryption with a new key', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const ids = new ObjectIdGenerator(randomBytes);
  const org = ids.next(new Date());
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = new SecretCipher(new Map([[1, oldKey]]), 1);
  const during = new SecretCipher(
    new Map([
      [1, oldKey],
      [2, newKey],
    ]),
    2,
  );
  const after = new SecretCipher(new Map([[2, newKey]]), 2);

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await openDatabase({ url: database.url, poolSize: 2 });
    await dataSource.query(`INSERT INTO organizations (id, name) VALUES ($1, 'o')`, [org]);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function endpoint(cipher: SecretCipher, n: number): Promise<string> {
    const id = ids.next(new Date());
    await dataSource.query(
      `INSERT INTO endpoints (id, organization_id, dialect, url, name, topics, status, timeout_ms, auth_type, auth_username, auth_secret_enc, signing_protocol, payload_version)
       VALUES ($1, $2, 'native', 'https://example.com', 'e', '{post.created}', 'active', 5000, 'basic', 'u', $3, 'v1', '1')`,
      [id, org, cipher.encrypt(`password-${n}`)],
    );
    await dataSource.query(
      `INSERT INTO endpoint_secrets (id, organization_id, endpoint_id, secret_enc, key_version) VALUES ($1, $2, $3, $4, $5)`,
      [ids.next(new Date()), org, id, cipher.encrypt(`whsec_secret-${n}`), cipher.currentVersion],
    );
    return id;
  }

  it('moves every secret and password to the current key in batches, so the old key can go', async () => {
    const made = [];
    for (let n = 0; n < 7; n++) made.push(await endpoint(n < 5 ? before : during, n));
    expect(await countStaleSecrets(dataSource, during)).toBe(10);

    expect(await reencryptSecrets(dataSource, during, 2)).toEqual({ moved: 10, unreadable: [] });
    expect(await countStaleSecrets(dataSource, during)).toBe(0);
    expect(await reencryptSecrets(dataSource, during, 2)).toEqual({ moved: 0, unreadable: [] });

    for (const [n, id] of made.entries()) {
      const [row] = await dataSource.query<{ auth: string; secret: string; version: number }[]>(
        `SELECT e.auth_secret_enc AS auth, s.secret_enc AS secret, s.key_version AS version
         FROM endpoints e JOIN endpoint_secrets s ON s.endpoint_id = e.id WHERE e.id = $1`,
        [id],
      );
      expect(after.decrypt(row.auth)).toBe(`password-${n}`);
      expect(after.decrypt(row.secret)).toBe(`whsec_secret-${n}`);
      expect(row.version).toBe(2);
    }
  });

  it('skips a value no key can read, reports it, and moves the rest', async () => {
    const stranger = new SecretCipher(new Map([[7, randomBytes(32)]]), 7);
    const unreadable = await endpoint(stranger, 100);
    const readable = await endpoint(before, 101);
    const result = await reencryptSecrets(dataSource, during, 1);
    expect(result.moved).toBe(2);
    expect(result.unreadable).toEqual(
      expect.arrayContaining([
        `endpoints.${unreadable}`,
        expect.stringMatching(/^endpoint_secrets\./),
      ]),
    );
    expect(result.unreadable).toHaveLength(2);
    const [row] = await dataSource.query<{ auth: string }[]>(
      `SELECT auth_secret_enc AS auth FROM endpoints WHERE id = $1`,
      [readable],
    );
    expect(after.decrypt(row.auth)).toBe('password-101');
    expect(await countStaleSecrets(dataSource, during)).toBe(2);
  });

  it('never moves a value on a newer key back, when a process still on the old key can read it', async () => {
    // A rollout's first step: the new key (2) is only a previous key here, 1 is still primary.
    const firstStep = new SecretCipher(
      new Map([
        [1, oldKey],
        [2, newKey],
      ]),
      1,
    );
    const id = await endpoint(after, 200);
    const stored = async () =>
      (
        await dataSource.query<{ auth: string; secret: string }[]>(
          `SELECT e.auth_secret_enc AS auth, s.secret_enc AS secret
           FROM endpoints e JOIN endpoint_secrets s ON s.endpoint_id = e.id WHERE e.id = $1`,
          [id],
        )
      )[0];
    const before = await stored();
    const result = await reencryptSecrets(dataSource, firstStep);
    expect(result.unreadable).not.toContain(`endpoints.${id}`);
    expect(await stored()).toEqual(before);
    expect(SecretCipher.versionOf(before?.auth ?? '')).toBe(2);
  });
});

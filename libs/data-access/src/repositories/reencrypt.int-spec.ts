import { randomBytes } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { openDatabase } from '../data-source';
import { ENCRYPTED_COLUMNS, SecretCipher, secretBinding } from '../secret-cipher';
import { encryptUnbound } from '../testing/unbound-secret';
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

  const authAt = (id: string) => secretBinding(org, ENCRYPTED_COLUMNS.authSecret, id);
  const secretAt = (id: string) => secretBinding(org, ENCRYPTED_COLUMNS.signingSecret, id);

  /**
   * An endpoint with a password and a signing secret, both written by `cipher`, or of the earlier
   * unbound form on `unbound`'s key version.
   */
  async function endpoint(
    cipher: SecretCipher,
    n: number,
    unbound?: { key: Buffer; version: number },
  ): Promise<string> {
    const id = ids.next(new Date());
    const secretId = ids.next(new Date());
    const encrypt = (plaintext: string, binding: string) =>
      unbound
        ? encryptUnbound(unbound.key, unbound.version, plaintext)
        : cipher.encrypt(plaintext, binding);
    await dataSource.query(
      `INSERT INTO endpoints (id, organization_id, dialect, url, name, topics, status, timeout_ms, auth_type, auth_username, auth_secret_enc, signing_protocol, payload_version)
       VALUES ($1, $2, 'native', 'https://example.com', 'e', '{post.created}', 'active', 5000, 'basic', 'u', $3, 'v1', '1')`,
      [id, org, encrypt(`password-${n}`, authAt(id))],
    );
    await dataSource.query(
      `INSERT INTO endpoint_secrets (id, organization_id, endpoint_id, secret_enc, key_version) VALUES ($1, $2, $3, $4, $5)`,
      [
        secretId,
        org,
        id,
        encrypt(`whsec_secret-${n}`, secretAt(secretId)),
        unbound?.version ?? cipher.currentVersion,
      ],
    );
    return id;
  }

  const stored = async (id: string) =>
    (
      await dataSource.query<{ auth: string; secret: string; secretId: string; version: number }[]>(
        `SELECT e.auth_secret_enc AS auth, s.secret_enc AS secret, s.id AS "secretId",
           s.key_version AS version
         FROM endpoints e JOIN endpoint_secrets s ON s.endpoint_id = e.id WHERE e.id = $1`,
        [id],
      )
    )[0];

  it('moves every secret and password to the current key in batches, so the old key can go', async () => {
    const made = [];
    for (let n = 0; n < 7; n++) made.push(await endpoint(n < 5 ? before : during, n));
    expect(await countStaleSecrets(dataSource, during)).toBe(10);

    expect(await reencryptSecrets(dataSource, during, 2)).toEqual({ moved: 10, unreadable: [] });
    expect(await countStaleSecrets(dataSource, during)).toBe(0);
    expect(await reencryptSecrets(dataSource, during, 2)).toEqual({ moved: 0, unreadable: [] });

    for (const [n, id] of made.entries()) {
      const row = await stored(id);
      expect(after.decrypt(row?.auth ?? '', authAt(id))).toBe(`password-${n}`);
      expect(after.decrypt(row?.secret ?? '', secretAt(row?.secretId ?? ''))).toBe(
        `whsec_secret-${n}`,
      );
      expect(row?.version).toBe(2);
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
    expect(after.decrypt((await stored(readable))?.auth ?? '', authAt(readable))).toBe(
      'password-101',
    );
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
    const before = await stored(id);
    const result = await reencryptSecrets(dataSource, firstStep);
    expect(result.unreadable).not.toContain(`endpoints.${id}`);
    expect(await stored(id)).toEqual(before);
    expect(SecretCipher.versionOf(before?.auth ?? '')).toBe(2);
  });

  it('X11 moves values of the earlier, unbound form to the bound form, never back to an older key', async () => {
    await dataSource.query(`DELETE FROM endpoints`);
    const onOld = await endpoint(during, 300, { key: oldKey, version: 1 });
    const onNew = await endpoint(during, 301, { key: newKey, version: 2 });
    const firstStep = new SecretCipher(
      new Map([
        [1, oldKey],
        [2, newKey],
      ]),
      1,
    );
    // Unbound values are stale even on a kept key; a first-step process binds them on their own key.
    expect(await countStaleSecrets(dataSource, firstStep)).toBe(4);
    expect(await reencryptSecrets(dataSource, firstStep)).toEqual({ moved: 4, unreadable: [] });
    for (const [id, version, n] of [
      [onOld, 1, 300],
      [onNew, 2, 301],
    ] as const) {
      const row = await stored(id);
      expect([row?.auth, row?.secret].map((v) => SecretCipher.isBound(v ?? ''))).toEqual([
        true,
        true,
      ]);
      expect([SecretCipher.versionOf(row?.auth ?? ''), row?.version]).toEqual([version, version]);
      expect(firstStep.decrypt(row?.auth ?? '', authAt(id))).toBe(`password-${n}`);
      expect(firstStep.decrypt(row?.secret ?? '', secretAt(row?.secretId ?? ''))).toBe(
        `whsec_secret-${n}`,
      );
    }
    expect(await countStaleSecrets(dataSource, firstStep)).toBe(0);
    // The next step moves what is left on the old key, and the old key can go.
    expect(await reencryptSecrets(dataSource, during)).toEqual({ moved: 2, unreadable: [] });
    expect(await countStaleSecrets(dataSource, after)).toBe(0);
  });
});

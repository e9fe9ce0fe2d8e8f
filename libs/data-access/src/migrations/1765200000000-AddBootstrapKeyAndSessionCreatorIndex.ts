import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Two things that ending access needs. `api_keys.bootstrap` marks the key that
 * `HOOKYARD_BOOTSTRAP_API_KEY` made, so a new value replaces it on the same organization; at most one
 * live key carries the mark. Before this column the bootstrap key was the `default admin` key of an
 * organization named `default`: the newest such key is marked (an older one is a leftover of an
 * earlier rotation, which made a second organization). And an index on the key that made a portal
 * session, so revoking a key finds its live sessions without scanning every tenant's.
 */
export class AddBootstrapKeyAndSessionCreatorIndex1765200000000 implements MigrationInterface {
  name = 'AddBootstrapKeyAndSessionCreatorIndex1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE api_keys ADD COLUMN bootstrap boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `UPDATE api_keys SET bootstrap = true WHERE id = (
         SELECT k.id FROM api_keys k JOIN organizations o ON o.id = k.organization_id
         WHERE o.name = 'default' AND k.name = 'default admin' AND k.revoked_at IS NULL
         ORDER BY k.id DESC LIMIT 1)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX api_keys_bootstrap_idx ON api_keys (bootstrap) WHERE bootstrap AND revoked_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX portal_sessions_created_by_key_idx ON portal_sessions (created_by_key_id) WHERE revoked_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX portal_sessions_created_by_key_idx`);
    await queryRunner.query(`DROP INDEX api_keys_bootstrap_idx`);
    await queryRunner.query(`ALTER TABLE api_keys DROP COLUMN bootstrap`);
  }
}

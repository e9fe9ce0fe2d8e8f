import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Organizations become an API resource an operator drives:
 * - `uid`: the operator's own id for the tenant (its customer id), unique among live organizations,
 *   so a deleted organization's uid can be given to a new one;
 * - `deleted_at`: a deleted organization stops at once and its rows are purged in the background;
 * - per-organization settings that override the installation's defaults when set: `rate_limits`
 *   (`{management?, publishing?}`, each `{perSecond, burst}`), `retry_schedule_seconds` and
 *   `thresholds` (`{penaltyAfter?, pauseAfter?, pauseAfterSeconds?, suspendAfterSeconds?,
 *   penaltyCooldownSeconds?}`).
 * The bootstrap mark becomes one per kind of key, so an operator key can be a bootstrap key too, and
 * `api_keys.created_by_key_id` records which key minted a key, so revoking one revokes what it minted.
 */
export class AddOrganizationUidAndSettings1765300000000 implements MigrationInterface {
  name = 'AddOrganizationUidAndSettings1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE organizations
        ADD COLUMN uid text NULL CHECK (char_length(uid) BETWEEN 1 AND 128),
        ADD COLUMN deleted_at timestamptz NULL,
        ADD COLUMN rate_limits jsonb NULL,
        ADD COLUMN retry_schedule_seconds integer[] NULL,
        ADD COLUMN thresholds jsonb NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX organizations_uid_live_idx ON organizations (uid) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX organizations_deleted_idx ON organizations (deleted_at) WHERE deleted_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX api_keys_operator_idx ON api_keys (id) WHERE organization_id IS NULL`,
    );
    // The key that minted a key: revoking a key revokes the keys it minted, theirs in turn.
    await queryRunner.query(`ALTER TABLE api_keys ADD COLUMN created_by_key_id char(24) NULL`);
    await queryRunner.query(
      `CREATE INDEX api_keys_created_by_key_idx ON api_keys (created_by_key_id) WHERE revoked_at IS NULL`,
    );
    // One live bootstrap key of each kind: the tenant one and the operator one.
    await queryRunner.query(`DROP INDEX api_keys_bootstrap_idx`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX api_keys_bootstrap_idx ON api_keys ((organization_id IS NULL)) WHERE bootstrap AND revoked_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX api_keys_bootstrap_idx`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX api_keys_bootstrap_idx ON api_keys (bootstrap) WHERE bootstrap AND revoked_at IS NULL`,
    );
    await queryRunner.query(`DROP INDEX api_keys_created_by_key_idx`);
    await queryRunner.query(`ALTER TABLE api_keys DROP COLUMN created_by_key_id`);
    await queryRunner.query(`DROP INDEX api_keys_operator_idx`);
    await queryRunner.query(`DROP INDEX organizations_deleted_idx`);
    await queryRunner.query(`DROP INDEX organizations_uid_live_idx`);
    await queryRunner.query(`
      ALTER TABLE organizations
        DROP COLUMN thresholds,
        DROP COLUMN retry_schedule_seconds,
        DROP COLUMN rate_limits,
        DROP COLUMN deleted_at,
        DROP COLUMN uid`);
  }
}

import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The tenant portal: `portal_sessions` (short-lived `hkp_` tokens, stored as a SHA-256 hash, scoped to
 * an organization, its permissions and optionally some endpoints) and the origins an organization
 * lets embed the portal in an iframe (`organizations.portal_allowed_origins`).
 */
export class AddPortalSessions1764300000000 implements MigrationInterface {
  name = 'AddPortalSessions1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE portal_sessions (
        id char(24) PRIMARY KEY,
        organization_id char(24) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        token_hash text NOT NULL,
        permissions text[] NOT NULL,
        endpoint_ids char(24)[] NULL,
        theme jsonb NOT NULL DEFAULT '{}',
        refresh_url text NULL,
        created_by_key_id char(24) NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz NULL,
        CONSTRAINT portal_sessions_token_hash_key UNIQUE (token_hash)
      )`);
    await queryRunner.query(
      `CREATE INDEX portal_sessions_organization_id_idx ON portal_sessions (organization_id)`,
    );
    await queryRunner.query(
      `ALTER TABLE organizations ADD COLUMN portal_allowed_origins text[] NOT NULL DEFAULT '{}'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE organizations DROP COLUMN portal_allowed_origins`);
    await queryRunner.query(`DROP TABLE portal_sessions`);
  }
}

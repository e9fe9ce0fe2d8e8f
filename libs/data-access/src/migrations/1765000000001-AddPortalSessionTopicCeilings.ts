import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What an endpoint-scoped portal session may subscribe its endpoints to: each endpoint's topics and
 * excluded topics when the session was minted. Null for sessions over the whole organization, and
 * for sessions minted before this column (those may only narrow what the endpoint has).
 */
export class AddPortalSessionTopicCeilings1765000000001 implements MigrationInterface {
  name = 'AddPortalSessionTopicCeilings1765000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE portal_sessions ADD COLUMN topic_ceilings jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE portal_sessions DROP COLUMN topic_ceilings`);
  }
}

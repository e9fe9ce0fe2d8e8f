import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The platform dialect's endpoint fields: `ordering` (a `fifo` endpoint is sent one delivery at a time,
 * in publish order), the caller's `reference` and a contact `email`; and the index that finds the head
 * of a FIFO endpoint's queue and whether any of its deliveries is claimed.
 */
export class AddPlatformFields1764200000000 implements MigrationInterface {
  name = 'AddPlatformFields1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE endpoints ADD COLUMN ordering text NOT NULL DEFAULT 'none' CHECK (ordering IN ('none', 'fifo'))`,
    );
    await queryRunner.query(`ALTER TABLE endpoints ADD COLUMN reference text NULL`);
    await queryRunner.query(`ALTER TABLE endpoints ADD COLUMN email text NULL`);
    await queryRunner.query(
      `CREATE INDEX deliveries_endpoint_pending_idx ON deliveries (endpoint_id, id) WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_endpoint_claimed_idx ON deliveries (endpoint_id) WHERE claim_id IS NOT NULL AND status = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX deliveries_endpoint_claimed_idx`);
    await queryRunner.query(`DROP INDEX deliveries_endpoint_pending_idx`);
    await queryRunner.query(`ALTER TABLE endpoints DROP COLUMN email`);
    await queryRunner.query(`ALTER TABLE endpoints DROP COLUMN reference`);
    await queryRunner.query(`ALTER TABLE endpoints DROP COLUMN ordering`);
  }
}

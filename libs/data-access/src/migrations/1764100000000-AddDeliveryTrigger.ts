import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** What the next attempt of a delivery is recorded as: `scheduled`, or `manual` after a retry or recover. */
export class AddDeliveryTrigger1764100000000 implements MigrationInterface {
  name = 'AddDeliveryTrigger1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE deliveries ADD COLUMN next_trigger text NOT NULL DEFAULT 'scheduled' CHECK (next_trigger IN ('scheduled', 'manual'))`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_endpoint_newest_idx ON deliveries (organization_id, endpoint_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(`DROP INDEX deliveries_endpoint_idx`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX deliveries_endpoint_idx ON deliveries (organization_id, endpoint_id, id DESC)`,
    );
    await queryRunner.query(`DROP INDEX deliveries_endpoint_newest_idx`);
    await queryRunner.query(`ALTER TABLE deliveries DROP COLUMN next_trigger`);
  }
}

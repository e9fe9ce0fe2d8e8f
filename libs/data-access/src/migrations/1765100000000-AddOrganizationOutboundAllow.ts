import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An organization's own outbound allowance (`organizations.outbound_allow`): allow-list entries in
 * the syntax of `HOOKYARD_OUTBOUND_ALLOW` that let that organization alone reach a private address,
 * beside the operator's allow-list that holds for every organization. Set by an operator only.
 */
export class AddOrganizationOutboundAllow1765100000000 implements MigrationInterface {
  name = 'AddOrganizationOutboundAllow1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE organizations ADD COLUMN outbound_allow text[] NOT NULL DEFAULT '{}'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE organizations DROP COLUMN outbound_allow`);
  }
}

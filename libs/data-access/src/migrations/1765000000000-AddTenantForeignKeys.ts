import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** A child's reference to a parent of the same organization, and the single-column key it replaces. */
interface TenantReference {
  readonly table: string;
  readonly column: string;
  readonly parent: string;
  readonly name: string;
  readonly replaces: string;
}

/** Every tenant row that points at another tenant row; each keeps `ON DELETE CASCADE`. */
const REFERENCES: readonly TenantReference[] = [
  {
    table: 'endpoint_secrets',
    column: 'endpoint_id',
    parent: 'endpoints',
    name: 'endpoint_secrets_endpoint_fkey',
    replaces: 'endpoint_secrets_endpoint_id_fkey',
  },
  {
    table: 'deliveries',
    column: 'event_id',
    parent: 'events',
    name: 'deliveries_event_fkey',
    replaces: 'deliveries_event_id_fkey',
  },
  {
    table: 'deliveries',
    column: 'endpoint_id',
    parent: 'endpoints',
    name: 'deliveries_endpoint_fkey',
    replaces: 'deliveries_endpoint_id_fkey',
  },
  {
    table: 'attempts',
    column: 'endpoint_id',
    parent: 'endpoints',
    name: 'attempts_endpoint_fkey',
    replaces: 'attempts_endpoint_id_fkey',
  },
  {
    table: 'attempts',
    column: 'delivery_id',
    parent: 'deliveries',
    name: 'attempts_delivery_fkey',
    replaces: 'attempts_delivery_id_fkey',
  },
];

/**
 * Tenant integrity in the schema: a delivery, an attempt or a secret refers to its endpoint, event or
 * delivery by `(organization_id, id)`, so a row can no longer name another organization's parent (the
 * database refuses it, whatever the code does). Parents get `UNIQUE (organization_id, id)`; on
 * `endpoints` and `events` it takes the place of the plain index on the same columns. This is also the
 * key shape a database distributed by `organization_id` needs (ADR 0010).
 * `attempts.delivery_id` may be NULL (test sends): a composite key with a NULL part is not checked.
 */
export class AddTenantForeignKeys1765000000000 implements MigrationInterface {
  name = 'AddTenantForeignKeys1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const parent of ['endpoints', 'events', 'deliveries']) {
      await queryRunner.query(
        `ALTER TABLE ${parent} ADD CONSTRAINT ${parent}_organization_id_id_key UNIQUE (organization_id, id)`,
      );
    }
    await queryRunner.query(`DROP INDEX endpoints_organization_id_id_idx`);
    await queryRunner.query(`DROP INDEX events_organization_id_id_idx`);
    for (const { table, column, parent, name, replaces } of REFERENCES) {
      await queryRunner.query(
        `ALTER TABLE ${table} ADD CONSTRAINT ${name} FOREIGN KEY (organization_id, ${column}) REFERENCES ${parent} (organization_id, id) ON DELETE CASCADE`,
      );
      await queryRunner.query(`ALTER TABLE ${table} DROP CONSTRAINT ${replaces}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table, column, parent, name, replaces } of [...REFERENCES].reverse()) {
      await queryRunner.query(
        `ALTER TABLE ${table} ADD CONSTRAINT ${replaces} FOREIGN KEY (${column}) REFERENCES ${parent} (id) ON DELETE CASCADE`,
      );
      await queryRunner.query(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
    }
    await queryRunner.query(
      `CREATE INDEX events_organization_id_id_idx ON events (organization_id, id)`,
    );
    await queryRunner.query(
      `CREATE INDEX endpoints_organization_id_id_idx ON endpoints (organization_id, id)`,
    );
    for (const parent of ['deliveries', 'events', 'endpoints']) {
      await queryRunner.query(
        `ALTER TABLE ${parent} DROP CONSTRAINT ${parent}_organization_id_id_key`,
      );
    }
  }
}

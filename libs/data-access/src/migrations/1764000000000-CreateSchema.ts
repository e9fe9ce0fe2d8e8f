import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The initial schema. Hand-written: every table carries its tenant column first in its indexes, and the
 * partial index on due pending deliveries serves the worker's claim query.
 */
export class CreateSchema1764000000000 implements MigrationInterface {
  name = 'CreateSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE organizations (
        id char(24) PRIMARY KEY,
        name text NOT NULL,
        endpoint_limit integer NULL CHECK (endpoint_limit IS NULL OR endpoint_limit >= 0),
        featurebase_version text NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id char(24) PRIMARY KEY,
        organization_id char(24) NULL REFERENCES organizations (id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash text NOT NULL,
        permissions text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NULL,
        revoked_at timestamptz NULL,
        CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
      )`);
    await queryRunner.query(
      `CREATE INDEX api_keys_organization_id_idx ON api_keys (organization_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE endpoints (
        id char(24) PRIMARY KEY,
        organization_id char(24) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        dialect text NOT NULL CHECK (dialect IN ('native', 'featurebase', 'platform')),
        url text NOT NULL,
        name text NOT NULL,
        description text NULL,
        topics text[] NOT NULL,
        excluded_topics text[] NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('active', 'paused', 'suspended')),
        status_reason text NULL,
        timeout_ms integer NOT NULL CHECK (timeout_ms BETWEEN 1000 AND 30000),
        headers jsonb NOT NULL DEFAULT '{}',
        auth_type text NOT NULL CHECK (auth_type IN ('none', 'basic', 'api_key')),
        auth_username text NULL,
        auth_header_name text NULL,
        auth_secret_enc text NULL,
        signing_protocol text NOT NULL,
        payload_version text NOT NULL,
        include_previous_data boolean NOT NULL DEFAULT false,
        avg_response_time integer NOT NULL DEFAULT 0,
        last_response_time integer NULL,
        consecutive_failures integer NOT NULL DEFAULT 0,
        errors_since_last_success integer NOT NULL DEFAULT 0,
        sample_count integer NOT NULL DEFAULT 0,
        last_success_at timestamptz NULL,
        failing_since timestamptz NULL,
        last_status_code integer NULL,
        last_status_message text NULL,
        last_status_at timestamptz NULL,
        penalty_until timestamptz NULL,
        penalty_level integer NOT NULL DEFAULT 0,
        paused_at timestamptz NULL,
        suspended_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX endpoints_organization_id_id_idx ON endpoints (organization_id, id)`,
    );
    await queryRunner.query(`
      CREATE TABLE endpoint_secrets (
        id char(24) PRIMARY KEY,
        organization_id char(24) NOT NULL,
        endpoint_id char(24) NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
        secret_enc text NOT NULL,
        key_version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX endpoint_secrets_endpoint_id_idx ON endpoint_secrets (organization_id, endpoint_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE events (
        id char(24) PRIMARY KEY,
        organization_id char(24) NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        topic text NOT NULL,
        data jsonb NOT NULL,
        previous_data jsonb NULL,
        idempotency_key text NULL,
        payload_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX events_organization_id_id_idx ON events (organization_id, id)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX events_idempotency_key_key ON events (organization_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX events_created_at_idx ON events (created_at)`);
    await queryRunner.query(`
      CREATE TABLE deliveries (
        id char(24) PRIMARY KEY,
        organization_id char(24) NOT NULL,
        event_id char(24) NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        endpoint_id char(24) NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempt_count integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NULL,
        claim_id uuid NULL,
        claim_expires_at timestamptz NULL,
        last_attempt_at timestamptz NULL,
        completed_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_endpoint_idx ON deliveries (organization_id, endpoint_id, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_event_idx ON deliveries (organization_id, event_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE attempts (
        id char(24) PRIMARY KEY,
        organization_id char(24) NOT NULL,
        endpoint_id char(24) NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
        delivery_id char(24) NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        event_id char(24) NULL,
        trigger text NOT NULL CHECK (trigger IN ('scheduled', 'manual', 'test')),
        status_code integer NULL,
        duration_ms integer NOT NULL,
        error_class text NULL,
        error_message text NULL,
        response_excerpt text NULL,
        request_headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX attempts_endpoint_newest_idx ON attempts (organization_id, endpoint_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(`CREATE INDEX attempts_delivery_idx ON attempts (delivery_id)`);
    await queryRunner.query(`CREATE INDEX attempts_created_at_idx ON attempts (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'attempts',
      'deliveries',
      'events',
      'endpoint_secrets',
      'endpoints',
      'api_keys',
      'organizations',
    ]) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}

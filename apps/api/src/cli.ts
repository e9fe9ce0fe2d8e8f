import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { ApiError, ApiKeyService, OrganizationsService } from '@hookyard/api';
import { listen, readListenOptions } from './cli/listen.command';
import {
  createOperatorKey,
  listOperatorKeys,
  readOperatorKeyRequest,
  revokeOperatorKey,
} from './cli/operator-key.command';
import { type HookyardConfig, loadConfig } from '@hookyard/config';
import {
  countAppliedMigrations,
  openDatabase,
  openRuntime,
  type Runtime,
} from '@hookyard/data-access';

const USAGE = `usage: hookyard org create --name <name> [--uid <uid>] [--key-only]
         make an organization (with your own id for it, --uid) and an all-permission key
         (--key-only: print the key alone)
       hookyard operator-key create [--name <name>] [--permissions <a,b>] [--expires-at <iso time>]
         an operator key (default every permission, *), acting for the organization each request
         names in X-Hookyard-Organization (x-platform-id on the platform dialect); prints {"apiKey", "id"}
       hookyard operator-key list
         one JSON line per live operator key: id, name, prefix, permissions, createdAt, expiresAt
       hookyard operator-key revoke <id>
         revoke an operator key and the portal sessions it made (a running API stops honouring it within 5 s)
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
      uid: { type: 'string' },
      'key-only': { type: 'boolean' },
      permissions: { type: 'string' },
      'expires-at': { type: 'string' },
      port: { type: 'string' },
      key: { type: 'string' },
      api: { type: 'string' },
    },
    allowPositionals: true,
  });
  const command = positionals.join(' ');
  if (command === 'migrate') return migrate();
  if (command === 'org create' && values.name?.trim())
    return createOrganization(values.name.trim(), values.uid, values['key-only'] ?? false);
  if (command === 'operator-key list')
    return withApiKeys((keys) => listOperatorKeys(keys, process.stdout));
  if (command === 'operator-key create') {
    const request = readOperatorKeyRequest(values);
    if (!('problem' in request))
      return withApiKeys((keys) => createOperatorKey(keys, request, process.stdout));
    process.stderr.write(`hookyard operator-key create: ${request.problem}\n`);
  }
  const [, verb, id, ...rest] = positionals;
  if (positionals[0] === 'operator-key' && verb === 'revoke' && id && rest.length === 0)
    return withApiKeys((keys) => revokeOperatorKey(keys, id, process.stderr));
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
    const migrations = await countAppliedMigrations(database.dataSource);
    process.stdout.write(`${JSON.stringify({ migrations })}\n`);
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

/** Runs `command` with the API keys of the running server's database, then closes it. */
async function withApiKeys(command: (keys: ApiKeyService) => Promise<number>): Promise<number> {
  const runtime = await openRuntime(loadConfig(process.env), 'join');
  try {
    return await command(new ApiKeyService(runtime.dataSource, new ObjectIdGenerator(randomBytes)));
  } finally {
    await runtime.close();
  }
}

/**
 * `org create`: prints one JSON line {"organizationId", "apiKey"}, or with --key-only the key alone;
 * exit 1 with the reason when the uid is malformed or another organization has it.
 */
async function createOrganization(
  name: string,
  uid: string | undefined,
  keyOnly: boolean,
): Promise<number> {
  const config = loadConfig(process.env);
  const runtime = await openRuntime(config, 'join');
  try {
    const ids = new ObjectIdGenerator(randomBytes);
    const organizations = new OrganizationsService(
      runtime.dataSource,
      new ApiKeyService(runtime.dataSource, ids),
      ids,
    );
    const created = await organizations.create(name, uid);
    process.stdout.write(`${keyOnly ? created.apiKey : JSON.stringify(created)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    process.stderr.write(`hookyard org create: ${error.message}\n`);
    return 1;
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

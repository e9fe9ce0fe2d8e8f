import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ObjectIdGenerator } from '@hookyard/webhook-core';
import { ApiKeyService } from './auth/api-key.service';
import { ConfigError, loadConfig } from './config/config';
import { OrganizationsService } from './organizations/organizations.service';
import { openRuntime } from './runtime';

const USAGE = 'usage: hookyard org create --name <name>';

/** `hookyard org create --name <name>`: prints one JSON line {"organizationId", "apiKey"}. */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    options: { name: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals[0] !== 'org' || positionals[1] !== 'create' || !values.name?.trim()) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const runtime = await openRuntime(config);
  try {
    const ids = new ObjectIdGenerator(randomBytes);
    const organizations = new OrganizationsService(
      runtime.dataSource,
      new ApiKeyService(runtime.dataSource, ids),
      ids,
    );
    const created = await organizations.create(values.name.trim());
    process.stdout.write(`${JSON.stringify(created)}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);

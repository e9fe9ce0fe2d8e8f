#!/usr/bin/env node
// `npm run openapi:write`: builds the app, then writes apps/api/openapi.json, the OpenAPI document the
// built app serves. The committed file is checked against the running app by
// apps/api/test/openapi.e2e-spec.ts, which fails when the two differ.
'use strict';
const { randomBytes } = require('node:crypto');
const { existsSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join, relative } = require('node:path');

const root = join(__dirname, '..', '..');
const appRoot = join(root, 'apps', 'api');
const factory = join(appRoot, 'dist', 'app.factory.js');
const target = join(appRoot, 'openapi.json');

async function main() {
  if (!existsSync(factory))
    throw new Error(
      `${relative(root, factory)} is missing: build the app first (npx nx run api:build)`,
    );
  // Resolve the libraries the way the built app does, so it sees the same module instances.
  const requireFromApp = createRequire(factory);
  const { createApp } = requireFromApp(factory);
  const { loadConfig } = requireFromApp('@hookyard/config');
  const { SecretCipher } = requireFromApp('@hookyard/data-access');
  const { DataSource } = requireFromApp('typeorm');
  // The document comes from the routes and DTOs alone: a throwaway key and a database never connected.
  const key = randomBytes(32);
  const config = loadConfig({ HOOKYARD_ENCRYPTION_KEY: key.toString('base64') });
  const { app, document } = await createApp(
    config,
    { dataSource: new DataSource({ type: 'postgres' }), cipher: SecretCipher.fromKey(key) },
    { logger: false },
  );
  await app.close();
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`wrote ${relative(root, target)}\n`);
}

main().catch((error) => {
  process.stderr.write(
    `write-openapi: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});

#!/usr/bin/env node
// Serves an in-memory (or on-disk, with a directory argument) embedded PostgreSQL on 127.0.0.1 and prints
// one line `READY <url>` when it accepts connections. Tests run it as a child process because PGlite
// loads its WebAssembly with dynamic imports that jest's module sandbox does not allow.
'use strict';
const { createServer } = require('node:net');
const { PGlite } = require('@electric-sql/pglite');
const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');

async function main() {
  const dataDir = process.argv[2] || undefined;
  const port = await new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 20 });
  await server.start();
  process.stdout.write(`READY postgres://postgres@127.0.0.1:${port}/postgres\n`);
  const stop = () => {
    server
      .stop()
      .then(() => db.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop); // the parent went away
  process.stdin.resume();
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

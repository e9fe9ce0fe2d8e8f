#!/usr/bin/env node
// `npm run hookyard -- <command>`: runs the CLI from the build that `npm start` made. It builds only when
// there is no build yet, under a lock, so a call never rewrites files that a running server or another
// call is loading (rebuilding on every call once broke a concurrent call with MODULE_NOT_FOUND).
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const cli = join(root, 'apps', 'api', 'dist', 'cli.js');

function buildOnce() {
  const lock = join(root, 'apps', 'api', '.build-lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (existsSync(cli) && !existsSync(lock)) return;
      if (Date.now() > deadline) throw new Error(`${lock} is held: remove it if no build runs`);
      execFileSync('sleep', ['0.2']);
    }
  }
  try {
    if (existsSync(cli)) return; // another call built it while this one waited
    execFileSync(
      process.execPath,
      [
        join(root, 'node_modules', 'nx', 'bin', 'nx.js'),
        'run',
        'api:build',
        '--outputStyle=static',
      ],
      { cwd: root, stdio: ['ignore', process.stderr, process.stderr] },
    );
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (!existsSync(cli)) buildOnce();
require(cli);

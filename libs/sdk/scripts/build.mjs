#!/usr/bin/env node
// Builds @hookyard/sdk twice with tsc: CommonJS into dist/cjs and ES modules into dist/esm, each with
// its .d.ts and a package.json that names its module format for Node. The sources import one another
// without extensions (as jest and the workspace's tsconfig paths resolve them); Node's ESM loader needs
// them, so the ESM output's relative specifiers get theirs (`./x.js`, `./dir/index.js`) here, and a
// specifier that resolves to neither fails the build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const sdkRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(sdkRoot, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const RELATIVE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The specifier with the extension Node's ESM resolution needs, from the file that imports it. */
function withExtension(file, specifier) {
  if (/\.(js|json)$/.test(specifier)) return specifier;
  const base = join(dirname(file), specifier);
  if (existsSync(`${base}.js`)) return `${specifier}.js`;
  if (existsSync(join(base, 'index.js'))) return `${specifier}/index.js`;
  throw new Error(`${relative(sdkRoot, file)}: cannot resolve "${specifier}"`);
}

function addExtensions(dir) {
  for (const file of filesUnder(dir).filter((f) => /\.(js|d\.ts)$/.test(f))) {
    const text = readFileSync(file, 'utf8');
    const rewritten = text.replace(
      RELATIVE_SPECIFIER,
      (_, keyword, quote, specifier) =>
        `${keyword}${quote}${withExtension(file, specifier)}${quote}`,
    );
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}

rmSync(dist, { recursive: true, force: true });
for (const config of ['tsconfig.cjs.json', 'tsconfig.esm.json']) {
  execFileSync(process.execPath, [tsc, '-p', join(sdkRoot, config)], { stdio: 'inherit' });
}
addExtensions(join(dist, 'esm'));
writeFileSync(join(dist, 'cjs', 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
writeFileSync(join(dist, 'esm', 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);

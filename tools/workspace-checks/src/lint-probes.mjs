// Lints would-be files (never written to disk) in one ESLint process, exactly as `nx lint` would, and
// prints {results: [[messages of probe 1], ...], depConstraints} as JSON. Input on stdin:
// [{"filePath": "...", "code": "..."}]. It runs as a child process: ESLint's config loader needs dynamic
// imports that jest's sandbox does not allow.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(import.meta.dirname, '..', '..', '..');
const probes = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: root });
const results = [];
for (const probe of probes) {
  const [result] = await eslint.lintText(probe.code, { filePath: join(root, probe.filePath) });
  results.push(result?.messages ?? []);
}
const { default: config } = await import(join(root, 'eslint.config.mjs'));
const rule = config.map((c) => c.rules?.['@nx/enforce-module-boundaries']).find(Boolean);
process.stdout.write(JSON.stringify({ results, depConstraints: rule[1].depConstraints }));

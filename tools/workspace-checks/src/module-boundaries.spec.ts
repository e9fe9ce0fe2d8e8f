import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
/** A path the ESLint config lets type-aware rules lint without the file existing. */
const PROBE = 'libs/webhook-core/src/__lint_probe__.ts';

interface LintMessage {
  ruleId: string | null;
  severity: number;
  line: number;
}

/**
 * Lints would-be core code exactly as `nx lint` would and returns its errors. ESLint runs in a child
 * process: its config loader needs dynamic imports that jest's sandbox does not allow.
 */
function lintErrors(source: string): LintMessage[] {
  const eslint = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const run = spawnSync(
    process.execPath,
    [eslint, '--stdin', '--stdin-filename', join(ROOT, PROBE), '--format', 'json'],
    {
      cwd: ROOT,
      input: source,
      encoding: 'utf8',
    },
  );
  const [result] = JSON.parse(run.stdout) as { messages: LintMessage[] }[];
  return (result?.messages ?? []).filter((m) => m.severity === 2);
}

describe('module boundaries', () => {
  const banned = ['@nestjs/common', 'typeorm', 'pg', 'class-validator', '@hookyard/data-access'];
  const source = [
    ...banned.map((pkg, i) => `import * as banned${i} from '${pkg}';`),
    `import { createHmac } from 'node:crypto';`,
    `export const probe = [${banned.map((_, i) => `banned${i}`).join(', ')}, createHmac];`,
  ].join('\n');
  const errors = lintErrors(source);

  it.each(banned.map((pkg, i) => [pkg, i + 1] as const))(
    'fails the lint when webhook-core imports %s',
    (_, line) => {
      const rules = errors.filter((e) => e.line === line).map((e) => e.ruleId);
      expect(rules).toContain('@nx/enforce-module-boundaries');
    },
  );

  it('names the framework-free rule for framework packages', () => {
    const lines = errors.filter((e) => e.ruleId === 'no-restricted-imports').map((e) => e.line);
    expect(lines).toEqual([1, 2, 3, 4]);
  });

  it('lets webhook-core import Node built-ins', () => {
    expect(errors.filter((e) => e.line === banned.length + 1)).toEqual([]);
  });
});

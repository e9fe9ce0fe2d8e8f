import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
/** The path, inside a project, that the ESLint config lets type-aware rules lint without the file existing. */
const probeIn = (project: string) => `${project}/src/__lint_probe__.ts`;
const PROBE = probeIn('libs/webhook-core');

interface LintMessage {
  ruleId: string | null;
  severity: number;
  line: number;
}

interface Probe {
  readonly filePath: string;
  readonly code: string;
}

interface Linted {
  readonly results: LintMessage[][];
  readonly depConstraints: { sourceTag: string; onlyDependOnLibsWithTags: string[] }[];
}

/** Lints every probe in one ESLint process (`lint-probes.mjs`) and returns each one's errors. */
function lintAll(probes: readonly Probe[]): Linted {
  const run = spawnSync(process.execPath, [join(__dirname, 'lint-probes.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(probes),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`lint-probes failed: ${run.stderr}`);
  const linted = JSON.parse(run.stdout) as Linted;
  return {
    ...linted,
    results: linted.results.map((messages) => messages.filter((m) => m.severity === 2)),
  };
}

/** A would-be file in `project` that imports `specifier` and uses it. */
function importProbe(project: string, specifier: string): Probe {
  return {
    filePath: probeIn(project),
    code: `import * as probe from '${specifier}';\nexport const used = probe;\n`,
  };
}

describe('module boundaries', () => {
  const banned = ['@nestjs/common', 'typeorm', 'pg', 'class-validator', '@hookyard/data-access'];
  const source = [
    ...banned.map((pkg, i) => `import * as banned${i} from '${pkg}';`),
    `import { createHmac } from 'node:crypto';`,
    `export const probe = [${banned.map((_, i) => `banned${i}`).join(', ')}, createHmac];`,
  ].join('\n');
  const [errors = []] = lintAll([{ filePath: PROBE, code: source }]).results;

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

/**
 * One probe per layering rule: a would-be file in the project imports what the rule forbids, and the
 * lint must fail on that line with the rule's name.
 */
describe('layering rules', () => {
  const probes: [rule: string, project: string, specifier: string, ruleId: string][] = [
    ['util imports no NestJS', 'libs/config', '@nestjs/common', '@nx/enforce-module-boundaries'],
    [
      'util imports no engine',
      'libs/config',
      '@hookyard/delivery',
      '@nx/enforce-module-boundaries',
    ],
    [
      'data-access imports no NestJS HTTP package',
      'libs/data-access',
      '@nestjs/swagger',
      '@nx/enforce-module-boundaries',
    ],
    [
      'the engine imports nothing of the HTTP stack',
      'libs/delivery',
      'express',
      '@nx/enforce-module-boundaries',
    ],
    [
      'the engine imports no feature',
      'libs/delivery',
      '@hookyard/api',
      '@nx/enforce-module-boundaries',
    ],
    [
      'the shared API imports no dialect',
      'libs/api',
      '@hookyard/dialect-featurebase',
      '@nx/enforce-module-boundaries',
    ],
    [
      'an app imports no other app',
      'apps/worker',
      '../../api/src/app.factory',
      '@nx/enforce-module-boundaries',
    ],
    [
      'the worker app imports nothing of the HTTP stack',
      'apps/worker',
      '@nestjs/platform-express',
      'no-restricted-imports',
    ],
  ];

  const allowed: [project: string, specifier: string][] = [
    ['libs/delivery', '@hookyard/data-access'],
    ['libs/dialect-featurebase', '@hookyard/api'],
    ['apps/worker', '@hookyard/delivery'],
  ];
  const linted = lintAll([
    ...probes.map(([, project, specifier]) => importProbe(project, specifier)),
    ...allowed.map(([project, specifier]) => importProbe(project, specifier)),
  ]);

  it.each(probes.map((probe, i) => [...probe, i] as const))(
    '%s: %s importing %s fails the lint',
    (_rule, _project, _specifier, ruleId, i) => {
      const errors = linted.results[i] ?? [];
      expect(errors.filter((e) => e.line === 1).map((e) => e.ruleId)).toContain(ruleId);
    },
  );

  it.each(allowed.map((probe, i) => [...probe, probes.length + i] as const))(
    'lets %s import %s',
    (_project, _specifier, i) => {
      expect(linted.results[i]).toEqual([]);
    },
  );

  it('lets no adapter depend on another adapter (checked in the configuration until a second exists)', () => {
    const adapter = linted.depConstraints.find((c) => c.sourceTag === 'type:adapter');
    expect(adapter?.onlyDependOnLibsWithTags).not.toContain('type:adapter');
    expect(adapter?.onlyDependOnLibsWithTags).toContain('type:feature');
  });
});

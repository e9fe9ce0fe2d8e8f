import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIALECT_NAMES, INSTALLATION_DIALECT } from '@hookyard/webhook-core';
import { type DialectMention, dialectMentions, wordsOf } from './dialect-names.util';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * The dialects the check guards: every one but the installation's own (`native`, whose adapter is the
 * `/v1` API in libs/api itself).
 */
const GUARDED = DIALECT_NAMES.filter((name) => name !== INSTALLATION_DIALECT);

/** The code the check reads: every project's sources and scripts, the workspace's own scripts. */
const SCANNED = ['libs/*/src/**', 'apps/*/src/**', 'libs/*/scripts/**', 'tools/scripts/**'];
const CODE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

/** Where a dialect's name may stand freely: tests (they drive each dialect) and migrations (history). */
const EXEMPT = [
  /\.(spec|int-spec|e2e-spec|browser-spec|reliability-spec)\.[cm]?[jt]sx?$/,
  /^libs\/data-access\/src\/migrations\//,
  /** The registry, the one list of every dialect, and the folder's exports beside it. */
  /^libs\/webhook-core\/src\/dialects\/(dialect-registry|index)\.ts$/,
];

/** The files a dialect owns: its definition in webhook-core and its HTTP adapter. */
function ownerOf(file: string): string | null {
  const match =
    /^libs\/webhook-core\/src\/dialects\/([a-z0-9-]+)\.dialect\.ts$/.exec(file) ??
    /^libs\/dialect-([a-z0-9-]+)\//.exec(file);
  return match?.[1] ?? null;
}

/**
 * What may name a dialect outside its own files, each with why. `token` narrows an entry to the
 * tokens it matches; without it the whole file may name the dialect. Without `dialect`, any.
 */
interface Allowed {
  readonly file: string;
  readonly dialect?: string;
  readonly token?: RegExp;
  readonly why: string;
}

const ALLOWED: readonly Allowed[] = [
  {
    file: 'apps/api/src/app.factory.ts',
    token: /^(@hookyard\/dialect-[a-z0-9-]+|[A-Z0-9]+_DIALECT)$/,
    why:
      'the composition root: each HTTP adapter is a NestJS module, which webhook-core (framework-free) ' +
      'cannot import, so the app that mounts them lists them, one line per dialect with an HTTP API',
  },
  {
    file: 'libs/data-access/src/entities/organization.entity.ts',
    dialect: 'featurebase',
    token: /^(featurebase_version|featurebaseVersion)$/,
    why:
      'the organizations.featurebase_version column (the Featurebase API version of requests that ' +
      'name none): moving it to per-dialect organization settings needs a data migration of its own',
  },
  {
    file: 'libs/api/src/tenancy/organizations-admin.service.ts',
    dialect: 'featurebase',
    token: /^featurebaseVersion$/,
    why:
      'sets the featurebase_version column to its default on create; tenancy is outside this ' +
      'change, and the line goes with the column',
  },
  {
    file: 'libs/webhook-core/src/topics.ts',
    dialect: 'featurebase',
    token: /^(FEATUREBASE_TOPICS|FeaturebaseTopic)$/,
    why:
      'the built-in topic catalogue every dialect publishes; it is Featurebase’s list and keeps ' +
      'the name, but no dialect behaviour hangs on it',
  },
  {
    file: 'apps/api/src/cli.ts',
    dialect: 'platform',
    token: /x-platform-id on the platform dialect/,
    why: 'usage text: it documents the header an operator key uses on that dialect',
  },
  {
    file: 'apps/console/src/api/api-keys.ts',
    dialect: 'platform',
    token: /^The platform dialect’s name for WEBHOOK\.READ\.$/,
    why:
      'UI copy of the WEBHOOK.VIEW alias; the console is a browser bundle that does not import ' +
      'webhook-core, so it cannot read the registry’s aliases',
  },
  // Not the dialect: the word in another sense.
  {
    file: 'libs/api/src/app.factory.ts',
    dialect: 'platform',
    token: /^(@nestjs\/platform-express|Self-hostable, multi-tenant webhook platform: .*)$/,
    why: 'NestJS’s Express platform package, and the product described as a webhook platform',
  },
  {
    file: 'libs/data-access/src/embedded-postgres.ts',
    dialect: 'platform',
    token: /^platform$/,
    why: 'node:os platform(): the operating system',
  },
  {
    file: 'libs/data-access/src/data-source.ts',
    token: /^(\.\/migrations\/\d{13}-[A-Za-z]+|[A-Za-z]+\d{13})$/,
    why: 'the list of migrations names each by its file and class: migrations are history',
  },
];

function isAllowed(mention: DialectMention, allowed: Allowed): boolean {
  return (
    allowed.file === mention.file &&
    (allowed.dialect === undefined || allowed.dialect === mention.dialect) &&
    (allowed.token === undefined || allowed.token.test(mention.token))
  );
}

/** The scanned files git knows, minus the exempt ones. */
function scannedFiles(): string[] {
  return execFileSync('git', ['ls-files', '--', ...SCANNED], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => CODE.test(file) && !EXEMPT.some((pattern) => pattern.test(file)));
}

/** Every mention of a guarded dialect outside its own files. */
function strayMentions(): DialectMention[] {
  return scannedFiles().flatMap((file) =>
    dialectMentions(file, readFileSync(join(ROOT, file), 'utf8'), GUARDED).filter(
      (mention) => ownerOf(file) !== mention.dialect,
    ),
  );
}

describe('dialect names', () => {
  const stray = strayMentions();

  it('finds the dialects to guard in the registry', () => {
    expect(GUARDED.length).toBeGreaterThan(0);
  });

  it('stand only in their own files, the registry, tests, migrations and the allowed places', () => {
    const unexplained = stray
      .filter((mention) => !ALLOWED.some((allowed) => isAllowed(mention, allowed)))
      .map(
        ({ file, line, dialect, token }) => `${file}:${line} ${dialect} in ${token.slice(0, 80)}`,
      );
    expect(unexplained).toEqual([]);
  });

  it('allows nothing that no longer stands in the code', () => {
    const unused = ALLOWED.filter((allowed) => !stray.some((m) => isAllowed(m, allowed)));
    expect(unused.map((allowed) => `${allowed.file} (${allowed.dialect ?? 'any'})`)).toEqual([]);
  });
});

describe('finding a dialect name', () => {
  const found = (source: string, file = 'libs/delivery/src/x.ts') =>
    dialectMentions(file, source, ['featurebase', 'platform']).map((m) => [m.dialect, m.token]);

  it('reads names, strings and template parts, not comments', () => {
    expect(
      found(
        [
          '// the platform dialect',
          'const featurebaseRetry = config.dialects.platform;',
          "const name = 'HOOKYARD_FEATUREBASE_RETRY_SCHEDULE';",
          'const path = `/platform/${id}/featurebase`;',
        ].join('\n'),
      ),
    ).toEqual([
      ['featurebase', 'featurebaseRetry'],
      ['platform', 'platform'],
      ['featurebase', 'HOOKYARD_FEATUREBASE_RETRY_SCHEDULE'],
      ['platform', '/platform/'],
      ['featurebase', '/featurebase'],
    ]);
  });

  it('reads JSX text and attributes', () => {
    expect(
      found('export const x = <p title="platform">Featurebase</p>;', 'apps/x/src/x.tsx'),
    ).toEqual([
      ['platform', 'platform'],
      ['featurebase', 'Featurebase'],
    ]);
  });

  it('matches whole words only', () => {
    expect(wordsOf('PlatformWebhooksService')).toEqual(['platform', 'webhooks', 'service']);
    expect(found("const platforms = 'replatformed';")).toEqual([]);
  });
});

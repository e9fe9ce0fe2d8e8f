import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from './config';
import { CONFIG_VARIABLES } from './variables';

/** One row of the README's configuration table: `| \`NAME\` (sensitive) | default | meaning |`. */
interface ConfigRow {
  readonly variable: string;
  readonly sensitive: boolean;
  readonly defaultCell: string;
  readonly meaning: string;
}

/** Variables a row may mention that Hookyard does not read: the OpenTelemetry SDK reads them itself. */
const READ_BY_THE_OTEL_SDK = new Set(['OTEL_BSP_*', 'OTEL_EXPORTER_OTLP_HEADERS']);

/** Defaults the apps apply, not the parser: `hookyard-api` or `hookyard-worker` by app and role. */
const DEFAULTED_BY_THE_APPS = new Set(['OTEL_SERVICE_NAME']);

/** The cells of one table line, split on the pipes Markdown does not escape. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** The rows of the first table under the README's "## Configuration" heading. */
function configurationRows(markdown: string): ConfigRow[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Configuration\n'));
  if (section === undefined) throw new Error('README.md has no "## Configuration" section');
  const lines = section.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  if (start < 0) throw new Error('the Configuration section of README.md has no table');
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
  const [header = [], , ...body] = lines.slice(start, end < 0 ? undefined : end).map(cells);
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`the configuration table has no "${name}" column`);
    return index;
  };
  const [variableAt, defaultAt, meaningAt] = [
    column('variable'),
    column('default'),
    column('meaning'),
  ];
  return body.map((row) => {
    const cell = row[variableAt] ?? '';
    const match = /^`([A-Z][A-Z0-9_]*)`( \(sensitive\))?$/.exec(cell);
    if (!match?.[1])
      throw new Error(`a configuration row names no variable: ${JSON.stringify(cell)}`);
    return {
      variable: match[1],
      sensitive: match[2] !== undefined,
      defaultCell: row[defaultAt] ?? '',
      meaning: row[meaningAt] ?? '',
    };
  });
}

/**
 * The variables a cell names in backticks (`HOOKYARD_*`, `OTEL_*`, `DATABASE_URL`, `NODE_ENV`),
 * without any `=value`.
 */
function variablesMentioned(text: string): string[] {
  return [
    ...text.matchAll(/`((?:HOOKYARD|OTEL)_[A-Z0-9_*]+|DATABASE_URL|NODE_ENV)(?:=[^`]*)?`/g),
  ].map((match) => match[1] ?? '');
}

const ROWS = configurationRows(readFileSync(join(__dirname, '../../../README.md'), 'utf8'));
const VARIABLES = Object.keys(CONFIG_VARIABLES);
const documented = new Set(ROWS.map((row) => row.variable));

describe('the README configuration table', () => {
  it('has a row for every variable Hookyard reads', () => {
    expect(ROWS.length).toBeGreaterThan(0);
    expect(VARIABLES.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('has no row for a variable Hookyard does not read, and no variable twice', () => {
    expect(ROWS.map((row) => row.variable).filter((name) => !(name in CONFIG_VARIABLES))).toEqual(
      [],
    );
    expect(ROWS).toHaveLength(documented.size);
  });

  it('mentions no other Hookyard variable than those it documents', () => {
    const unknown = ROWS.flatMap((row) =>
      variablesMentioned(row.meaning).filter(
        (name) => !(name in CONFIG_VARIABLES) && !READ_BY_THE_OTEL_SDK.has(name),
      ),
    );
    expect(unknown).toEqual([]);
  });

  it('marks exactly the sensitive variables "(sensitive)"', () => {
    const marked = ROWS.filter((row) => row.sensitive).map((row) => row.variable);
    const sensitive = VARIABLES.filter((name) => CONFIG_VARIABLES[name]?.sensitive === true);
    expect(marked.sort()).toEqual(sensitive.sort());
  });

  it.each(ROWS.map((row) => [row.variable, row] as const))(
    'gives %s a default and a meaning',
    (_, row) => {
      expect(row.defaultCell).not.toMatch(/^(|-|—|n\/a)$/i);
      expect(row.meaning).not.toBe('');
    },
  );

  // A default cell is a backticked value, `unset`, `empty`, or a phrase where the value depends on
  // the machine (`by terminal`) or is too long for the cell. A backticked value is what the parser
  // itself falls back to, so setting it changes nothing.
  it.each(
    ROWS.filter(
      (row) => /^`[^`]+`$/.test(row.defaultCell) && !DEFAULTED_BY_THE_APPS.has(row.variable),
    ).map((row) => [row.variable, row.defaultCell.slice(1, -1)] as const),
  )('states the default of %s as the parser has it (%s)', (name, value) => {
    expect(loadConfig({ [name]: value })).toEqual(loadConfig({}));
  });
});

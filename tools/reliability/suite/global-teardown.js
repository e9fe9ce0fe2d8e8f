const { existsSync, readFileSync, rmSync } = require('node:fs');
const { dirname, resolve } = require('node:path');
const stopPostgres = require('../../../libs/data-access/src/testing/global-teardown.ts').default;

/** The repository whose test files the catalogue coverage reads (see whereTested). */
const ROOT = resolve(__dirname, '../../..');
/** The widest line of the coverage table, and of its scenario column. */
const WIDTH = 160;
const TEXT_WIDTH = 64;

/**
 * Prints the table of every row the run reported (see global-setup.js), then the catalogue
 * coverage, then stops PostgreSQL.
 */
module.exports = async function globalTeardown() {
  const file = process.env.HOOKYARD_RELIABILITY_TABLE;
  if (file) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n') : [];
    const rows = lines.filter((line) => line !== '');
    const rule = '-'.repeat(100);
    process.stdout.write(
      `\n== reliability table (${rows.length} rows)\n${rule}\n${rows.join('\n')}\n${rule}\n`,
    );
    process.stdout.write(coverage(rows, rule));
    rmSync(dirname(file), { recursive: true, force: true });
    delete process.env.HOOKYARD_RELIABILITY_TABLE;
  }
  await stopPostgres();
};

/**
 * One line per catalogue row the run did not report, and per bad input, with the test files whose
 * titles start with its id; then the counts. Never throws: PostgreSQL must still be stopped.
 */
function coverage(reportedLines, rule) {
  try {
    // The TypeScript source, not dist: jest transpiles what a global hook requires, and a run of one
    // suite file (`npx jest -c ... suite/<file>`) does not build dist first.
    const { BAD_INPUTS, CATALOGUE, leadingIds, whereTested } = require('../src/catalogue.ts');
    const reported = new Set(reportedLines.flatMap((line) => leadingIds(line)));
    const tested = whereTested(ROOT);
    const rows = CATALOGUE.filter((row) => !reported.has(row.id)).map((row) => ({
      id: row.id,
      text: row.scenario,
      files: tested.get(row.id) ?? [],
    }));
    const inputs = BAD_INPUTS.map((input) => ({
      id: input.id,
      text: `${input.request}: ${input.expected}`,
      files: tested.get(input.id) ?? [],
    }));
    const untested = (entries) => entries.filter((entry) => entry.files.length === 0).length;
    return [
      '\n== catalogue coverage (docs/reliability.md: rows not reported by this run, and bad inputs)',
      rule,
      ...table(rows),
      ...table(inputs),
      rule,
      `bad inputs: ${inputs.length}, ${inputs.length - untested(inputs)} tested, ` +
        `${untested(inputs)} without a test`,
      `catalogue: ${CATALOGUE.length} rows, ${CATALOGUE.length - rows.length} reported by this ` +
        `run, ${rows.length - untested(rows)} tested elsewhere, ${untested(rows)} without a test`,
      '',
    ].join('\n');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `\n== catalogue coverage not available: ${reason}\n`;
  }
}

/**
 * `<id> <scenario>  tested in <file>, <file>` per entry, the scenarios in one column, each line cut
 * to WIDTH by leaving files out (`+2 more`).
 */
function table(entries) {
  const width = Math.min(TEXT_WIDTH, Math.max(0, ...entries.map((entry) => entry.text.length)));
  return entries.map(({ id, text, files }) => {
    const clipped = text.length <= width ? text : `${text.slice(0, width - 1)}…`;
    const head = `${id.padEnd(4)}${clipped.padEnd(width)}  `;
    if (files.length === 0) return `${head}without a test`;
    const format = (n) => {
      const more = n < files.length ? `, +${files.length - n} more` : '';
      return `${head}tested in ${files.slice(0, n).join(', ')}${more}`;
    };
    let shown = files.length;
    while (shown > 1 && format(shown).length > WIDTH) shown -= 1;
    return format(shown);
  });
}

const { existsSync, readFileSync, rmSync } = require('node:fs');
const { dirname } = require('node:path');
const stopPostgres = require('../../../libs/data-access/src/testing/global-teardown.ts').default;

/** Prints the table of every row the run reported (see global-setup.js), then stops PostgreSQL. */
module.exports = async function globalTeardown() {
  const file = process.env.HOOKYARD_RELIABILITY_TABLE;
  if (file) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n') : [];
    const rows = lines.filter((line) => line !== '');
    const rule = '-'.repeat(100);
    process.stdout.write(
      `\n== reliability table (${rows.length} rows)\n${rule}\n${rows.join('\n')}\n${rule}\n`,
    );
    rmSync(dirname(file), { recursive: true, force: true });
    delete process.env.HOOKYARD_RELIABILITY_TABLE;
  }
  await stopPostgres();
};

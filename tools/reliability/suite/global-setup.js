const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
// Jest transpiles what a global hook requires, so the TypeScript setup of libs/data-access loads here.
const startPostgres = require('../../../libs/data-access/src/testing/global-setup.ts').default;

/**
 * The reliability suite's global setup: the embedded PostgreSQL of the tests (unless
 * TEST_DATABASE_URL or DATABASE_URL is set), and a file where every row appends its line of figures
 * (HOOKYARD_RELIABILITY_TABLE), printed as one table by the global teardown.
 */
module.exports = async function globalSetup() {
  const dir = mkdtempSync(join(tmpdir(), 'hookyard-reliability-table-'));
  process.env.HOOKYARD_RELIABILITY_TABLE = join(dir, 'table.txt');
  await startPostgres();
};

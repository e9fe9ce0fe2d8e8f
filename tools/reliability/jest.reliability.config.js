/**
 * The reliability suite (`suite/*.reliability-spec.ts`, `npm run test:reliability`): the built API and
 * worker apps and the receiver as child processes, killed and restarted by PID. One file at a time in
 * this process (`--runInBand`), on an embedded PostgreSQL the run owns unless TEST_DATABASE_URL is set.
 * Each row prints its line of figures as it ends; the global teardown prints them all as one table.
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'reliability-suite',
  rootDir: __dirname,
  globalSetup: '<rootDir>/suite/global-setup.js',
  globalTeardown: '<rootDir>/suite/global-teardown.js',
  testMatch: ['<rootDir>/suite/*.reliability-spec.ts'],
  maxWorkers: 1,
  testTimeout: 180_000,
};

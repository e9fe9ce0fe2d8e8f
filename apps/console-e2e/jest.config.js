/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'console-e2e',
  rootDir: __dirname,
  // Chromium and the builds must be there (a clear failure otherwise); then TEST_DATABASE_URL's
  // PostgreSQL, else an embedded server started for the run.
  globalSetup: '<rootDir>/src/global-setup.ts',
  globalTeardown: '<rootDir>/../../libs/data-access/src/testing/global-teardown.ts',
  testMatch: ['<rootDir>/src/**/*.browser-spec.ts', '<rootDir>/src/**/*.spec.ts'],
  // Each file runs a server, a worker and a browser: one file at a time on a small machine.
  maxWorkers: 1,
  testTimeout: 60_000,
};

/**
 * Fault-injection tests that restart the local PostgreSQL cluster: run alone, after everything else
 * (`nx run server:chaos`), never in parallel with other suites that share the server.
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'server-chaos',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.chaos-spec.ts'],
  testTimeout: 180_000,
};

/**
 * Fault-injection tests (`*.chaos-spec.ts`): PostgreSQL cluster restarts (P1), worker processes killed
 * again and again (D4, runs the built server, which the target builds first). Run alone, after everything
 * else (`nx run api:chaos`), never in parallel with other suites that share the server.
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'api-chaos',
  rootDir: __dirname,
  globalSetup: '<rootDir>/../../libs/data-access/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/../../libs/data-access/src/testing/global-teardown.ts',
  testMatch: ['<rootDir>/test/**/*.chaos-spec.ts'],
  testTimeout: 180_000,
};

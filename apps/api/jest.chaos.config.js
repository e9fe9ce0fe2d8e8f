/**
 * Fault-injection tests (`*.chaos-spec.ts`): the built server (which the target builds first) while its
 * PostgreSQL is down at start and for a while mid-run (P1). Run alone, after everything else
 * (`nx run api:chaos`). PostgreSQL restarts (P1) and worker churn (D4) are rows of the reliability
 * suite (tools/reliability/suite), which asserts what the chaos specs of those rows did.
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'api-chaos',
  rootDir: __dirname,
  // No global setup: the spec stops and starts an embedded PostgreSQL of its own.
  testMatch: ['<rootDir>/test/**/*.chaos-spec.ts'],
  testTimeout: 180_000,
};

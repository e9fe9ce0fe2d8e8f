/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'delivery',
  rootDir: __dirname,
  // The int specs need a PostgreSQL: TEST_DATABASE_URL's, else an embedded server started here.
  globalSetup: '<rootDir>/../data-access/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/../data-access/src/testing/global-teardown.ts',
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/src/**/*.int-spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
  ],
};

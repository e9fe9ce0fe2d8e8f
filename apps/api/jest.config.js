/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'api',
  rootDir: __dirname,
  globalSetup: '<rootDir>/../../libs/data-access/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/../../libs/data-access/src/testing/global-teardown.ts',
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/src/**/*.int-spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
  ],
};

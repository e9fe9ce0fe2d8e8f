const { availableParallelism } = require('node:os');

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
  // Runs `npm run start:local`, whose build rewrites the dist folders the other files run:
  // alone, after them (jest.try-it.config.js, `nx run api:try-it`, the end of `npm test`).
  testPathIgnorePatterns: ['/node_modules/', '/test/try-it\\.e2e-spec\\.ts$'],
  // The e2e files spend most of their time waiting (retry schedules, receivers, child processes):
  // two at once even on two cores, where jest's default (cores - 1) ran them one by one.
  maxWorkers: Math.max(2, availableParallelism() - 1),
};

/**
 * The README's "Try it on your machine" test (`test/try-it.e2e-spec.ts`, `nx run api:try-it`): it types
 * `npm run start:local`, whose `nx run api:build` rewrites the dist folders of the API, its libs and the
 * console (Nx without its daemon copies a cache hit's outputs back). So it runs alone, after every
 * other test: `npm test` ends with it.
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('./jest.config.js'),
  testMatch: ['<rootDir>/test/try-it.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};

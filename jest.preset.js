const path = require('node:path');

/** Shared jest settings: swc transpiles TypeScript and the ESM-only @nestjs packages to CommonJS. */
module.exports = {
  testEnvironment: 'node',
  testTimeout: 30_000,
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
  moduleNameMapper: {
    '^@hookyard/([a-z-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
    '^@hookyard/([a-z-]+)/testing$': path.join(__dirname, 'libs/$1/src/testing/index.ts'),
  },
};

const path = require('node:path');

/** Shared jest settings: swc transpiles TypeScript and the ESM-only @nestjs packages to CommonJS. */
module.exports = {
  testEnvironment: 'node',
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
    '^@hookyard/webhook-core$': path.join(__dirname, 'libs/webhook-core/src/index.ts'),
  },
};

/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'observability',
  // The OTLP exporter loads node:http with `import()`, which jest's CommonJS runtime cannot run
  // untransformed: swc turns it into a `require`.
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/|@opentelemetry/otlp-exporter-base/)'],
  rootDir: __dirname,
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/src/**/*.int-spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
  ],
};

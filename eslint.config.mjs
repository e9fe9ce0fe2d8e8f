// @ts-check
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Packages the framework-free core must never import. */
const FRAMEWORK_PACKAGES = [
  '@nestjs/*',
  'typeorm',
  'pg',
  'pg-*',
  'class-validator',
  'class-transformer',
  'express',
];

/** The HTTP stack of the API: the engine (and everything below it) runs without it. */
const HTTP_STACK_PACKAGES = [
  '@nestjs/platform-express',
  '@nestjs/swagger',
  'express',
  'class-validator',
  'class-transformer',
];

/** Util and data-access libs are plain libraries: no NestJS at all, and no HTTP stack. */
const NEST_AND_HTTP_PACKAGES = ['@nestjs/*', ...HTTP_STACK_PACKAGES];

/** The layers, bottom up: each may import the ones below it (and the engine its own kind). */
const BELOW_ENGINE = ['type:domain', 'type:util', 'type:data-access'];
const BELOW_FEATURE = [...BELOW_ENGINE, 'type:engine'];
const LIBRARY_TAGS = [...BELOW_FEATURE, 'type:feature', 'type:adapter', 'type:client'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.nx/**',
      '**/coverage/**',
      '.hookyard/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  // TypeScript everywhere, and TSX in the console (React's JSX transform; no React plugin).
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({
    ...config,
    files: ['**/*.ts', '**/*.tsx'],
  })),
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: {
        // The probe file lets tools/workspace-checks lint would-be core code without writing it to disk.
        projectService: {
          allowDefaultProject: ['libs/*/src/__lint_probe__.ts', 'apps/*/src/__lint_probe__.ts'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: FRAMEWORK_PACKAGES,
            },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:domain', 'type:util'],
              bannedExternalImports: NEST_AND_HTTP_PACKAGES,
            },
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: ['type:domain', 'type:util', 'type:data-access'],
              bannedExternalImports: NEST_AND_HTTP_PACKAGES,
            },
            {
              sourceTag: 'type:engine',
              onlyDependOnLibsWithTags: [...BELOW_ENGINE, 'type:engine'],
              bannedExternalImports: HTTP_STACK_PACKAGES,
            },
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: [...BELOW_FEATURE, 'type:feature'],
            },
            // Adapters never import one another: a dialect stands on the shared layers alone.
            {
              sourceTag: 'type:adapter',
              onlyDependOnLibsWithTags: [...BELOW_FEATURE, 'type:feature'],
            },
            // The SDK runs in its users' processes and in browsers: the pure core at most, no framework.
            {
              sourceTag: 'type:client',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: FRAMEWORK_PACKAGES,
            },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: LIBRARY_TAGS },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: LIBRARY_TAGS },
          ],
        },
      ],
    },
  },
  {
    // Belt and braces for the core: a plain import ban that needs no project graph.
    files: ['libs/webhook-core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: FRAMEWORK_PACKAGES,
              message: 'libs/webhook-core is framework-free: Node built-ins only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The worker app runs without the API's HTTP stack (a plain node:http health port).
    files: ['apps/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: HTTP_STACK_PACKAGES,
              message: 'apps/worker runs without the HTTP stack of the API.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      '**/*.e2e-spec.ts',
      '**/test/**/*.ts',
      // The browser tests: a test project throughout.
      'apps/console-e2e/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The console runs in browsers and reaches the API only through the SDK.
    files: ['apps/console/src/**/*.ts', 'apps/console/src/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@hookyard/*', '!@hookyard/sdk', 'node:*', ...FRAMEWORK_PACKAGES],
              message: 'apps/console talks to the API only through @hookyard/sdk.',
            },
          ],
        },
      ],
    },
  },
  prettier,
);

#!/usr/bin/env bash
# Scaffolds the config files of a new Nx project: tools/scripts/scaffold-project.sh libs/NAME type:TAG [app]
set -euo pipefail
dir=$1; tag=$2; kind=${3:-library}
name=$(basename "$dir")
mkdir -p "$dir/src"
cat > "$dir/package.json" <<JSON
{
  "name": "@hookyard/$name",
  "version": "0.1.0",
  "private": true,
  "main": "dist/index.js",
  "types": "dist/index.d.ts"
}
JSON
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "projectType": "$kind",
  "sourceRoot": "$dir/src",
  "tags": ["$tag"],
  "targets": {
    "build": {
      "executor": "nx:run-commands",
      "outputs": ["{projectRoot}/dist"],
      "options": { "command": "tsc -p $dir/tsconfig.lib.json" }
    },
    "typecheck": {
      "executor": "nx:run-commands",
      "options": { "command": "tsc -p $dir/tsconfig.json" }
    },
    "lint": {
      "executor": "nx:run-commands",
      "options": { "command": "eslint $dir --max-warnings 0" }
    },
    "test": {
      "executor": "nx:run-commands",
      "options": { "command": "jest -c $dir/jest.config.js" }
    }
  }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "types": ["node", "jest"],
    "noEmit": true
  },
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
JSON
cat > "$dir/tsconfig.lib.json" <<JSON
{
  "extends": "./tsconfig.json",
  "compilerOptions": {
    "types": ["node"],
    "noEmit": false,
    "rootDir": "src",
    "outDir": "dist",
    "paths": {}
  },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts", "src/**/*.int-spec.ts", "src/**/*.e2e-spec.ts"]
}
JSON
cat > "$dir/jest.config.js" <<JSON
/** @type {import('jest').Config} */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: '$name',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
};
JSON

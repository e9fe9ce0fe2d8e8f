#!/usr/bin/env node
// Checks the container files without a container engine, so CI can run it (through
// tools/workspace-checks/src/check-containers.spec.ts in `npm test`):
//   - docker/docker-compose.yml against the Compose specification's JSON schema, vendored in
//     docker/compose-spec.schema.json, plus the wiring the schema cannot see (depends_on targets,
//     health checks, the one-shot migration job, no `latest` images);
//   - docker/Dockerfile for the essentials: pinned base images, production dependencies only, every
//     workspace manifest copied before `npm install`, a HEALTHCHECK and a non-root USER in the final stage.
// usage: node tools/scripts/check-containers.cjs [--compose <file>] [--dockerfile <file>] [--root <dir>]
// Exits 0 when both pass, 1 with one line per problem otherwise. Uses ajv and yaml from node_modules
// (transitive dependencies of eslint and nx's tooling), not dependencies of its own.
'use strict';
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');
const { parseArgs } = require('node:util');

const repoRoot = join(__dirname, '..', '..');

/** Loads a module that the workspace has only as a transitive dependency, with a clear failure. */
function load(name, why) {
  try {
    return require(name);
  } catch {
    throw new Error(`${name} is not in node_modules (${why}); run npm install`);
  }
}

/** Compose files use YAML merge keys (`<<: *anchor`), so the parser must resolve them. */
function parseYaml(text) {
  try {
    return load('yaml', 'the YAML parser').parse(text, { merge: true });
  } catch (error) {
    if (error instanceof Error && error.message.includes('not in node_modules')) {
      const jsYaml = load('js-yaml', 'the fallback YAML parser');
      return jsYaml.load(text, { schema: jsYaml.YAML11_SCHEMA ?? jsYaml.DEFAULT_SCHEMA });
    }
    throw error;
  }
}

/** The schema's own `$schema` (draft 2019-09) is unknown to ajv 6; its keywords are draft-07's. */
function composeValidator(schemaPath) {
  const Ajv = load('ajv', 'the JSON schema validator');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  delete schema.$schema;
  const ajv = new Ajv({
    allErrors: true,
    schemaId: 'auto',
    validateSchema: false,
  });
  // The schema's own formats: durations are checked, the others are left to `docker compose config`.
  ajv.addFormat('duration', /^(\$\{.+\}|((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+)$/);
  for (const name of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(name, () => true);
  return ajv.compile(schema);
}

function describeSchemaError(error) {
  const where = error.dataPath || '(top level)';
  const detail =
    error.keyword === 'additionalProperties'
      ? `unknown key "${error.params.additionalProperty}"`
      : error.message;
  return `${where}: ${detail}`;
}

/** An image reference must name a tag or a digest, and the tag must not be `latest`. */
function imageProblem(image) {
  if (image.includes('@sha256:')) return null;
  const lastPart = image.split('/').pop() ?? image;
  if (!lastPart.includes(':')) return `image "${image}" has no tag (it means latest): pin one`;
  if (lastPart.endsWith(':latest')) return `image "${image}" uses the latest tag: pin a version`;
  return null;
}

function checkCompose(composePath, schemaPath) {
  const problems = [];
  let compose;
  try {
    compose = parseYaml(readFileSync(composePath, 'utf8'));
  } catch (error) {
    return [`not valid YAML: ${error instanceof Error ? error.message : String(error)}`];
  }
  const validate = composeValidator(schemaPath);
  if (!validate(compose)) {
    // With allErrors, a bad key under a `oneOf` reports every branch; keep each message once.
    problems.push(...new Set(validate.errors.map(describeSchemaError)));
    return problems;
  }
  const services = compose.services ?? {};
  const names = Object.keys(services);
  if (names.length === 0) problems.push('no services');
  const oneShot = names.filter((name) => String(services[name].restart ?? '') === 'no');
  for (const name of names) {
    const service = services[name];
    if (typeof service.image === 'string' && !service.build) {
      const problem = imageProblem(service.image);
      if (problem) problems.push(`services.${name}: ${problem}`);
    }
    const dependsOn = Array.isArray(service.depends_on)
      ? Object.fromEntries(service.depends_on.map((target) => [target, {}]))
      : (service.depends_on ?? {});
    for (const [target, how] of Object.entries(dependsOn)) {
      if (!names.includes(target))
        problems.push(`services.${name}.depends_on: "${target}" is not a service`);
      else if (oneShot.includes(target) && how.condition !== 'service_completed_successfully')
        problems.push(
          `services.${name}.depends_on.${target}: a one-shot job needs condition: service_completed_successfully`,
        );
    }
    const long = !oneShot.includes(name);
    if (long && (!service.healthcheck || service.healthcheck.disable))
      problems.push(`services.${name}: no healthcheck (every long-running service needs one)`);
  }
  const migrate = names.find((name) => /\bmigrate\b/.test(JSON.stringify(services[name].command)));
  if (!migrate) problems.push('no service runs the one-shot `migrate` command');
  else {
    if (!oneShot.includes(migrate))
      problems.push(`services.${migrate}: the migration job must not restart (restart: 'no')`);
    for (const name of names) {
      const service = services[name];
      const runsHookyard = service.build && name !== migrate;
      const after = service.depends_on?.[migrate]?.condition;
      if (runsHookyard && after !== 'service_completed_successfully')
        problems.push(
          `services.${name}: must depend on ${migrate} with condition: service_completed_successfully`,
        );
    }
  }
  return problems;
}

/** Dockerfile instructions, with `\` continuations joined and comments dropped. */
function instructions(text) {
  const result = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!current && (line === '' || line.startsWith('#'))) continue;
    if (current && line.startsWith('#')) continue;
    current += (current ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (!line.endsWith('\\')) {
      const [keyword = '', ...rest] = current.split(/\s+/);
      result.push({ keyword: keyword.toUpperCase(), args: rest.join(' ') });
      current = '';
    }
  }
  return result;
}

/** The workspace folders (from package.json's `workspaces` globs, `dir/*` form) with a package.json. */
function workspaces(root) {
  const patterns = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces ?? [];
  return patterns.flatMap((pattern) => {
    const base = pattern.replace(/\/\*$/, '');
    if (base === pattern) return existsSync(join(root, pattern, 'package.json')) ? [pattern] : [];
    if (!existsSync(join(root, base))) return [];
    return readdirSync(join(root, base), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${base}/${entry.name}`)
      .filter((dir) => existsSync(join(root, dir, 'package.json')));
  });
}

function checkDockerfile(dockerfilePath, root) {
  const problems = [];
  const all = instructions(readFileSync(dockerfilePath, 'utf8'));
  const stages = [];
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') stages.push({ from: instruction.args, body: [] });
    else if (stages.length > 0) stages[stages.length - 1].body.push(instruction);
    else if (instruction.keyword !== 'ARG')
      problems.push(`${instruction.keyword} before the first FROM`);
  }
  if (stages.length === 0) return [...problems, 'no FROM'];
  const stageNames = stages
    .map((stage) => /\s+AS\s+(\S+)/i.exec(stage.from)?.[1]?.toLowerCase())
    .filter(Boolean);
  for (const stage of stages) {
    const image = stage.from.replace(/^--platform=\S+\s+/, '').split(/\s+/)[0] ?? '';
    if (stageNames.includes(image.toLowerCase())) continue;
    const problem = imageProblem(image);
    if (problem) problems.push(`FROM ${stage.from}: ${problem}`);
  }
  if (stages.length < 2) problems.push('not multi-stage: build in one stage, run from another');

  const final = stages[stages.length - 1].body;
  const users = final.filter((instruction) => instruction.keyword === 'USER');
  const user = users[users.length - 1]?.args.split(':')[0];
  if (!user) problems.push('the final stage has no USER: it would run as root');
  else if (user === 'root' || user === '0') problems.push(`the final stage runs as ${user}`);
  const healthchecks = final.filter((instruction) => instruction.keyword === 'HEALTHCHECK');
  if (healthchecks.length === 0) problems.push('the final stage has no HEALTHCHECK');
  else if (/^NONE\b/i.test(healthchecks[healthchecks.length - 1].args))
    problems.push('the final stage disables the HEALTHCHECK');
  if (!final.some((instruction) => ['CMD', 'ENTRYPOINT'].includes(instruction.keyword)))
    problems.push('the final stage has no CMD or ENTRYPOINT');

  const runs = all.filter((instruction) => instruction.keyword === 'RUN').map((i) => i.args);
  if (!runs.some((run) => /--omit=dev|--production\b|--only=prod/.test(run)))
    problems.push('dev dependencies are never dropped (npm prune --omit=dev or npm ci --omit=dev)');
  const installAt = all.findIndex(
    (instruction) =>
      instruction.keyword === 'RUN' && /\bnpm (install|ci|i)\b/.test(instruction.args),
  );
  if (installAt < 0) problems.push('no RUN npm install or npm ci');
  const copiedBeforeInstall = all
    .slice(0, installAt < 0 ? all.length : installAt)
    .filter((instruction) => instruction.keyword === 'COPY')
    .flatMap((instruction) => instruction.args.split(/\s+/).filter((arg) => !arg.startsWith('--')));
  for (const dir of workspaces(root)) {
    const manifest = `${dir}/package.json`;
    if (!copiedBeforeInstall.includes(manifest))
      problems.push(
        `COPY ${manifest} ${dir}/ is missing before npm install (npm would not link the workspace)`,
      );
  }
  return problems;
}

function main() {
  const { values } = parseArgs({
    options: {
      compose: { type: 'string' },
      dockerfile: { type: 'string' },
      schema: { type: 'string' },
      root: { type: 'string' },
    },
  });
  const root = resolve(values.root ?? repoRoot);
  const composePath = resolve(values.compose ?? join(repoRoot, 'docker', 'docker-compose.yml'));
  const dockerfilePath = resolve(values.dockerfile ?? join(repoRoot, 'docker', 'Dockerfile'));
  const schemaPath = resolve(values.schema ?? join(repoRoot, 'docker', 'compose-spec.schema.json'));
  const show = (path) =>
    relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path);
  const problems = [
    ...checkCompose(composePath, schemaPath).map((p) => `${show(composePath)}: ${p}`),
    ...checkDockerfile(dockerfilePath, root).map((p) => `${show(dockerfilePath)}: ${p}`),
  ];
  if (problems.length > 0) {
    process.stderr.write(`check-containers: ${problems.length} problem(s)\n`);
    for (const problem of problems) process.stderr.write(`  ${problem}\n`);
    return 1;
  }
  process.stdout.write(`check-containers: ${show(composePath)} and ${show(dockerfilePath)} pass\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`check-containers: ${error instanceof Error ? error.message : error}\n`);
  process.exitCode = 1;
}

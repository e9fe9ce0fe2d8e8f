import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SDK = join(__dirname, '..');

/**
 * The built package as a consumer gets it (`nx run sdk:build` runs first): a project outside the
 * workspace with `@hookyard/sdk` in its node_modules, loading it through the `exports` map both ways.
 */
describe('the built package', () => {
  let consumer: string;

  beforeAll(() => {
    consumer = mkdtempSync(join(tmpdir(), 'hookyard-sdk-consumer-'));
    mkdirSync(join(consumer, 'node_modules', '@hookyard'), { recursive: true });
    symlinkSync(SDK, join(consumer, 'node_modules', '@hookyard', 'sdk'), 'dir');
  });

  afterAll(() => rmSync(consumer, { recursive: true, force: true }));

  function run(file: string, code: string): unknown {
    writeFileSync(join(consumer, file), code);
    return JSON.parse(execFileSync(process.execPath, [file], { cwd: consumer, encoding: 'utf8' }));
  }

  const probe = (sdk: string) =>
    `const hy = new ${sdk}.Hookyard({ apiKey: 'k' });\n` +
    `const error = new ${sdk}.HookyardError(401, null, { detail: 'x' });\n` +
    `console.log(JSON.stringify({ resources: Object.keys(hy), code: error.code, verify: typeof hy.webhooks.verify }));\n`;
  const expected = {
    resources: expect.arrayContaining([
      'endpoints',
      'events',
      'deliveries',
      'apiKeys',
      'topics',
      'webhooks',
    ]),
    code: 'HTTP_401',
    verify: 'function',
  };

  it("loads with require('@hookyard/sdk') from the CommonJS build", () => {
    expect(run('probe.cjs', `const sdk = require('@hookyard/sdk');\n${probe('sdk')}`)).toEqual(
      expected,
    );
  });

  it("loads with import('@hookyard/sdk') from the ES module build", () => {
    expect(run('probe.mjs', `const sdk = await import('@hookyard/sdk');\n${probe('sdk')}`)).toEqual(
      expected,
    );
  });

  it('ships type declarations for both', () => {
    const resolved = run(
      'resolve.cjs',
      `const p = require('@hookyard/sdk/package.json');\nconsole.log(JSON.stringify([p.exports['.'].import.types, p.exports['.'].require.types, require('node:fs').existsSync(require('node:path').join(require.resolve('@hookyard/sdk'), '..', 'index.d.ts'))]));\n`,
    );
    expect(resolved).toEqual(['./dist/esm/index.d.ts', './dist/cjs/index.d.ts', true]);
  });
});

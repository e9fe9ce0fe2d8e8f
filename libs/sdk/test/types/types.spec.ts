import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

const FIXTURES = join(__dirname, 'fixtures');
const ROOT = join(__dirname, '..', '..', '..', '..');

let program: ts.Program | undefined;

/** Type-checks the fixtures (one program for both) as a consumer would, with the workspace's settings. */
function diagnosticsOf(file: string): { line: number; message: string }[] {
  program ??= createProgram();
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(join(FIXTURES, file)))
    .map((d) => ({
      line: d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    }));
}

function createProgram(): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.base.json'),
    { noEmit: true, types: ['node'] },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (config === undefined) throw new Error('tsconfig.base.json did not parse');
  return ts.createProgram(
    ['valid.ts', 'misuse.ts'].map((f) => join(FIXTURES, f)),
    config.options,
  );
}

/** The `// expect-error: <text>` comments of a fixture, each for the line after it. */
function expectations(file: string): { line: number; text: string }[] {
  return readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      const match = /\/\/ expect-error: (.+)$/.exec(line);
      return match?.[1] ? [{ line: i + 2, text: match[1] }] : [];
    });
}

describe('the SDK’s types', () => {
  it('compile a correct use of every documented call without a diagnostic', () => {
    expect(diagnosticsOf('valid.ts')).toEqual([]);
  });

  const misuse = diagnosticsOf('misuse.ts');
  const expected = expectations('misuse.ts');

  it.each(expected.map((e) => [e.text, e.line] as const))(
    'refuse to compile a misuse: %s',
    (text, line) => {
      const messages = misuse.filter((d) => d.line === line).map((d) => d.message);
      expect(messages.join('\n')).toContain(text);
    },
  );

  it('refuse nothing else in the misuse fixture', () => {
    expect(expected.length).toBeGreaterThanOrEqual(8);
    const lines = new Set(expected.map((e) => e.line));
    expect(misuse.filter((d) => !lines.has(d.line))).toEqual([]);
  });
});

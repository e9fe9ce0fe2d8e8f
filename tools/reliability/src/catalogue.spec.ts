import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  BAD_INPUTS,
  CATALOGUE,
  CATALOGUE_IDS,
  leadingIds,
  testFiles,
  titlesIn,
  whereTested,
} from './catalogue';

const ROOT = resolve(__dirname, '../../..');

describe('the catalogue as data', () => {
  it('holds the 64 rows, D1–D14, P1–P6, S1–S8, G1–G3, K1–K4, T1–T5, R1–R8, A1–A2, X1–X14', () => {
    const ranges: [string, number][] = [
      ['D', 14],
      ['P', 6],
      ['S', 8],
      ['G', 3],
      ['K', 4],
      ['T', 5],
      ['R', 8],
      ['A', 2],
      ['X', 14],
    ];
    const expected = ranges.flatMap(([letter, n]) =>
      Array.from({ length: n }, (_, i) => `${letter}${i + 1}`),
    );
    expect(CATALOGUE.map((row) => row.id)).toEqual(expected);
    expect(CATALOGUE.every((row) => row.scenario.length > 0 && row.scenario.length <= 60)).toBe(
      true,
    );
  });

  it('holds the 30 bad inputs as B1–B30, each with a request and its answer', () => {
    expect(BAD_INPUTS.map((input) => input.id)).toEqual(
      Array.from({ length: 30 }, (_, i) => `B${i + 1}`),
    );
    expect(BAD_INPUTS.filter((input) => !input.request || !/^\d{3}/.test(input.expected))).toEqual(
      [],
    );
    expect(new Set(CATALOGUE_IDS).size).toBe(94);
  });
});

describe('reading catalogue ids off test titles', () => {
  it.each([
    ['S3 refuses a name that resolves to loopback', ['S3']],
    ['T3 T4 permission gating and auth headers', ['T3', 'T4']],
    ['B21 T2 server-owned fields in the body', ['B21', 'T2']],
    ['refuses other schemes (S8)', []],
    ['S9 is not a row', []],
    ['D1x is not an id', []],
    ['D1: a colon is not a separator', []],
    ['', []],
  ])('reads %p as %p', (title, ids) => {
    expect(leadingIds(title)).toEqual(ids);
  });

  it('finds it, test and describe titles in any quote, .each tables, and table title fields', () => {
    const source = [
      "describe('D1 fan-out', () => {",
      '  it("D2 routing", () => {});',
      '  test(`D3 kill ${n}`, () => {});',
      "  it.each(['a', 'b'])('D5 each %s', () => {});",
      '  it(',
      "    'D6 on its own line',",
      '    () => {},',
      '  );',
      "  const ROWS = [{ n: 1, title: 'B1 plain http' }];",
      "  it('does D8 but does not say so first', () => {});",
      "  reportRow({ id: 'D9', title: 'retry then success' });",
      "  emit('D10 is not a test');",
      '});',
    ].join('\n');
    expect(titlesIn('x.spec.ts', source).map((title) => title.ids.join(' '))).toEqual([
      'D1',
      'D2',
      'D3',
      'D5',
      'D6',
      'B1',
    ]);
  });

  describe('whereTested over a tree of files', () => {
    let root: string;
    const write = (path: string, source: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), source);
    };

    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'hookyard-catalogue-'));
      write('apps/api/test/a.e2e-spec.ts', "it('D1 one', () => {}); it('D1 again', () => {});");
      write('apps/api/test/helpers/b.ts', "describe('D2 D3 two rows', () => {});");
      write('apps/api/src/c.spec.ts', "it('D4 in an app', () => {});");
      write('libs/core/src/d.spec.ts', "it('D1 in a lib', () => {});");
      write('libs/data/src/deep/e.int-spec.ts', "it('P1 against postgres', () => {});");
      write('libs/sdk/test/f.ts', "it('G3 in the sdk', () => {});");
      write('tools/reliability/suite/g.reliability-spec.ts', "it('K1 in the suite', () => {});");
      // None of these is a test file of the catalogue's globs.
      write('apps/api/src/h.ts', "it('S1 not a spec', () => {});");
      write('apps/api/test/node_modules/i.ts', "it('S2 a dependency', () => {});");
      write('libs/core/dist/j.spec.ts', "it('S3 a build output', () => {});");
      write('libs/core/src/k.e2e-spec.ts', "it('S4 not a lib glob', () => {});");
      write('tools/reliability/src/l.spec.ts', "it('S5 not the suite', () => {});");
      write('tools/reliability/suite/lib/m.reliability-spec.ts', "it('S6 below suite', () => {});");
    });

    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('lists the test files of the globs only, repo-relative', () => {
      expect(testFiles(root)).toEqual([
        'apps/api/src/c.spec.ts',
        'apps/api/test/a.e2e-spec.ts',
        'apps/api/test/helpers/b.ts',
        'libs/core/src/d.spec.ts',
        'libs/data/src/deep/e.int-spec.ts',
        'libs/sdk/test/f.ts',
        'tools/reliability/suite/g.reliability-spec.ts',
      ]);
    });

    it('maps each id to the files naming it once each, and every other id to none', () => {
      const found = whereTested(root);
      expect([...found.keys()]).toEqual(CATALOGUE_IDS);
      expect(Object.fromEntries([...found].filter(([, files]) => files.length > 0))).toEqual({
        D1: ['apps/api/test/a.e2e-spec.ts', 'libs/core/src/d.spec.ts'],
        D2: ['apps/api/test/helpers/b.ts'],
        D3: ['apps/api/test/helpers/b.ts'],
        D4: ['apps/api/src/c.spec.ts'],
        P1: ['libs/data/src/deep/e.int-spec.ts'],
        G3: ['libs/sdk/test/f.ts'],
        K1: ['tools/reliability/suite/g.reliability-spec.ts'],
      });
    });
  });
});

describe('the repository', () => {
  it('has a test whose title starts with the id of each of the 64 rows and 30 bad inputs', () => {
    const missing = [...whereTested(ROOT)]
      .filter(([, files]) => files.length === 0)
      .map(([id]) => id);
    // Lists the ids no test title starts with; add the id to the title of the test that covers it.
    expect(missing).toEqual([]);
  });
});

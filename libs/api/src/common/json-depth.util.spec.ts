import {
  jsonDeeperThan,
  JsonScan,
  JsonTooDeepError,
  MAX_JSON_DEPTH,
  scanJson,
  verifyJsonBody,
} from './json-depth.util';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('jsonDeeperThan', () => {
  it('allows nesting up to the limit and refuses one level more', () => {
    expect(jsonDeeperThan(bytes(nested(32)), 32)).toBe(false);
    expect(jsonDeeperThan(bytes(nested(33)), 32)).toBe(true);
    expect(jsonDeeperThan(bytes('{"a":{"b":[1,{"c":2}]}}'), 4)).toBe(false);
    expect(jsonDeeperThan(bytes('{"a":{"b":[1,{"c":2}]}}'), 3)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const inString = JSON.stringify({ text: '[[[[{{{{\\"[[[[' });
    expect(jsonDeeperThan(bytes(inString), 1)).toBe(false);
    expect(jsonDeeperThan(bytes(JSON.stringify(['"', ['x']])), 1)).toBe(true);
  });

  it('counts siblings by depth, not in total', () => {
    expect(
      jsonDeeperThan(bytes(JSON.stringify(Array.from({ length: 1000 }, () => [[1]]))), 3),
    ).toBe(false);
  });

  it('scans multi-byte text as bytes', () => {
    expect(jsonDeeperThan(bytes(JSON.stringify({ 'ünï[': ['€', ['😀']] })), 2)).toBe(true);
    expect(jsonDeeperThan(bytes(JSON.stringify({ 'ünï[': ['€'] })), 2)).toBe(false);
  });

  it('refuses a 10,000-deep array in well under a millisecond per kilobyte', () => {
    const text = bytes(nested(10_000));
    const started = performance.now();
    expect(jsonDeeperThan(text)).toBe(true);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('verifyJsonBody', () => {
  it('throws the error toApiError maps to JSON_TOO_DEEP', () => {
    const verify = verifyJsonBody();
    expect(() => verify({}, {}, bytes(nested(MAX_JSON_DEPTH)), 'utf-8')).not.toThrow();
    expect(() => verify({}, {}, bytes(nested(MAX_JSON_DEPTH + 1)), 'utf-8')).toThrow(
      JsonTooDeepError,
    );
  });

  it('decodes other charsets before it counts', () => {
    const verify = verifyJsonBody(2);
    expect(() => verify({}, {}, Buffer.from(nested(3), 'utf16le'), 'utf-16le')).toThrow(
      JsonTooDeepError,
    );
    expect(() => verify({}, {}, Buffer.from(nested(2), 'utf16le'), 'utf-16le')).not.toThrow();
  });
});

describe('scanJson', () => {
  const scan = (value: unknown): JsonScan => scanJson(bytes(JSON.stringify(value)));

  it('X12 finds the escape of NUL or of an unpaired surrogate, keys included', () => {
    expect(scan({ data: { title: 'a\u0000b' } })).toBe(JsonScan.SUSPECT_TEXT);
    expect(scan({ data: { title: '\ud800' } })).toBe(JsonScan.SUSPECT_TEXT);
    expect(scan({ data: { title: 'x\udc00y' } })).toBe(JsonScan.SUSPECT_TEXT);
    expect(scan({ data: { title: '\ud800\ud800\udc00' } })).toBe(JsonScan.SUSPECT_TEXT);
    expect(scan({ 'k\u0000': 1 })).toBe(JsonScan.SUSPECT_TEXT);
    expect(scanJson(bytes('["\\uD800x"]'))).toBe(JsonScan.SUSPECT_TEXT);
  });

  it('X12 passes clean text: escaped pairs, escaped backslashes, other escapes', () => {
    expect(scanJson(bytes('{"emoji":"\\ud83d\\ude00","upper":"\\uD83D\\uDE00"}'))).toBe(
      JsonScan.CLEAN,
    );
    expect(scan({ text: '\\u0000 is how NUL is written', tab: '\t', e: '\u00e9' })).toBe(
      JsonScan.CLEAN,
    );
    expect(scan({ emoji: '😀', text: 'ünï€' })).toBe(JsonScan.CLEAN);
  });

  it('reports depth before suspect text', () => {
    expect(scanJson(bytes(`["\\u0000",${nested(3)}]`), 2)).toBe(JsonScan.TOO_DEEP);
  });
});

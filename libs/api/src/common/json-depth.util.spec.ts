import {
  jsonDeeperThan,
  JsonTooDeepError,
  MAX_JSON_DEPTH,
  verifyJsonDepth,
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

describe('verifyJsonDepth', () => {
  it('throws the error toApiError maps to JSON_TOO_DEEP', () => {
    const verify = verifyJsonDepth();
    expect(() => verify({}, {}, bytes(nested(MAX_JSON_DEPTH)), 'utf-8')).not.toThrow();
    expect(() => verify({}, {}, bytes(nested(MAX_JSON_DEPTH + 1)), 'utf-8')).toThrow(
      JsonTooDeepError,
    );
  });

  it('decodes other charsets before it counts', () => {
    const verify = verifyJsonDepth(2);
    expect(() => verify({}, {}, Buffer.from(nested(3), 'utf16le'), 'utf-16le')).toThrow(
      JsonTooDeepError,
    );
    expect(() => verify({}, {}, Buffer.from(nested(2), 'utf16le'), 'utf-16le')).not.toThrow();
  });
});

import fc from 'fast-check';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['0s', 0],
    ['30', 30_000],
    ['0', 0],
    ['  10m \n', 600_000],
  ])('parses %j as %d ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    [''],
    ['   '],
    ['-5s'],
    ['-1'],
    ['+5s'],
    ['1.5s'],
    ['5 s'],
    ['5S'],
    ['5w'],
    ['5sec'],
    ['s'],
    ['abc'],
    ['5s,5m'],
    ['1e3'],
    ['0x10'],
    ['99999999999999999999d'],
  ])('rejects %j with a RangeError', (text) => {
    expect(() => parseDuration(text)).toThrow(RangeError);
  });

  it('names the offending text in the error message', () => {
    expect(() => parseDuration('soon')).toThrow(/"soon"/);
  });
});

describe('formatDuration', () => {
  it.each([
    [300_000, '5m'],
    [5_000, '5s'],
    [500, '500ms'],
    [1_500, '1500ms'],
    [7_200_000, '2h'],
    [86_400_000, '1d'],
    [90_000, '90s'],
    [0, '0s'],
  ])('formats %d ms as %j', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it.each([[-1], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY]])('rejects %p', (ms) => {
    expect(() => formatDuration(ms)).toThrow(RangeError);
  });

  it('round-trips through parseDuration', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 86_400_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

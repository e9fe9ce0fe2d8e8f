import { randomBytes } from 'node:crypto';
import { ObjectIdGenerator, isObjectId } from './ids';

describe('object ids', () => {
  it('makes 24-hex ids that start with the creation time in seconds', () => {
    const id = new ObjectIdGenerator(randomBytes).next(new Date('2026-01-01T00:00:00Z'));
    expect(isObjectId(id)).toBe(true);
    expect(parseInt(id.slice(0, 8), 16)).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000);
  });

  it('makes ids from one generator that sort in creation order within a second, up to the counter’s wrap', () => {
    const generator = new ObjectIdGenerator(() => Buffer.from('0102030405fffff0', 'hex'));
    const now = new Date('2026-01-01T00:00:00Z');
    const ids = Array.from({ length: 100 }, () => generator.next(now));
    expect(new Set(ids).size).toBe(100);
    // The 3-byte counter starts at fffff1 here and wraps after the 15th id, as an ObjectId's does.
    expect(ids.slice(0, 15)).toEqual([...ids.slice(0, 15)].sort());
    expect(ids.slice(15)).toEqual([...ids.slice(15)].sort());
    expect(ids[15]?.endsWith('000000')).toBe(true);
  });

  it.each([
    '',
    '507f1f77bcf86cd79943901',
    '507f1f77bcf86cd7994390111',
    '507F1F77BCF86CD799439011',
    'zzzf1f77bcf86cd799439011',
    42,
  ])('rejects %j as an id', (value) => {
    expect(isObjectId(value)).toBe(false);
  });

  it('accepts a well-formed id', () => {
    expect(isObjectId('507f1f77bcf86cd799439011')).toBe(true);
  });
});

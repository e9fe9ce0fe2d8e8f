import { ApiError } from './api-error';
import { decodeCursor, encodeCursor } from './keyset-cursor';

const ID = '0123456789abcdef01234567';
const forged = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

describe('decodeCursor', () => {
  it('reads back the cursors encodeCursor writes', () => {
    const row = { createdAt: new Date('2026-12-07T10:11:12.345Z'), id: ID };
    expect(decodeCursor(encodeCursor(row))).toEqual(row);
    expect(decodeCursor(undefined)).toBeNull();
  });

  it('X12 refuses a cursor whose time JavaScript reads but PostgreSQL cannot hold, or that encodeCursor never writes', () => {
    for (const time of [
      '-271821-04-20T00:00:00.000Z',
      '+275760-09-13T00:00:00.000Z',
      '2026-12-07',
      '1',
      '2026-02-30T00:00:00.000Z',
    ]) {
      expect(() => decodeCursor(forged(`${time}|${ID}`))).toThrow(ApiError);
    }
  });
});

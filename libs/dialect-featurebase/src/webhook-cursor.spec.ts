import { decodeWebhookCursor, encodeWebhookCursor } from './webhook-cursor';

describe('webhook cursor', () => {
  it('round-trips an id through an opaque base64url cursor', () => {
    const cursor = encodeWebhookCursor('507f1f77bcf86cd799439011');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeWebhookCursor(cursor)).toBe('507f1f77bcf86cd799439011');
  });

  it('treats an absent cursor as the first page', () => {
    expect(decodeWebhookCursor(undefined)).toBeNull();
  });

  it.each([
    ['plain text', 'not-a-cursor'],
    ['a raw id', '507f1f77bcf86cd799439011'],
    ['JSON without an ObjectId', Buffer.from('{"id":"x"}').toString('base64url')],
    ['JSON null', Buffer.from('null').toString('base64url')],
  ])('refuses %s with invalid_cursor', (_, cursor) => {
    expect(() => decodeWebhookCursor(cursor)).toThrow(
      expect.objectContaining({ featurebaseCode: 'invalid_cursor' }),
    );
  });
});

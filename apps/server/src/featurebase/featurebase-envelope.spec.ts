import { type EndpointEntity } from '@hookyard/data-access';
import { changesBetween, envelopeFor } from '@hookyard/delivery';

const message = {
  id: '0123456789abcdef01234567',
  topic: 'post.updated',
  data: { id: 'p1', title: 'New', tags: ['a', 'b'] },
  previousData: { id: 'p1', title: 'Old', tags: ['a', 'b'], pinned: true },
  createdAt: new Date('2026-01-02T03:04:05.000Z'),
};

function endpoint(dialect: EndpointEntity['dialect']): EndpointEntity {
  return {
    id: 'fedcba9876543210fedcba98',
    organizationId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
    dialect,
    includePreviousData: false,
  } as EndpointEntity;
}

describe('the Featurebase delivery envelope', () => {
  it('wraps the event as a notification_event with its changes', () => {
    expect(JSON.parse(envelopeFor(endpoint('featurebase'), message).toString('utf8'))).toEqual({
      id: 'notif_0123456789abcdef01234567',
      object: 'notification_event',
      topic: 'post.updated',
      organizationId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
      webhookId: 'fedcba9876543210fedcba98',
      createdAt: '2026-01-02T03:04:05.000Z',
      data: {
        type: 'notification_event_data',
        object: 'notification_event_data',
        item: message.data,
        changes: [
          { field: 'title', oldValue: 'Old', newValue: 'New' },
          { field: 'pinned', oldValue: true, newValue: null },
        ],
      },
    });
  });

  it('leaves the native body of other dialects as it was', () => {
    expect(JSON.parse(envelopeFor(endpoint('native'), message).toString('utf8'))).toEqual({
      type: 'post.updated',
      timestamp: '2026-01-02T03:04:05.000Z',
      data: message.data,
    });
  });

  it.each([
    ['no previous data', null, { a: 1 }, []],
    ['previous data that is not an object', 'old', { a: 1 }, []],
    ['equal nested values', { a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } }, []],
    [
      'a changed nested value',
      { a: { b: [1] } },
      { a: { b: [2] } },
      [{ field: 'a', oldValue: { b: [1] }, newValue: { b: [2] } }],
    ],
    ['an added field', {}, { a: 0 }, [{ field: 'a', oldValue: null, newValue: 0 }]],
  ])('computes changes for %s', (_, previous, current, expected) => {
    expect(changesBetween(previous, current)).toEqual(expected);
  });
});

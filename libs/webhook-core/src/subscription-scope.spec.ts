import { subscriptionWidenings, widensBeyondAll, type Subscription } from './subscription-scope';

const CEILING: Subscription = {
  topics: ['post.*', 'comment.created'],
  excludedTopics: ['post.deleted'],
};

function fields(ceiling: Subscription, next: Subscription): string[] {
  return subscriptionWidenings(ceiling, next).map((f) => f.field);
}

describe('subscriptionWidenings', () => {
  it('X2 refuses `*` and a cleared exclusion, naming each field', () => {
    expect(fields(CEILING, { topics: ['*'], excludedTopics: [] })).toEqual([
      'topics[0]',
      'excludedTopics',
    ]);
  });

  it('X2 refuses a topic or a wider pattern the ceiling does not cover', () => {
    expect(
      fields(CEILING, {
        topics: ['post.created', 'ticket.created'],
        excludedTopics: ['post.deleted'],
      }),
    ).toEqual(['topics[1]']);
    expect(fields(CEILING, { topics: ['comment.*'], excludedTopics: ['post.deleted'] })).toEqual([
      'topics[0]',
    ]);
    expect(
      fields(
        { topics: ['post.created'], excludedTopics: [] },
        { topics: ['post.*'], excludedTopics: [] },
      ),
    ).toEqual(['topics[0]']);
  });

  it('X2 lets a subscription narrow: fewer topics, narrower patterns, more or wider exclusions', () => {
    expect(fields(CEILING, { topics: ['post.created'], excludedTopics: ['post.deleted'] })).toEqual(
      [],
    );
    expect(fields(CEILING, { topics: ['post.*'], excludedTopics: ['post.*'] })).toEqual([]);
    expect(
      fields(
        { topics: ['conversation.*'], excludedTopics: [] },
        { topics: ['conversation.admin.*'], excludedTopics: ['conversation.admin.noted'] },
      ),
    ).toEqual([]);
    expect(
      fields({ topics: ['*'], excludedTopics: [] }, { topics: ['*'], excludedTopics: [] }),
    ).toEqual([]);
  });
});

describe('widensBeyondAll', () => {
  const now: Subscription = { topics: ['post.created'], excludedTopics: ['post.deleted'] };

  it('X2 accepts what any one ceiling holds, and reports against the first otherwise', () => {
    expect(
      widensBeyondAll([CEILING, now], { topics: ['post.*'], excludedTopics: ['post.deleted'] }),
    ).toEqual([]);
    expect(
      widensBeyondAll([now, { topics: ['ticket.*'], excludedTopics: [] }], {
        topics: ['ticket.created'],
        excludedTopics: [],
      }),
    ).toEqual([]);
    expect(
      widensBeyondAll([now, { topics: ['ticket.*'], excludedTopics: [] }], {
        topics: ['post.created', 'ticket.created'],
        excludedTopics: ['post.deleted'],
      }).map((f) => f.field),
    ).toEqual(['topics[1]']);
  });
});

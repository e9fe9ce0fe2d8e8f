import fc from 'fast-check';
import {
  BUILTIN_TOPICS,
  FEATUREBASE_TOPICS,
  TEST_TOPIC,
  TopicCatalogue,
  isTopicName,
  isTopicPattern,
  isTopicSelected,
  topicMatches,
} from './topics';

describe('topic catalogue', () => {
  it('holds the 28 Featurebase topics plus webhook.test', () => {
    expect(FEATUREBASE_TOPICS).toHaveLength(28);
    expect(new Set(FEATUREBASE_TOPICS).size).toBe(28);
    expect(FEATUREBASE_TOPICS).toContain('post.created');
    expect(FEATUREBASE_TOPICS).toContain('conversation_part.redacted');
    expect(FEATUREBASE_TOPICS).toContain('audit_log.created');
    expect(BUILTIN_TOPICS).toContain(TEST_TOPIC);
    expect(BUILTIN_TOPICS).toHaveLength(29);
  });

  it('knows built-in and operator topics, and nothing else', () => {
    const catalogue = new TopicCatalogue(['invoice.paid']);
    expect(catalogue.has('post.created')).toBe(true);
    expect(catalogue.has('invoice.paid')).toBe(true);
    expect(catalogue.has('invoice.refunded')).toBe(false);
    expect(catalogue.list()).toHaveLength(30);
  });

  it('refuses an operator topic that is not a valid name', () => {
    expect(() => new TopicCatalogue(['Invoice Paid'])).toThrow(RangeError);
  });

  it('tells whether a pattern selects any catalogue topic', () => {
    const catalogue = new TopicCatalogue();
    expect(catalogue.selectsAny('post.*')).toBe(true);
    expect(catalogue.selectsAny('conversation.admin.*')).toBe(true);
    expect(catalogue.selectsAny('invoice.*')).toBe(false);
    expect(catalogue.selectsAny('Post.*')).toBe(false);
  });
});

describe('topic names and patterns', () => {
  it.each(['post.created', 'conversation_part.redacted', 'a', 'x.y.z'])(
    'accepts the name %s',
    (t) => {
      expect(isTopicName(t)).toBe(true);
    },
  );

  it.each([
    '',
    'User Created',
    'user..created',
    '.post',
    'post.',
    'Post.created',
    'post.*',
    'a'.repeat(129),
  ])('rejects the name %j', (t) => {
    expect(isTopicName(t)).toBe(false);
  });

  it('accepts wildcard segments in patterns only', () => {
    expect(isTopicPattern('post.*')).toBe(true);
    expect(isTopicPattern('*')).toBe(true);
    expect(isTopicPattern('post.cre*')).toBe(false);
  });
});

describe('topic matching', () => {
  it.each([
    ['post.created', 'post.created', true],
    ['post.created', 'post.updated', false],
    ['post.*', 'post.created', true],
    ['post.*', 'ticket.created', false],
    ['conversation.admin.*', 'conversation.admin.replied', true],
    ['conversation.admin.*', 'conversation.user.replied', false],
    ['conversation.*', 'conversation.admin.replied', true],
    ['*.created', 'post.created', true],
    ['*.created', 'conversation.user.created', false],
    ['*', 'anything.at.all', true],
    ['post', 'post.created', false],
  ])('%s selects %s: %s', (pattern, topic, expected) => {
    expect(topicMatches(pattern, topic)).toBe(expected);
  });

  it('an exact pattern matches only itself', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BUILTIN_TOPICS),
        fc.constantFrom(...BUILTIN_TOPICS),
        (a, b) => {
          expect(topicMatches(a, b)).toBe(a === b);
        },
      ),
    );
  });
});

describe('include and exclude filters', () => {
  it('selects everything when include is empty or absent', () => {
    expect(isTopicSelected({}, 'post.created')).toBe(true);
    expect(isTopicSelected({ include: null, exclude: null }, 'post.created')).toBe(true);
    expect(isTopicSelected({ include: [] }, 'post.created')).toBe(true);
  });

  it('keeps only included topics', () => {
    expect(isTopicSelected({ include: ['post.*'] }, 'post.voted')).toBe(true);
    expect(isTopicSelected({ include: ['post.*'] }, 'ticket.created')).toBe(false);
  });

  it('lets exclude win over include', () => {
    const filter = { include: ['conversation.*'], exclude: ['conversation.admin.noted'] };
    expect(isTopicSelected(filter, 'conversation.admin.replied')).toBe(true);
    expect(isTopicSelected(filter, 'conversation.admin.noted')).toBe(false);
  });
});

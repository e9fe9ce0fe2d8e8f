/**
 * The topic catalogue: the 28 Featurebase topics, the `webhook.test` topic used by test sends, and
 * whatever topics an operator adds. Matching supports `*` wildcards per dot-separated segment
 * (`post.*`, `conversation.admin.*`, `*`) and include/exclude action filters.
 */

export const FEATUREBASE_TOPICS = [
  'post.created',
  'post.updated',
  'post.deleted',
  'post.voted',
  'ticket.created',
  'ticket.updated',
  'ticket.deleted',
  'changelog.published',
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'conversation.user.created',
  'conversation.user.replied',
  'conversation.admin.replied',
  'conversation.admin.closed',
  'conversation.handover_requested',
  'conversation.admin.assigned',
  'conversation.admin.noted',
  'conversation.admin.snoozed',
  'conversation.admin.unsnoozed',
  'conversation.admin.opened',
  'conversation.priority.updated',
  'conversation.deleted',
  'conversation.contact.attached',
  'conversation.contact.detached',
  'conversation.read',
  'conversation_part.redacted',
  'audit_log.created',
] as const;

export type FeaturebaseTopic = (typeof FEATUREBASE_TOPICS)[number];

/** The topic of synthetic test sends; never counts toward an endpoint's health. */
export const TEST_TOPIC = 'webhook.test';

export const BUILTIN_TOPICS: readonly string[] = [...FEATUREBASE_TOPICS, TEST_TOPIC];

export type BuiltinTopic = FeaturebaseTopic | typeof TEST_TOPIC;

/** A topic name: lower-case dot-separated segments of `[a-z0-9_]`, 128 characters at most. */
const TOPIC_NAME = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;
/** A topic pattern: like a name, but any segment may be `*`. */
const TOPIC_PATTERN = /^([a-z0-9_]+|\*)(\.([a-z0-9_]+|\*))*$/;
export const MAX_TOPIC_LENGTH = 128;

export function isTopicName(value: string): boolean {
  return value.length <= MAX_TOPIC_LENGTH && TOPIC_NAME.test(value);
}

export function isTopicPattern(value: string): boolean {
  return value.length <= MAX_TOPIC_LENGTH && TOPIC_PATTERN.test(value);
}

/**
 * Whether `pattern` selects `topic`. A `*` segment matches exactly one segment, except as the last
 * segment, where it matches one or more (`conversation.*` selects `conversation.admin.replied`).
 */
export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === '*' || pattern === topic) return true;
  const want = pattern.split('.');
  const have = topic.split('.');
  for (let i = 0; i < want.length; i++) {
    const segment = want[i];
    const actual = have[i];
    if (actual === undefined) return false;
    if (segment === '*') {
      if (i === want.length - 1) return true;
      continue;
    }
    if (segment !== actual) return false;
  }
  return want.length === have.length;
}

/** Include/exclude action filters, as the platform style names them. Empty or absent include = all. */
export interface TopicFilter {
  readonly include?: readonly string[] | null;
  readonly exclude?: readonly string[] | null;
}

export function isTopicSelected(filter: TopicFilter, topic: string): boolean {
  const include = filter.include ?? [];
  const exclude = filter.exclude ?? [];
  const included = include.length === 0 || include.some((p) => topicMatches(p, topic));
  return included && !exclude.some((p) => topicMatches(p, topic));
}

/** The set of topics known to one deployment: the built-ins plus the operator's own. */
export class TopicCatalogue {
  private readonly topics: ReadonlySet<string>;

  constructor(extraTopics: readonly string[] = []) {
    for (const topic of extraTopics) {
      if (!isTopicName(topic)) throw new RangeError(`invalid topic name: ${JSON.stringify(topic)}`);
    }
    this.topics = new Set([...BUILTIN_TOPICS, ...extraTopics]);
  }

  has(topic: string): boolean {
    return this.topics.has(topic);
  }

  /** Whether a subscription pattern selects at least one topic of the catalogue. */
  selectsAny(pattern: string): boolean {
    if (!isTopicPattern(pattern)) return false;
    for (const topic of this.topics) if (topicMatches(pattern, topic)) return true;
    return false;
  }

  list(): readonly string[] {
    return [...this.topics].sort();
  }
}

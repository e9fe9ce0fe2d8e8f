import { topicMatches } from './topics';

/** What an endpoint subscribes to: topic patterns, less the excluded ones. */
export interface Subscription {
  readonly topics: readonly string[];
  readonly excludedTopics: readonly string[];
}

/** One place where a subscription reaches beyond its ceiling, by field. */
export interface ScopeFault {
  readonly field: string;
  readonly message: string;
}

/**
 * Where `next` would select a topic `ceiling` does not: a topic pattern no ceiling pattern covers
 * (`topics[i]`), or a ceiling exclusion no longer excluded (`excludedTopics`). A `*` in `next` is read
 * as the wildcard it is, so `post.*` is within `post.*` or `*` and not within `post.created`. Empty
 * when `next` only narrows.
 */
export function subscriptionWidenings(ceiling: Subscription, next: Subscription): ScopeFault[] {
  const faults: ScopeFault[] = [];
  next.topics.forEach((pattern, index) => {
    if (!ceiling.topics.some((allowed) => topicMatches(allowed, pattern))) {
      faults.push({
        field: `topics[${index}]`,
        message: `${pattern} reaches topics beyond ${ceiling.topics.join(', ') || 'none'}`,
      });
    }
  });
  for (const excluded of ceiling.excludedTopics) {
    if (!next.excludedTopics.some((pattern) => topicMatches(pattern, excluded))) {
      faults.push({ field: 'excludedTopics', message: `${excluded} must stay excluded` });
    }
  }
  return faults;
}

/**
 * The faults of `next` against the first of `ceilings`, or none when any one of them holds it
 * (a portal session may stay within what it was minted with, or within what the endpoint has now).
 */
export function widensBeyondAll(
  ceilings: readonly [Subscription, ...Subscription[]],
  next: Subscription,
): ScopeFault[] {
  if (ceilings.some((ceiling) => subscriptionWidenings(ceiling, next).length === 0)) return [];
  return subscriptionWidenings(ceilings[0], next);
}

import { type EndpointEntity } from '@hookyard/data-access';
import {
  checkUrlHost,
  collectViolations,
  describeDenyReason,
  type OutboundPolicy,
  type RuleResult,
  type Subscription,
  type TopicCatalogue,
  validateAuthentication,
  validateDescription,
  validateHeaders,
  validateName,
  validateTimeoutMs,
  validateTopics,
  validateUrl,
  ValidationCode,
  widensBeyondAll,
} from '@hookyard/webhook-core';
import { ApiError, ErrorCode, type FieldError } from '../common/api-error';
import { type DialectRules, type EndpointPatch } from './endpoint-input';

/**
 * The field rules of an endpoint's create or update: each field given is checked, an absent one
 * is not (a create always gives `url` and `topics`).
 */
export function endpointFieldRules(
  fields: EndpointPatch,
  context: {
    readonly allowHttp: boolean | 'loopback';
    readonly rules: DialectRules;
    readonly catalogue: TopicCatalogue;
  },
): RuleResult[] {
  const { allowHttp, rules, catalogue } = context;
  const topicRules = { allowPatterns: rules.allowTopicPatterns };
  return [
    fields.url === undefined ? null : validateUrl(fields.url, { allowHttp }),
    fields.name === undefined ? null : validateName(fields.name),
    fields.description === undefined ? null : validateDescription(fields.description),
    fields.topics === undefined ? null : validateTopics(fields.topics, catalogue, topicRules),
    fields.excludedTopics?.length
      ? validateTopics(fields.excludedTopics, catalogue, topicRules, 'excludedTopics')
      : null,
    fields.timeoutMs === undefined ? null : validateTimeoutMs(fields.timeoutMs),
    fields.headers === undefined ? null : validateHeaders(fields.headers),
    fields.authentication === undefined ? null : validateAuthentication(fields.authentication),
  ];
}

/** 400 with every violation of `results`, led by the first that is not an unknown topic. */
export function assertValid(results: readonly RuleResult[]): void {
  const violations = collectViolations(...results);
  if (violations.length === 0) return;
  const errors: FieldError[] = violations.map((v) => ({
    path: v.field,
    message: v.message,
    code: v.code,
  }));
  const first = violations.find((v) => v.code !== ValidationCode.TOPIC_UNKNOWN) ?? violations[0];
  throw new ApiError(first.code, `${first.field}: ${first.message}`, errors);
}

/**
 * 400 TARGET_NOT_ALLOWED on `url` for an IP literal or localhost name `policy` does not let
 * through; the message names the rule, never the address.
 */
export function assertTargetAllowed(url: string, policy: OutboundPolicy): void {
  const verdict = checkUrlHost(new URL(url), policy);
  if (!verdict || verdict.allowed) return;
  throw ApiError.validation(
    [
      {
        path: 'url',
        message: `the target address is not allowed (${describeDenyReason(verdict.reason)})`,
        code: ErrorCode.TARGET_NOT_ALLOWED,
      },
    ],
    ErrorCode.TARGET_NOT_ALLOWED,
  );
}

/** 403 PORTAL_SCOPE_EXCEEDED, naming each field, when `patch` widens the endpoint's subscription. */
export function assertWithinCeilings(
  ceilings: readonly Subscription[],
  endpoint: EndpointEntity,
  patch: EndpointPatch,
): void {
  if (patch.topics === undefined && patch.excludedTopics === undefined) return;
  const current = { topics: endpoint.topics, excludedTopics: endpoint.excludedTopics };
  const [first = current, ...rest] = ceilings;
  const faults = widensBeyondAll([first, ...rest, current], {
    topics: patch.topics ?? endpoint.topics,
    excludedTopics: patch.excludedTopics ?? endpoint.excludedTopics,
  });
  const [fault] = faults;
  if (fault === undefined) return;
  throw new ApiError(
    ErrorCode.PORTAL_SCOPE_EXCEEDED,
    `${fault.field}: ${fault.message}; this portal session may narrow the subscription, not widen it`,
    faults.map((f) => ({
      path: f.field,
      message: f.message,
      code: ErrorCode.PORTAL_SCOPE_EXCEEDED,
    })),
  );
}

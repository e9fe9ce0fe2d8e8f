import { type OrganizationDeliveryRow, type OrganizationThresholds } from '@hookyard/data-access';
import {
  byDialect,
  type DeliveryDialect,
  type RetryPolicy,
  type StateThresholds,
} from '@hookyard/webhook-core';

/** The retry policy of each dialect. */
export type RetryPolicies = Readonly<Record<DeliveryDialect, RetryPolicy>>;

/** What the worker applies to the endpoints of one organization. */
export interface OrganizationDeliverySettings {
  readonly retryPolicies: RetryPolicies;
  readonly thresholds: StateThresholds;
}

/** A count or a duration an organization set: a positive finite number, else not set. */
function positive(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * The installation's thresholds with those the organization set in their place (its durations are
 * in seconds); a missing, null or non-positive value keeps the installation's. The longest penalty
 * cool-down stays the installation's, as it is for a cool-down set there.
 */
export function mergeThresholds(
  installation: StateThresholds,
  own: OrganizationThresholds | null,
): StateThresholds {
  if (!own) return installation;
  const ms = (seconds: number | undefined) => {
    const value = positive(seconds);
    return value === null ? null : value * 1000;
  };
  return {
    penaltyAfter: positive(own.penaltyAfter) ?? installation.penaltyAfter,
    pauseAfter: positive(own.pauseAfter) ?? installation.pauseAfter,
    pauseAfterMs: ms(own.pauseAfterSeconds) ?? installation.pauseAfterMs,
    suspendAfterMs: ms(own.suspendAfterSeconds) ?? installation.suspendAfterMs,
    penaltyBaseMs: ms(own.penaltyCooldownSeconds) ?? installation.penaltyBaseMs,
    penaltyMaxMs: installation.penaltyMaxMs,
  };
}

/**
 * Each dialect's policy with the organization's schedule (seconds) in place of the dialect's; jitter
 * and the `Retry-After` bounds stay the dialect's. An empty schedule means no retries. Without a
 * schedule, or with a delay that is not a non-negative whole number, the dialects' policies as they are.
 */
export function mergeRetryPolicies(
  installation: RetryPolicies,
  scheduleSeconds: readonly number[] | null,
): RetryPolicies {
  if (!scheduleSeconds?.every((s) => Number.isSafeInteger(s) && s >= 0)) return installation;
  const scheduleMs = Object.freeze(scheduleSeconds.map((s) => s * 1000));
  return byDialect((name) => ({ ...installation[name], scheduleMs }));
}

/** The settings of one organization: the installation's with the organization's own in their place. */
export function organizationDeliverySettings(
  installation: OrganizationDeliverySettings,
  row: OrganizationDeliveryRow | null,
): OrganizationDeliverySettings {
  if (!row || (row.retryScheduleSeconds === null && row.thresholds === null)) return installation;
  return {
    retryPolicies: mergeRetryPolicies(installation.retryPolicies, row.retryScheduleSeconds),
    thresholds: mergeThresholds(installation.thresholds, row.thresholds),
  };
}

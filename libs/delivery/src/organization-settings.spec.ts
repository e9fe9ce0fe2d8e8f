import {
  createRetryPolicy,
  DEFAULT_THRESHOLDS,
  type StateThresholds,
} from '@hookyard/webhook-core';
import {
  mergeRetryPolicies,
  mergeThresholds,
  organizationDeliverySettings,
  type RetryPolicies,
} from './organization-settings';

const installation: StateThresholds = {
  penaltyAfter: 5,
  pauseAfter: 20,
  pauseAfterMs: 86_400_000,
  suspendAfterMs: 432_000_000,
  penaltyBaseMs: 30_000,
  penaltyMaxMs: 3_600_000,
};

const policies: RetryPolicies = {
  native: createRetryPolicy({ scheduleMs: [5_000, 300_000] }),
  platform: createRetryPolicy({ scheduleMs: [60_000], jitter: 0 }),
  featurebase: createRetryPolicy({ scheduleMs: [10_000, 20_000, 30_000] }),
};

describe('mergeThresholds', () => {
  it('keeps the installation thresholds when the organization sets none', () => {
    expect(mergeThresholds(installation, null)).toBe(installation);
    expect(mergeThresholds(installation, {})).toEqual(installation);
  });

  it('takes each threshold the organization sets, its durations in seconds', () => {
    expect(
      mergeThresholds(installation, {
        penaltyAfter: 1,
        pauseAfter: 3,
        pauseAfterSeconds: 60,
        suspendAfterSeconds: 600,
        penaltyCooldownSeconds: 7,
      }),
    ).toEqual({
      penaltyAfter: 1,
      pauseAfter: 3,
      pauseAfterMs: 60_000,
      suspendAfterMs: 600_000,
      penaltyBaseMs: 7_000,
      penaltyMaxMs: 3_600_000,
    });
  });

  it('overrides one threshold and keeps the installation for the others', () => {
    expect(mergeThresholds(installation, { suspendAfterSeconds: 120 })).toEqual({
      ...installation,
      suspendAfterMs: 120_000,
    });
  });

  it('keeps the installation value for a null, zero, negative or non-numeric setting', () => {
    const stored = {
      penaltyAfter: null,
      pauseAfter: 0,
      pauseAfterSeconds: -5,
      suspendAfterSeconds: '60',
      penaltyCooldownSeconds: Number.NaN,
    } as unknown as Parameters<typeof mergeThresholds>[1];
    expect(mergeThresholds(installation, stored)).toEqual(installation);
  });
});

describe('mergeRetryPolicies', () => {
  it('keeps each dialect policy without an organization schedule', () => {
    expect(mergeRetryPolicies(policies, null)).toBe(policies);
  });

  it("replaces every dialect's schedule with the organization's, in ms, keeping the rest", () => {
    const merged = mergeRetryPolicies(policies, [1, 3600]);
    expect(merged.native).toEqual({ ...policies.native, scheduleMs: [1_000, 3_600_000] });
    expect(merged.platform).toEqual({ ...policies.platform, scheduleMs: [1_000, 3_600_000] });
    expect(merged.platform.jitter).toBe(0);
    expect(merged.featurebase.scheduleMs).toEqual([1_000, 3_600_000]);
  });

  it('takes an empty schedule as no retries', () => {
    expect(mergeRetryPolicies(policies, []).native.scheduleMs).toEqual([]);
  });

  it('ignores a schedule with a delay that is not a non-negative whole number', () => {
    expect(mergeRetryPolicies(policies, [5, -1])).toBe(policies);
    expect(mergeRetryPolicies(policies, [1.5])).toBe(policies);
  });
});

describe('organizationDeliverySettings', () => {
  const defaults = { retryPolicies: policies, thresholds: DEFAULT_THRESHOLDS };

  it('is the installation settings for an organization without its own', () => {
    expect(organizationDeliverySettings(defaults, null)).toBe(defaults);
    expect(
      organizationDeliverySettings(defaults, {
        id: 'o',
        retryScheduleSeconds: null,
        thresholds: null,
      }),
    ).toBe(defaults);
  });

  it("merges the organization's schedule and thresholds", () => {
    const settings = organizationDeliverySettings(defaults, {
      id: 'o',
      retryScheduleSeconds: [60],
      thresholds: { penaltyAfter: 2 },
    });
    expect(settings.retryPolicies.native.scheduleMs).toEqual([60_000]);
    expect(settings.thresholds).toEqual({ ...DEFAULT_THRESHOLDS, penaltyAfter: 2 });
  });
});

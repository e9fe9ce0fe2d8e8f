/** The Featurebase API versions this dialect knows, newest last. */
export const FEATUREBASE_VERSIONS = ['2025-12-12.clover', '2026-01-01.nova'] as const;
export type FeaturebaseVersion = (typeof FEATUREBASE_VERSIONS)[number];

/** The version an organization gets when it has configured none. */
export const DEFAULT_FEATUREBASE_VERSION: FeaturebaseVersion = '2026-01-01.nova';

/** The first version the `/v2/webhooks` resource exists in. */
export const WEBHOOKS_SINCE: FeaturebaseVersion = '2026-01-01.nova';

/** The request header that names the version (matched case-insensitively, as HTTP headers are). */
export const VERSION_HEADER = 'Featurebase-Version';

export function isFeaturebaseVersion(value: unknown): value is FeaturebaseVersion {
  return (FEATUREBASE_VERSIONS as readonly unknown[]).includes(value);
}

/** Whether `version` is `since` or newer; the date prefix orders versions. */
export function isAtLeast(version: FeaturebaseVersion, since: FeaturebaseVersion): boolean {
  return FEATUREBASE_VERSIONS.indexOf(version) >= FEATUREBASE_VERSIONS.indexOf(since);
}

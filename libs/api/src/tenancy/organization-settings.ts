import {
  type OrganizationEntity,
  type OrganizationRateLimits,
  type OrganizationThresholds,
} from '@hookyard/data-access';
import { type FieldError } from '../common/api-error';
import { outboundAllowErrors } from '../organizations/outbound-allow.util';
import { portalOriginErrors } from '../organizations/portal-origins.util';
import { type OrganizationSettingsDto } from './dto/organization-admin.dto';

/** The organization columns a settings change writes. */
export type SettingsColumns = Partial<
  Pick<
    OrganizationEntity,
    | 'endpointLimit'
    | 'portalAllowedOrigins'
    | 'outboundAllow'
    | 'rateLimits'
    | 'retryScheduleSeconds'
    | 'thresholds'
  >
>;

/** The checks class-validator cannot make (origins and allow-list syntax), named under `settings`. */
export function settingsErrors(settings: OrganizationSettingsDto | undefined): FieldError[] {
  if (!settings) return [];
  const under = (errors: FieldError[]) =>
    errors.map((error) => ({ ...error, path: `settings.${error.path}` }));
  return [
    ...under(portalOriginErrors(settings.portalAllowedOrigins ?? [])),
    ...under(outboundAllowErrors(settings.outboundAllow ?? [])),
  ];
}

/**
 * The columns `settings` changes on `current` (null for a new organization): a key left out keeps
 * its value, `null` resets it to the installation's; inside `rateLimits` and `thresholds` the same
 * holds per key. Only columns whose value changes are returned, so an unchanged upsert writes
 * nothing.
 */
export function settingsColumns(
  current: OrganizationEntity | null,
  settings: OrganizationSettingsDto | undefined,
): SettingsColumns {
  if (!settings) return {};
  const next: SettingsColumns = {
    ...(settings.endpointLimit !== undefined && { endpointLimit: settings.endpointLimit }),
    ...(settings.portalAllowedOrigins !== undefined && {
      portalAllowedOrigins: settings.portalAllowedOrigins,
    }),
    ...(settings.outboundAllow !== undefined && {
      outboundAllow: settings.outboundAllow.map((entry) => entry.trim()),
    }),
    ...(settings.retryScheduleSeconds !== undefined && {
      retryScheduleSeconds: settings.retryScheduleSeconds,
    }),
    ...(settings.rateLimits !== undefined && {
      rateLimits: mergeKeys<OrganizationRateLimits>(
        current?.rateLimits ?? null,
        settings.rateLimits,
      ),
    }),
    ...(settings.thresholds !== undefined && {
      thresholds: mergeKeys<OrganizationThresholds>(
        current?.thresholds ?? null,
        settings.thresholds,
      ),
    }),
  };
  if (!current) return next;
  return Object.fromEntries(
    Object.entries(next).filter(
      ([column, value]) => canonical(value) !== canonical(current[column as keyof SettingsColumns]),
    ),
  );
}

/** `patch` over `current` key by key (a null key removes it); null when nothing is left. */
function mergeKeys<T extends object>(
  current: T | null,
  patch: { readonly [K in keyof T]?: T[K] | null } | null,
): T | null {
  if (patch === null) return null;
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return Object.keys(merged).length === 0 ? null : (merged as T);
}

/** JSON with object keys sorted at every level: PostgreSQL's jsonb reorders keys as it stores them. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : inner,
  );
}

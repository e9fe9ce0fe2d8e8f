import { PERMISSION_ALIASES } from '@hookyard/webhook-core';

export const PERMISSIONS = [
  'WEBHOOK.READ',
  /** A dialect's name for WEBHOOK.READ (the dialect registry's permission aliases): either passes. */
  'WEBHOOK.VIEW',
  'WEBHOOK.CREATE',
  'WEBHOOK.UPDATE',
  'WEBHOOK.DELETE',
  'EVENT.PUBLISH',
  'EVENT.READ',
  'APIKEY.MANAGE',
  /** Mints tenant-portal sessions (`POST /v1/portal-sessions`) and revokes them. */
  'PORTAL.CREATE',
  /** Changes the organization's settings (`PATCH /v1/organization`). */
  'ORGANIZATION.MANAGE',
  /** Operator keys only: makes, changes and deletes organizations and mints their keys. */
  'ORGANIZATION.ADMIN',
  /** Operator keys only: lists, mints and revokes operator keys. */
  'OPERATOR_KEY.MANAGE',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
/** Grants every permission. */
export const ALL_PERMISSIONS = '*';
export type PermissionGrant = Permission | typeof ALL_PERMISSIONS;

/**
 * The permissions only an operator key (one of no organization) can use: a tenant key or portal
 * session never holds them, whatever it was granted (`*` included).
 */
export const OPERATOR_PERMISSIONS = ['ORGANIZATION.ADMIN', 'OPERATOR_KEY.MANAGE'] as const;
export type OperatorPermission = (typeof OPERATOR_PERMISSIONS)[number];

export function isOperatorPermission(permission: string): permission is OperatorPermission {
  return (OPERATOR_PERMISSIONS as readonly string[]).includes(permission);
}

/** What a tenant key may be granted. */
export const TENANT_PERMISSIONS = PERMISSIONS.filter((p) => !isOperatorPermission(p));

/**
 * What a tenant-portal session may hold: everything but managing keys, sessions and the
 * organization, so a portal user can never widen their own access.
 */
export const PORTAL_PERMISSIONS = TENANT_PERMISSIONS.filter(
  (p) => p !== 'APIKEY.MANAGE' && p !== 'PORTAL.CREATE' && p !== 'ORGANIZATION.MANAGE',
);
export type PortalPermission = Exclude<
  Permission,
  'APIKEY.MANAGE' | 'PORTAL.CREATE' | 'ORGANIZATION.MANAGE' | OperatorPermission
>;

/**
 * Permissions that are one permission under two names, both ways round: each dialect's alias and the
 * permission it stands for (the dialect registry lists them).
 */
const SYNONYMS: ReadonlyMap<string, readonly string[]> = Object.entries(PERMISSION_ALIASES).reduce(
  (synonyms, [alias, permission]) =>
    synonyms
      .set(alias, [...(synonyms.get(alias) ?? []), permission])
      .set(permission, [...(synonyms.get(permission) ?? []), alias]),
  new Map<string, string[]>(),
);

export function grants(held: readonly string[], wanted: Permission): boolean {
  return (
    held.includes(ALL_PERMISSIONS) ||
    held.includes(wanted) ||
    (SYNONYMS.get(wanted) ?? []).some((synonym) => held.includes(synonym))
  );
}

export const PERMISSIONS = [
  'WEBHOOK.READ',
  /** The platform dialect's name for WEBHOOK.READ: either passes wherever one is asked for. */
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
] as const;
export type Permission = (typeof PERMISSIONS)[number];
/** Grants every permission. */
export const ALL_PERMISSIONS = '*';
export type PermissionGrant = Permission | typeof ALL_PERMISSIONS;

/**
 * What a tenant-portal session may hold: everything but managing keys, sessions and the
 * organization, so a portal user can never widen their own access.
 */
export const PORTAL_PERMISSIONS = PERMISSIONS.filter(
  (p) => p !== 'APIKEY.MANAGE' && p !== 'PORTAL.CREATE' && p !== 'ORGANIZATION.MANAGE',
);
export type PortalPermission = Exclude<
  Permission,
  'APIKEY.MANAGE' | 'PORTAL.CREATE' | 'ORGANIZATION.MANAGE'
>;

/** Permissions that are one permission under two names. */
const SYNONYMS: Partial<Record<Permission, Permission>> = {
  'WEBHOOK.READ': 'WEBHOOK.VIEW',
  'WEBHOOK.VIEW': 'WEBHOOK.READ',
};

export function grants(held: readonly string[], wanted: Permission): boolean {
  const synonym = SYNONYMS[wanted];
  return (
    held.includes(ALL_PERMISSIONS) ||
    held.includes(wanted) ||
    (synonym !== undefined && held.includes(synonym))
  );
}

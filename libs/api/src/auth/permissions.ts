export const PERMISSIONS = [
  'WEBHOOK.READ',
  'WEBHOOK.CREATE',
  'WEBHOOK.UPDATE',
  'WEBHOOK.DELETE',
  'EVENT.PUBLISH',
  'EVENT.READ',
  'APIKEY.MANAGE',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
/** Grants every permission. */
export const ALL_PERMISSIONS = '*';
export type PermissionGrant = Permission | typeof ALL_PERMISSIONS;

export function grants(held: readonly string[], wanted: Permission): boolean {
  return held.includes(ALL_PERMISSIONS) || held.includes(wanted);
}

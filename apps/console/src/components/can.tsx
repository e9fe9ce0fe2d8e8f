import type { ReactNode } from 'react';
import { hasPermission, useWhoami } from '../api/client';

/** Renders its children only when the caller holds the permission (controls, not data). */
export function Can({
  permission,
  children,
  otherwise = null,
}: {
  permission: string;
  children: ReactNode;
  otherwise?: ReactNode;
}) {
  const whoami = useWhoami();
  return <>{hasPermission(whoami.data, permission) ? children : otherwise}</>;
}

/** Whether the caller holds the permission (false until whoami has answered). */
export function useCan(permission: string): boolean {
  return hasPermission(useWhoami().data, permission);
}

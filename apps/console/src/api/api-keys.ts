import type { CreateApiKey } from '@hookyard/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useHookyard } from './client';

export const apiKeyKeys = { all: ['api-keys'] as const };

/** A permission an API key can hold (`libs/api/src/auth/permissions.ts`), and what it allows. */
export interface PermissionInfo {
  readonly name: CreateApiKey['permissions'][number];
  readonly description: string;
}

/** Every permission the API knows, in its order, then `*`. */
export const PERMISSIONS: readonly PermissionInfo[] = [
  { name: 'WEBHOOK.READ', description: 'Read endpoints, their delivery log and statistics.' },
  { name: 'WEBHOOK.VIEW', description: 'The platform dialect’s name for WEBHOOK.READ.' },
  { name: 'WEBHOOK.CREATE', description: 'Create endpoints.' },
  {
    name: 'WEBHOOK.UPDATE',
    description: 'Change, pause, test and rotate endpoints; retry and recover deliveries.',
  },
  { name: 'WEBHOOK.DELETE', description: 'Delete endpoints.' },
  { name: 'EVENT.PUBLISH', description: 'Publish events.' },
  { name: 'EVENT.READ', description: 'Read events and their deliveries.' },
  { name: 'APIKEY.MANAGE', description: 'Create and revoke API keys.' },
  { name: 'PORTAL.CREATE', description: 'Open and revoke tenant-portal sessions.' },
  {
    name: 'ORGANIZATION.MANAGE',
    description:
      'Change the organization’s settings, such as the origins that may frame the portal.',
  },
  { name: '*', description: 'Every permission, including those added later.' },
];

/**
 * Whether a caller holding `held` may hand out `permission`: the API lets a key grant only what it
 * holds itself, by exact name (or everything with `*`).
 */
export function mayGrant(held: readonly string[], permission: string): boolean {
  return held.includes('*') || held.includes(permission);
}

export function useApiKeys(enabled: boolean) {
  const hy = useHookyard();
  return useQuery({
    queryKey: apiKeyKeys.all,
    queryFn: ({ signal }) => hy.apiKeys.list({ signal }).toArray(),
    enabled,
  });
}

export function useCreateApiKey() {
  const hy = useHookyard();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiKey) => hy.apiKeys.create(body),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

export function useRevokeApiKey() {
  const hy = useHookyard();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => hy.apiKeys.revoke(id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

import type {
  AdminOrganization,
  CreateAdminOrganization,
  CreateApiKey,
  UpdateAdminOrganization,
} from '@hookyard/sdk';
import {
  type QueryClient,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useOwnClient } from './client';

/** A tenant as an operator sees it: its uid and every setting. */
export type Organization = AdminOrganization;
/** An organization's own settings; a null falls back to the installation's default. */
export type OrganizationSettings = Organization['settings'];
/** When an endpoint is held back, paused and suspended; each null = the installation's default. */
export type Thresholds = OrganizationSettings['thresholds'];
/** A rate limit of one kind of call: a steady rate and the burst above it. */
export type RateLimit = NonNullable<OrganizationSettings['rateLimits']['management']>;
/** A change of settings: each key given replaces that setting, `null` resets it to the default. */
export type SettingsPatch = NonNullable<UpdateAdminOrganization['settings']>;

export const organizationKeys = {
  all: ['organizations'] as const,
  list: ['organizations', 'list'] as const,
  one: (id: string) => ['organizations', 'one', id] as const,
  keys: (id: string) => ['organizations', 'keys', id] as const,
};

/** How many organizations a page holds (the picker's and the list's). */
const PAGE_SIZE = 100;

/*
 * The operator's routes (`/v1/organizations`) go through the credential's own client: they act for
 * no organization, whichever one the console acts for.
 */

/**
 * Every organization, a page at a time, oldest first; `fresh` asks again on mount (a screen about
 * them), where the picker makes do with what it has.
 */
export function useOrganizationPages({ enabled = true, fresh = false } = {}) {
  const hy = useOwnClient();
  return useInfiniteQuery({
    queryKey: organizationKeys.list,
    queryFn: ({ pageParam, signal }) =>
      hy.organizations
        .list({ limit: PAGE_SIZE, signal, ...(pageParam ? { cursor: pageParam } : {}) })
        .page(),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled,
    ...(fresh ? { refetchOnMount: 'always' as const } : {}),
  });
}

export function useOrganization(id: string | null) {
  const hy = useOwnClient();
  return useQuery({
    queryKey: organizationKeys.one(id ?? ''),
    queryFn: ({ signal }) => hy.organizations.get(id ?? '', { signal }),
    enabled: id !== null,
  });
}

/** After a change: the answer replaces the cached organization, and the lists are refreshed. */
function remember(queryClient: QueryClient, organization: Organization): void {
  queryClient.setQueryData(organizationKeys.one(organization.id), organization);
  void queryClient.invalidateQueries({ queryKey: organizationKeys.list });
}

export function useCreateOrganization() {
  const hy = useOwnClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateAdminOrganization) => hy.organizations.create(body),
    onSuccess: (created) => remember(queryClient, created),
  });
}

export function useUpdateOrganization(id: string) {
  const hy = useOwnClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateAdminOrganization) => hy.organizations.update(id, body),
    onSuccess: (updated) => remember(queryClient, updated),
  });
}

export function useDeleteOrganization(id: string) {
  const hy = useOwnClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => hy.organizations.delete(id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: organizationKeys.one(id) });
      queryClient.removeQueries({ queryKey: organizationKeys.keys(id) });
      void queryClient.invalidateQueries({ queryKey: organizationKeys.list });
    },
  });
}

/** The API keys of one organization, as its operator sees them. */
export function useOrganizationApiKeys(id: string) {
  const hy = useOwnClient();
  return useQuery({
    queryKey: organizationKeys.keys(id),
    queryFn: ({ signal }) => hy.organizations.apiKeys.list(id, { signal }).toArray(),
  });
}

export function useCreateOrganizationApiKey(id: string) {
  const hy = useOwnClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiKey) => hy.organizations.apiKeys.create(id, body),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: organizationKeys.keys(id) }),
  });
}

export function useRevokeOrganizationApiKey(id: string) {
  const hy = useOwnClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => hy.organizations.apiKeys.revoke(id, keyId),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: organizationKeys.keys(id) }),
  });
}

import type { Endpoint, EndpointStatus, Hookyard } from '@hookyard/sdk';
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useHookyard } from './client';

/** Query keys of endpoint data, so a change can refresh exactly what it touched. */
export const endpointKeys = {
  all: ['endpoints'] as const,
  list: (status: EndpointStatus | undefined) => ['endpoints', 'list', status ?? 'all'] as const,
  one: (id: string) => ['endpoints', 'one', id] as const,
  secret: (id: string) => ['endpoints', 'secret', id] as const,
  stats: (id: string, range: StatsRange) => ['endpoints', 'stats', id, range] as const,
};

export const ENDPOINT_STATUSES: readonly EndpointStatus[] = ['active', 'paused', 'suspended'];

export function useEndpointPages(status: EndpointStatus | undefined) {
  const hy = useHookyard();
  return useInfiniteQuery({
    queryKey: endpointKeys.list(status),
    queryFn: ({ pageParam, signal }) =>
      hy.endpoints
        .list({
          limit: 50,
          signal,
          ...(status ? { status } : {}),
          ...(pageParam ? { cursor: pageParam } : {}),
        })
        .page(),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

export function useEndpoint(id: string) {
  const hy = useHookyard();
  return useQuery({
    queryKey: endpointKeys.one(id),
    queryFn: ({ signal }) => hy.endpoints.get(id, { signal }),
  });
}

/** The topic catalogue (what endpoints may subscribe to and events may be published to). */
export function useTopics() {
  const hy = useHookyard();
  return useQuery({
    queryKey: ['topics'],
    queryFn: ({ signal }) => hy.topics.list({ signal }).toArray(),
    staleTime: 5 * 60_000,
  });
}

/** A change to an endpoint: the answer replaces the cached endpoint, and lists are refreshed. */
export function useUpdateEndpoint(id: string) {
  const hy = useHookyard();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: Parameters<Hookyard['endpoints']['update']>[1]) =>
      hy.endpoints.update(id, patch),
    onSuccess: (endpoint) => {
      queryClient.setQueryData(endpointKeys.one(id), endpoint);
      void queryClient.invalidateQueries({ queryKey: ['endpoints', 'list'] });
    },
  });
}

/**
 * The health of an endpoint in one word, from the state the server keeps (the colour only repeats
 * the word): in the penalty box is failing, whatever the threshold that put it there.
 */
export function healthOf(endpoint: Endpoint): {
  label: string;
  tone: 'ok' | 'warn' | 'bad' | 'neutral';
} {
  const { consecutiveFailures, lastSuccessAt, penaltyUntil } = endpoint.health;
  if (penaltyUntil !== null) return { label: 'failing', tone: 'bad' };
  if (consecutiveFailures > 0) return { label: 'degraded', tone: 'warn' };
  if (lastSuccessAt !== null || endpoint.lastStatus !== null)
    return { label: 'healthy', tone: 'ok' };
  return { label: 'no deliveries yet', tone: 'neutral' };
}

/** When the endpoint's next probe is due while it is in the penalty box; null outside it. */
export function penaltyUntilOf(endpoint: Endpoint): string | null {
  return endpoint.health.penaltyUntil;
}

/** The windows the health chart offers, each with the bucket size that keeps it readable. */
export const STATS_RANGES = {
  '1h': { label: 'Last hour', ms: 60 * 60_000, bucket: 'minute' },
  '24h': { label: 'Last 24 hours', ms: 24 * 60 * 60_000, bucket: 'hour' },
  '7d': { label: 'Last 7 days', ms: 7 * 24 * 60 * 60_000, bucket: 'hour' },
  '30d': { label: 'Last 30 days', ms: 30 * 24 * 60 * 60_000, bucket: 'day' },
} as const;
export type StatsRange = keyof typeof STATS_RANGES;

export function useEndpointStats(id: string, range: StatsRange) {
  const hy = useHookyard();
  return useQuery({
    queryKey: endpointKeys.stats(id, range),
    queryFn: ({ signal }) => {
      const window = STATS_RANGES[range];
      const until = new Date();
      const since = new Date(until.getTime() - window.ms);
      return hy.endpoints.stats(id, {
        since: since.toISOString(),
        until: until.toISOString(),
        bucket: window.bucket,
        signal,
      });
    },
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
}

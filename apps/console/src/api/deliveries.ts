import type { Attempt, Delivery, Page } from '@hookyard/sdk';
import {
  type InfiniteData,
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useHookyard } from './client';

/** The statuses of a delivery as the API spells them (`DeliveryPageQueryDto.status`). */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export function isDeliveryStatus(value: string): value is DeliveryStatus {
  return (DELIVERY_STATUSES as readonly string[]).includes(value);
}

/** The filters of an endpoint's delivery list, as `GET /v1/endpoints/:id/deliveries` takes them. */
export interface DeliveryFilters {
  readonly status?: DeliveryStatus;
  /** ISO 8601: created at or after. */
  readonly since?: string;
  /** ISO 8601: created at or before. */
  readonly until?: string;
  readonly topic?: string;
}

/** Query keys of the delivery log, under the endpoint's so a change to it can refresh them too. */
export const deliveryKeys = {
  ofEndpoint: (endpointId: string) => ['endpoints', 'deliveries', endpointId] as const,
  list: (endpointId: string, filters: DeliveryFilters) =>
    ['endpoints', 'deliveries', endpointId, filters] as const,
  /** Keyed by the last attempt's time too, so a new attempt reads them again. */
  attempts: (endpointId: string, deliveryId: string, lastAttemptAt: string | null) =>
    ['endpoints', 'attempts', endpointId, deliveryId, lastAttemptAt] as const,
};

const PAGE_SIZE = 50;
const PENDING_REFRESH_MS = 5_000;

/** The endpoint's deliveries, newest first, a page at a time. */
export function useDeliveryPages(endpointId: string, filters: DeliveryFilters, enabled = true) {
  const hy = useHookyard();
  return useInfiniteQuery({
    queryKey: deliveryKeys.list(endpointId, filters),
    queryFn: ({ pageParam, signal }) =>
      hy.endpoints
        .listDeliveries(endpointId, {
          ...filters,
          limit: PAGE_SIZE,
          signal,
          ...(pageParam ? { cursor: pageParam } : {}),
        })
        .page(),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    // While a delivery is on its way, the list is read again now and then to show how it ended.
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.data.some((row) => row.status === 'pending'))
        ? PENDING_REFRESH_MS
        : false,
    enabled,
  });
}

/** The most attempts of one delivery shown (one page of the API's largest). */
const MAX_ATTEMPTS = 200;

/** A delivery's attempts, newest first, and whether they are all of them. */
export interface DeliveryAttempts {
  readonly attempts: readonly Attempt[];
  readonly complete: boolean;
}

/** The attempts of one delivery, newest first: its most recent {@link MAX_ATTEMPTS}. */
export function useDeliveryAttempts(delivery: Delivery) {
  const hy = useHookyard();
  return useQuery({
    queryKey: deliveryKeys.attempts(delivery.endpointId, delivery.id, delivery.lastAttemptAt),
    queryFn: async ({ signal }): Promise<DeliveryAttempts> => {
      const page = await hy.deliveries
        .listAttempts(delivery.id, { limit: MAX_ATTEMPTS, signal })
        .page();
      return { attempts: page.data, complete: page.nextCursor === null };
    },
  });
}

type DeliveryPages = InfiniteData<Page<Delivery>, string>;

/** Sends a delivery again now; its row shows `pending` at once, then the list is read again. */
export function useRetryDelivery(endpointId: string) {
  const hy = useHookyard();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (delivery: Delivery) => hy.deliveries.retry(delivery.id),
    onSuccess: (retried, delivery) => {
      const now = new Date().toISOString();
      queryClient.setQueriesData<DeliveryPages>(
        { queryKey: deliveryKeys.ofEndpoint(endpointId) },
        (data) =>
          data && {
            ...data,
            pages: data.pages.map((page) => ({
              ...page,
              data: page.data.map((row) =>
                row.id === retried.id
                  ? { ...row, status: retried.status, nextAttemptAt: now }
                  : row,
              ),
            })),
          },
      );
      void queryClient.invalidateQueries({ queryKey: deliveryKeys.ofEndpoint(endpointId) });
      void queryClient.invalidateQueries({ queryKey: ['events', 'deliveries', delivery.eventId] });
    },
  });
}

/** Requeues every failed delivery to the endpoint made since a time; answers how many. */
export function useRecoverDeliveries(endpointId: string) {
  const hy = useHookyard();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (since: string) => hy.endpoints.recover(endpointId, { since }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: deliveryKeys.ofEndpoint(endpointId) });
    },
  });
}

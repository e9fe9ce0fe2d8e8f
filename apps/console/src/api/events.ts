import type { PublishEvent } from '@hookyard/sdk';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useHookyard } from './client';

/** Query keys of events and of the deliveries each was fanned out to. */
export const eventKeys = {
  one: (id: string) => ['events', 'one', id] as const,
  deliveries: (id: string) => ['events', 'deliveries', id] as const,
};

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** Whether a text has the shape of an id the API gives out (24 hexadecimal characters). */
export function isObjectId(value: string): boolean {
  return OBJECT_ID.test(value);
}

export function useEvent(id: string, enabled = true) {
  const hy = useHookyard();
  return useQuery({
    queryKey: eventKeys.one(id),
    queryFn: ({ signal }) => hy.events.get(id, { signal }),
    enabled: enabled && isObjectId(id),
    // An event never changes once published.
    staleTime: Infinity,
  });
}

/** The event's delivery to each endpoint it went to (only the session's endpoints in a portal). */
export function useEventDeliveries(id: string) {
  const hy = useHookyard();
  return useQuery({
    queryKey: eventKeys.deliveries(id),
    queryFn: ({ signal }) => hy.events.listDeliveries(id, { signal }).toArray(),
    enabled: isObjectId(id),
    // Read again now and then while a delivery is on its way, to show how it ended.
    refetchInterval: (query) =>
      query.state.data?.some((delivery) => delivery.status === 'pending') ? 5_000 : false,
  });
}

export function usePublishEvent() {
  const hy = useHookyard();
  return useMutation({ mutationFn: (event: PublishEvent) => hy.events.publish(event) });
}

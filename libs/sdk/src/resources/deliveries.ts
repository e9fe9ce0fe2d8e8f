import * as api from '../generated';
import { Paginated } from '../pagination';
import { type RequestOptions, type Transport } from '../transport';
import type { Attempt, ListDeliveryAttemptsQuery, Retried } from '../types';

/** `/v1/deliveries`: one event's way to one endpoint. */
export class Deliveries {
  constructor(private readonly transport: Transport) {}

  /** Every attempt of the delivery, newest first. */
  listAttempts(
    id: string,
    query: ListDeliveryAttemptsQuery & RequestOptions = {},
  ): Paginated<Attempt> {
    const { signal, timeoutMs, cursor, ...page } = query;
    return new Paginated(
      (at) =>
        this.transport.send(
          api.deliveryLogControllerDeliveryAttempts({
            ...this.transport.options({ signal, timeoutMs }),
            path: { id },
            query: { ...page, cursor: at },
          }),
        ),
      cursor,
    );
  }

  /** Schedules a failed or pending delivery for another attempt now. */
  retry(id: string, options?: RequestOptions): Promise<Retried> {
    const o = this.transport.options(options);
    return this.transport.send(api.deliveryLogControllerRetry({ ...o, path: { id } }));
  }
}

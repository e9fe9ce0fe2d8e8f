import * as api from '../generated';
import { type RequestOptions, type Transport } from '../transport';
import type { Retried } from '../types';

/** `/v1/deliveries`: one event's way to one endpoint. */
export class Deliveries {
  constructor(private readonly transport: Transport) {}

  /** Schedules a failed or pending delivery for another attempt now. */
  retry(id: string, options?: RequestOptions): Promise<Retried> {
    const o = this.transport.options(options);
    return this.transport.send(api.deliveryLogControllerRetry({ ...o, path: { id } }));
  }
}

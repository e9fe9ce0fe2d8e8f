import * as api from '../generated';
import { type Paginated, singlePage } from '../pagination';
import { type RequestOptions, type Transport } from '../transport';
import type {
  BatchEvent,
  Delivery,
  Event,
  PublishedBatch,
  PublishedEvent,
  PublishEvent,
} from '../types';

/** Options of `events.publish`. */
export interface PublishOptions extends RequestOptions {
  /** A replay with the same key answers the first result; another body with it is a 422. */
  readonly idempotencyKey?: string;
}

/** `/v1/events`: what happened, fanned out to every endpoint subscribed to its topic. */
export class Events {
  constructor(private readonly transport: Transport) {}

  publish(body: PublishEvent, options: PublishOptions = {}): Promise<PublishedEvent> {
    const { idempotencyKey, ...call } = options;
    return this.transport.send(
      api.eventsControllerPublish({
        ...this.transport.options(call),
        body,
        headers: idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey },
      }),
    );
  }

  /**
   * Publishes 1 to 100 events in one request; each is answered on its own, in order (`{index, id}`
   * or `{index, error}`), and the accepted ones are committed even when others are not.
   */
  publishBatch(events: BatchEvent[], options?: RequestOptions): Promise<PublishedBatch> {
    const o = this.transport.options(options);
    return this.transport.send(api.eventsControllerPublishBatch({ ...o, body: { events } }));
  }

  get(id: string, options?: RequestOptions): Promise<Event> {
    const o = this.transport.options(options);
    return this.transport.send(api.deliveryLogControllerEvent({ ...o, path: { id } }));
  }

  /** The event's delivery to each endpoint it was fanned out to. */
  listDeliveries(id: string, options?: RequestOptions): Paginated<Delivery> {
    return singlePage(() =>
      this.transport.send(
        api.deliveryLogControllerEventDeliveries({
          ...this.transport.options(options),
          path: { id },
        }),
      ),
    );
  }
}

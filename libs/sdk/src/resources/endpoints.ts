import * as api from '../generated';
import { Paginated } from '../pagination';
import { type RequestOptions, type Transport } from '../transport';
import type {
  Attempt,
  CreatedEndpoint,
  CreateEndpoint,
  Delivery,
  Endpoint,
  EndpointSecret,
  EndpointStats,
  EndpointStatsQuery,
  ListAttemptsQuery,
  ListDeliveriesQuery,
  ListEndpointsQuery,
  Recover,
  Recovered,
  RotateSecret,
  TestSend,
  TestSendResult,
  UpdateEndpoint,
} from '../types';

/** `/v1/endpoints`: the URLs an organization delivers to, their secrets and their delivery log. */
export class Endpoints {
  constructor(private readonly transport: Transport) {}

  /** Creates an endpoint; the answer is the only one that carries its `secret`. */
  create(body: CreateEndpoint, options?: RequestOptions): Promise<CreatedEndpoint> {
    const o = this.transport.options(options);
    return this.transport.send(api.endpointsControllerCreate({ ...o, body }));
  }

  /** Every endpoint (ascending by id), optionally of one `status`. */
  list(query: ListEndpointsQuery & RequestOptions = {}): Paginated<Endpoint> {
    const { signal, timeoutMs, cursor, ...filters } = query;
    return new Paginated(
      (at) =>
        this.transport.send(
          api.endpointsControllerList({
            ...this.transport.options({ signal, timeoutMs }),
            query: { ...filters, cursor: at },
          }),
        ),
      cursor,
    );
  }

  get(id: string, options?: RequestOptions): Promise<Endpoint> {
    const o = this.transport.options(options);
    return this.transport.send(api.endpointsControllerGet({ ...o, path: { id } }));
  }

  /** Changes the given fields only; `status: 'paused'` stops deliveries, `'active'` resumes them. */
  update(id: string, body: UpdateEndpoint, options?: RequestOptions): Promise<Endpoint> {
    const o = this.transport.options(options);
    return this.transport.send(api.endpointsControllerUpdate({ ...o, path: { id }, body }));
  }

  async delete(id: string, options?: RequestOptions): Promise<void> {
    const o = this.transport.options(options);
    await this.transport.send(api.endpointsControllerDelete({ ...o, path: { id } }));
  }

  /** The current signing secret and the previous ones still signing during their grace period. */
  getSecret(id: string, options?: RequestOptions): Promise<EndpointSecret> {
    const o = this.transport.options(options);
    return this.transport.send(api.endpointsControllerSecret({ ...o, path: { id } }));
  }

  /** A new secret; the old one keeps signing for `gracePeriodSeconds` (default one day). */
  rotateSecret(
    id: string,
    body: RotateSecret = {},
    options?: RequestOptions,
  ): Promise<EndpointSecret> {
    const o = this.transport.options(options);
    return this.transport.send(api.endpointsControllerRotate({ ...o, path: { id }, body }));
  }

  /** Every delivery attempt to the endpoint, newest first. */
  listAttempts(id: string, query: ListAttemptsQuery & RequestOptions = {}): Paginated<Attempt> {
    const { signal, timeoutMs, cursor, ...page } = query;
    return new Paginated(
      (at) =>
        this.transport.send(
          api.deliveryLogControllerAttempts({
            ...this.transport.options({ signal, timeoutMs }),
            path: { id },
            query: { ...page, cursor: at },
          }),
        ),
      cursor,
    );
  }

  /**
   * Every delivery to the endpoint, newest first, optionally of one `status`, created from `since`
   * through `until` (ISO 8601), of one `topic`.
   */
  listDeliveries(
    id: string,
    query: ListDeliveriesQuery & RequestOptions = {},
  ): Paginated<Delivery> {
    const { signal, timeoutMs, cursor, ...filters } = query;
    return new Paginated(
      (at) =>
        this.transport.send(
          api.deliveryLogControllerEndpointDeliveries({
            ...this.transport.options({ signal, timeoutMs }),
            path: { id },
            query: { ...filters, cursor: at },
          }),
        ),
      cursor,
    );
  }

  /**
   * The endpoint's delivery attempts per `bucket` (`minute`, `hour` or `day`) from `since` through
   * `until`, every bucket present: counts, success rate and response times. By default the last day
   * in hours; at most 500 buckets.
   */
  stats(id: string, query: EndpointStatsQuery & RequestOptions = {}): Promise<EndpointStats> {
    const { signal, timeoutMs, ...range } = query;
    return this.transport.send(
      api.deliveryLogControllerStats({
        ...this.transport.options({ signal, timeoutMs }),
        path: { id },
        query: range,
      }),
    );
  }

  /** Sends a test message now and answers what the receiver said (never counts toward health). */
  sendTest(id: string, body: TestSend = {}, options?: RequestOptions): Promise<TestSendResult> {
    const o = this.transport.options(options);
    return this.transport.send(api.deliveryLogControllerTest({ ...o, path: { id }, body }));
  }

  /** Schedules again every failed delivery to the endpoint since `since` (an ISO 8601 time). */
  recover(id: string, body: Recover, options?: RequestOptions): Promise<Recovered> {
    const o = this.transport.options(options);
    return this.transport.send(api.deliveryLogControllerRecover({ ...o, path: { id }, body }));
  }
}

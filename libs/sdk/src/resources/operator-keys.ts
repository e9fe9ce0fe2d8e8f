import * as api from '../generated';
import { type Paginated, singlePage } from '../pagination';
import { type RequestOptions, type Transport } from '../transport';
import type { ApiKey, CreatedApiKey, CreateOperatorKey } from '../types';

/**
 * `/v1/operator-keys`: the keys of the installation's operator, which act for any organization
 * (needs `OPERATOR_KEY.MANAGE`).
 */
export class OperatorKeys {
  constructor(private readonly transport: Transport) {}

  /** Creates an operator key; the answer is the only one that carries the `key` itself. */
  create(body: CreateOperatorKey, options?: RequestOptions): Promise<CreatedApiKey> {
    const o = this.transport.options(options);
    return this.transport.send(api.operatorKeysControllerCreate({ ...o, body }));
  }

  list(options?: RequestOptions): Paginated<ApiKey> {
    return singlePage(() =>
      this.transport.send(api.operatorKeysControllerList(this.transport.options(options))),
    );
  }

  /** Revokes the key and every portal session it made. */
  async revoke(id: string, options?: RequestOptions): Promise<void> {
    const o = this.transport.options(options);
    await this.transport.send(api.operatorKeysControllerRevoke({ ...o, path: { id } }));
  }
}

import * as api from '../generated';
import { type Paginated, singlePage } from '../pagination';
import { type RequestOptions, type Transport } from '../transport';
import type { ApiKey, CreateApiKey, CreatedApiKey } from '../types';

/** `/v1/api-keys`: the organization's keys (needs `APIKEY.MANAGE`). */
export class ApiKeys {
  constructor(private readonly transport: Transport) {}

  /** Creates a key; the answer is the only one that carries the `key` itself. */
  create(body: CreateApiKey, options?: RequestOptions): Promise<CreatedApiKey> {
    const o = this.transport.options(options);
    return this.transport.send(api.apiKeysControllerCreate({ ...o, body }));
  }

  list(options?: RequestOptions): Paginated<ApiKey> {
    return singlePage(() =>
      this.transport.send(api.apiKeysControllerList(this.transport.options(options))),
    );
  }

  /** Revokes the key and every portal session it made. */
  async revoke(id: string, options?: RequestOptions): Promise<void> {
    const o = this.transport.options(options);
    await this.transport.send(api.apiKeysControllerRevoke({ ...o, path: { id } }));
  }
}

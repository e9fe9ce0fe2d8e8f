import * as api from '../generated';
import { type Paginated, singlePage } from '../pagination';
import { type RequestOptions, type Transport } from '../transport';

/** `/v1/topics`: the catalogue of topics an event may have. */
export class Topics {
  constructor(private readonly transport: Transport) {}

  list(options?: RequestOptions): Paginated<string> {
    return singlePage(() =>
      this.transport.send(api.topicsControllerList(this.transport.options(options))),
    );
  }
}

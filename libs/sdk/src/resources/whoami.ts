import * as api from '../generated';
import { type RequestOptions, type Transport } from '../transport';
import type { Whoami } from '../types';

/** `GET /v1/whoami`, as `hy.whoami()`: what the caller may do. */
export function whoami(transport: Transport, options?: RequestOptions): Promise<Whoami> {
  return transport.send(api.whoamiControllerWhoami(transport.options(options)));
}

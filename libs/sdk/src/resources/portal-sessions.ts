import * as api from '../generated';
import { Paginated } from '../pagination';
import { type RequestOptions, type Transport } from '../transport';
import type {
  CreatedPortalSession,
  CreatePortalSession,
  ListPortalSessionsQuery,
  PortalSession,
} from '../types';

/**
 * `/v1/portal-sessions`: links into the tenant portal for a SaaS's customers (needs `PORTAL.CREATE`).
 * A session holds at most the calling key's permissions, optionally on some endpoints only.
 */
export class PortalSessions {
  constructor(private readonly transport: Transport) {}

  /** Opens a session; the answer is the only one that carries its `token` (also in `url`). */
  create(body: CreatePortalSession, options?: RequestOptions): Promise<CreatedPortalSession> {
    const o = this.transport.options(options);
    return this.transport.send(api.portalSessionsControllerCreate({ ...o, body }));
  }

  /** The sessions neither expired nor revoked, newest first, with the key that made each. */
  list(query: ListPortalSessionsQuery & RequestOptions = {}): Paginated<PortalSession> {
    const { signal, timeoutMs, cursor, ...page } = query;
    return new Paginated(
      (at) =>
        this.transport.send(
          api.portalSessionsControllerList({
            ...this.transport.options({ signal, timeoutMs }),
            query: { ...page, cursor: at },
          }),
        ),
      cursor,
    );
  }

  /** Ends a session at once: its token answers 401 `PORTAL_SESSION_EXPIRED` from then on. */
  async revoke(id: string, options?: RequestOptions): Promise<void> {
    const o = this.transport.options(options);
    await this.transport.send(api.portalSessionsControllerRevoke({ ...o, path: { id } }));
  }
}

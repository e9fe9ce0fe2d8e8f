import * as api from '../generated';
import { Paginated, singlePage } from '../pagination';
import { type RequestOptions, type Transport } from '../transport';
import type {
  AdminOrganization,
  ApiKey,
  CreateAdminOrganization,
  CreateApiKey,
  CreatedApiKey,
  ListOrganizationsQuery,
  UpdateAdminOrganization,
  UpsertAdminOrganization,
} from '../types';

/**
 * `/v1/organizations/{organization}/api-keys`: the keys of any organization, named by its id or uid
 * (operator keys with `ORGANIZATION.ADMIN`).
 */
export class OrganizationApiKeys {
  constructor(private readonly transport: Transport) {}

  list(organization: string, options?: RequestOptions): Paginated<ApiKey> {
    return singlePage(() =>
      this.transport.send(
        api.organizationsAdminControllerListKeys({
          ...this.transport.options(options),
          path: { organization },
        }),
      ),
    );
  }

  /** Creates a key of the organization; the answer is the only one that carries the `key` itself. */
  create(
    organization: string,
    body: CreateApiKey,
    options?: RequestOptions,
  ): Promise<CreatedApiKey> {
    const o = this.transport.options(options);
    return this.transport.send(
      api.organizationsAdminControllerCreateKey({ ...o, path: { organization }, body }),
    );
  }

  /** Revokes the key and every portal session it made. */
  async revoke(organization: string, id: string, options?: RequestOptions): Promise<void> {
    const o = this.transport.options(options);
    await this.transport.send(
      api.organizationsAdminControllerRevokeKey({ ...o, path: { organization, id } }),
    );
  }
}

/**
 * `/v1/organizations`: the tenants of the installation, each named by its 24-hex id or by your own
 * `uid` (operator keys with `ORGANIZATION.ADMIN`).
 */
export class Organizations {
  readonly apiKeys: OrganizationApiKeys;

  constructor(private readonly transport: Transport) {
    this.apiKeys = new OrganizationApiKeys(transport);
  }

  /** Creates an organization; a `uid` another live organization has is 409 `UID_TAKEN`. */
  create(body: CreateAdminOrganization, options?: RequestOptions): Promise<AdminOrganization> {
    const o = this.transport.options(options);
    return this.transport.send(api.organizationsAdminControllerCreate({ ...o, body }));
  }

  /** Every live organization (ascending by id), or only the one with `uid`. */
  list(query: ListOrganizationsQuery & RequestOptions = {}): Paginated<AdminOrganization> {
    const { signal, timeoutMs, cursor, ...filters } = query;
    return new Paginated(
      (at) =>
        this.transport.send(
          api.organizationsAdminControllerList({
            ...this.transport.options({ signal, timeoutMs }),
            query: { ...filters, cursor: at },
          }),
        ),
      cursor,
    );
  }

  /** The organization with this id or uid. */
  get(organization: string, options?: RequestOptions): Promise<AdminOrganization> {
    const o = this.transport.options(options);
    return this.transport.send(
      api.organizationsAdminControllerGet({ ...o, path: { organization } }),
    );
  }

  /**
   * Creates the organization with this `uid`, or brings the existing one to `body`: one idempotent
   * call to make on every sign-up, without a lookup first.
   */
  upsert(
    uid: string,
    body: UpsertAdminOrganization,
    options?: RequestOptions,
  ): Promise<AdminOrganization> {
    const o = this.transport.options(options);
    return this.transport.send(
      api.organizationsAdminControllerUpsert({ ...o, path: { uid }, body }),
    );
  }

  /** Changes the given fields; settings merge per key, and `null` resets one to the default. */
  update(
    organization: string,
    body: UpdateAdminOrganization,
    options?: RequestOptions,
  ): Promise<AdminOrganization> {
    const o = this.transport.options(options);
    return this.transport.send(
      api.organizationsAdminControllerUpdate({ ...o, path: { organization }, body }),
    );
  }

  /**
   * Deletes the organization: its keys and portal sessions stop working at once, its endpoints are
   * paused and its pending deliveries cancelled.
   */
  async delete(organization: string, options?: RequestOptions): Promise<void> {
    const o = this.transport.options(options);
    await this.transport.send(
      api.organizationsAdminControllerDelete({ ...o, path: { organization } }),
    );
  }
}

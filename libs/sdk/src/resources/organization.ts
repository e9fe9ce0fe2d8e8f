import * as api from '../generated';
import { type RequestOptions, type Transport } from '../transport';
import type { Organization, UpdateOrganization } from '../types';

/** `/v1/organization`: the caller's organization and its settings. */
export class OrganizationSettings {
  constructor(private readonly transport: Transport) {}

  /** The organization (needs `WEBHOOK.READ`). */
  get(options?: RequestOptions): Promise<Organization> {
    return this.transport.send(api.organizationsControllerGet(this.transport.options(options)));
  }

  /** Replaces its settings: the origins that may embed the portal (needs `ORGANIZATION.MANAGE`). */
  update(body: UpdateOrganization, options?: RequestOptions): Promise<Organization> {
    const o = this.transport.options(options);
    return this.transport.send(api.organizationsControllerUpdate({ ...o, body }));
  }
}

import { ApiKeys } from './resources/api-keys';
import { Deliveries } from './resources/deliveries';
import { Endpoints } from './resources/endpoints';
import { Events } from './resources/events';
import { OperatorKeys } from './resources/operator-keys';
import { OrganizationSettings } from './resources/organization';
import { Organizations } from './resources/organizations';
import { PortalSessions } from './resources/portal-sessions';
import { Topics } from './resources/topics';
import { whoami } from './resources/whoami';
import { type HookyardOptions, type RequestOptions, Transport } from './transport';
import type { Whoami } from './types';
import {
  type VerifiedWebhook,
  type VerifyOptions,
  type WebhookRequestHeaders,
  verifyWebhook,
} from './webhooks';

/** Verification of incoming deliveries, as `hy.webhooks` (the same as {@link verifyWebhook}). */
export class Webhooks {
  verify(
    body: string | Uint8Array,
    headers: WebhookRequestHeaders,
    secret: string | readonly string[],
    options?: VerifyOptions,
  ): VerifiedWebhook {
    return verifyWebhook(body, headers, secret, options);
  }
}

/**
 * A client of the Hookyard native API, one property per resource:
 * `new Hookyard({ apiKey }).endpoints.create({ url, topics })`. An operator key names the
 * organization it acts for with `organization` (or {@link Hookyard.as}).
 */
export class Hookyard {
  readonly endpoints: Endpoints;
  readonly events: Events;
  readonly deliveries: Deliveries;
  readonly apiKeys: ApiKeys;
  readonly topics: Topics;
  readonly portalSessions: PortalSessions;
  readonly organization: OrganizationSettings;
  /** The installation's organizations and their keys (operator keys with `ORGANIZATION.ADMIN`). */
  readonly organizations: Organizations;
  /** The operator's own keys (operator keys with `OPERATOR_KEY.MANAGE`). */
  readonly operatorKeys: OperatorKeys;
  readonly webhooks = new Webhooks();
  private readonly transport: Transport;

  constructor(private readonly options: HookyardOptions) {
    const transport = new Transport(options);
    this.transport = transport;
    this.endpoints = new Endpoints(transport);
    this.events = new Events(transport);
    this.deliveries = new Deliveries(transport);
    this.apiKeys = new ApiKeys(transport);
    this.topics = new Topics(transport);
    this.portalSessions = new PortalSessions(transport);
    this.organization = new OrganizationSettings(transport);
    this.organizations = new Organizations(transport);
    this.operatorKeys = new OperatorKeys(transport);
  }

  /**
   * A client with this one's key and settings acting for `organization` (id or uid): for an operator
   * key, `hy.as('cus_42').endpoints.list()`. This client is left as it is.
   */
  as(organization: string): Hookyard {
    return new Hookyard({ ...this.options, organization });
  }

  /**
   * Who the client is: its organization, permissions and, for a portal token, its session (endpoints,
   * expiry, theme, refresh URL). Needs no permission.
   */
  whoami(options?: RequestOptions): Promise<Whoami> {
    return whoami(this.transport, options);
  }
}

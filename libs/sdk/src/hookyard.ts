import { ApiKeys } from './resources/api-keys';
import { Deliveries } from './resources/deliveries';
import { Endpoints } from './resources/endpoints';
import { Events } from './resources/events';
import { OrganizationSettings } from './resources/organization';
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
 * `new Hookyard({ apiKey }).endpoints.create({ url, topics })`.
 */
export class Hookyard {
  readonly endpoints: Endpoints;
  readonly events: Events;
  readonly deliveries: Deliveries;
  readonly apiKeys: ApiKeys;
  readonly topics: Topics;
  readonly portalSessions: PortalSessions;
  readonly organization: OrganizationSettings;
  readonly webhooks = new Webhooks();
  private readonly transport: Transport;

  constructor(options: HookyardOptions) {
    const transport = new Transport(options);
    this.transport = transport;
    this.endpoints = new Endpoints(transport);
    this.events = new Events(transport);
    this.deliveries = new Deliveries(transport);
    this.apiKeys = new ApiKeys(transport);
    this.topics = new Topics(transport);
    this.portalSessions = new PortalSessions(transport);
    this.organization = new OrganizationSettings(transport);
  }

  /**
   * Who the client is: its organization, permissions and, for a portal token, its session (endpoints,
   * expiry, theme, refresh URL). Needs no permission.
   */
  whoami(options?: RequestOptions): Promise<Whoami> {
    return whoami(this.transport, options);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { type EndpointEntity } from '@hookyard/data-access';
import { type DialectRules, sharedEndpointFields } from '@hookyard/api';
import { EndpointsService } from '@hookyard/api';
import {
  type CreateWebhookDto,
  type ListWebhooksQueryDto,
  type UpdateWebhookDto,
} from './dto/webhook-request.dto';
import {
  type DeletedWebhookDto,
  toWebhookDto,
  type WebhookDto,
  type WebhookListDto,
} from './dto/webhook-response.dto';
import { decodeWebhookCursor, encodeWebhookCursor } from './webhook-cursor';

/** Exact catalogue topics only, and HTTPS whatever the deployment allows. */
export const FEATUREBASE_RULES: DialectRules = { allowTopicPatterns: false, alwaysHttps: true };
const DEFAULT_PAGE = 10;

/** The `/v2/webhooks` resource over the dialect-neutral endpoint use cases. */
@Injectable()
export class FeaturebaseWebhooksService {
  constructor(@Inject(EndpointsService) private readonly endpoints: EndpointsService) {}

  async list(organizationId: string, query: ListWebhooksQueryDto): Promise<WebhookListDto> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const page = await this.endpoints.list(organizationId, {
      limit,
      cursor: decodeWebhookCursor(query.cursor),
      status: query.status ?? null,
    });
    const secrets = await this.endpoints.secretSets(
      organizationId,
      page.data.map((e) => e.id),
    );
    return {
      object: 'list',
      data: page.data.map((e, i) => toWebhookDto(e, secrets[i].current)),
      nextCursor: page.nextCursor === null ? null : encodeWebhookCursor(page.nextCursor),
    };
  }

  async create(organizationId: string, body: CreateWebhookDto): Promise<WebhookDto> {
    const endpoint = await this.endpoints.create(
      organizationId,
      {
        dialect: 'featurebase',
        ...sharedEndpointFields(body),
      },
      FEATUREBASE_RULES,
    );
    return this.present(organizationId, endpoint);
  }

  async get(organizationId: string, id: string): Promise<WebhookDto> {
    return this.present(organizationId, await this.endpoints.get(organizationId, id));
  }

  async update(organizationId: string, id: string, body: UpdateWebhookDto): Promise<WebhookDto> {
    const endpoint = await this.endpoints.update(
      organizationId,
      id,
      {
        ...sharedEndpointFields(body),
        status: body.status,
      },
      FEATUREBASE_RULES,
    );
    return this.present(organizationId, endpoint);
  }

  async delete(organizationId: string, id: string): Promise<DeletedWebhookDto> {
    await this.endpoints.delete(organizationId, id);
    return { id, object: 'webhook', deleted: true };
  }

  /** A new secret; the old one stops signing at once (no grace window). */
  async refreshSecret(organizationId: string, id: string): Promise<WebhookDto> {
    const secrets = await this.endpoints.rotateSecret(organizationId, id, 0);
    return toWebhookDto(await this.endpoints.get(organizationId, id), secrets.current);
  }

  private async present(organizationId: string, endpoint: EndpointEntity): Promise<WebhookDto> {
    const secrets = await this.endpoints.secrets(organizationId, endpoint.id);
    return toWebhookDto(endpoint, secrets.current);
  }
}

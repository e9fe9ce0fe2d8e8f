import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type EndpointEntity, EventRepository } from '@hookyard/data-access';
import {
  ApiError,
  type DialectRules,
  EndpointsService,
  ErrorCode,
  HOOKYARD_CONFIG,
  TestSendService,
  type TestSendResult,
} from '@hookyard/api';
import { type HookyardConfig } from '@hookyard/config';
import {
  actionOfTopic,
  deliveryFormat,
  type DeliveryFormat,
  TEST_TOPIC,
  TopicCatalogue,
} from '@hookyard/webhook-core';
import {
  type PlatformCreateWebhookDto,
  type PlatformListWebhooksQueryDto,
  type PlatformRollSecretDto,
  type PlatformUpdateWebhookDto,
} from './dto/webhook-request.dto';
import {
  type PlatformActionListDto,
  type PlatformConnectionResultDto,
  type PlatformWebhookDto,
  type PlatformWebhookListDto,
  toPlatformWebhook,
} from './dto/webhook-response.dto';
import { PlatformError } from './platform-error';
import { createInputOf, patchOf } from './webhook-mapping';

/** Topic patterns allowed (`POST.*`); HTTPS as the deployment requires. */
export const PLATFORM_RULES: DialectRules = { allowTopicPatterns: true };
const DEFAULT_LIMIT = 20;

/** The platform's `/webhooks` resource over the dialect-neutral endpoint use cases. */
@Injectable()
export class PlatformWebhooksService {
  private readonly events: EventRepository;
  private readonly format: DeliveryFormat;

  constructor(
    @Inject(EndpointsService) private readonly endpoints: EndpointsService,
    @Inject(TestSendService) private readonly testSends: TestSendService,
    @Inject(HOOKYARD_CONFIG) private readonly config: HookyardConfig,
    @Inject(TopicCatalogue) private readonly catalogue: TopicCatalogue,
    @Inject(DataSource) dataSource: DataSource,
  ) {
    this.events = new EventRepository(dataSource.manager);
    this.format = deliveryFormat('platform', config.dialects.platform);
  }

  /** A numbered page, with links that keep the query (`basePath` is the list's own path). */
  async list(
    organizationId: string,
    query: PlatformListWebhooksQueryDto,
    basePath: string,
  ): Promise<PlatformWebhookListDto> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const page = query.page ?? 1;
    const orderBy = query.order_by ?? 'created_at';
    const direction = query.order_direction ?? 'asc';
    const { data, total } = await this.endpoints.listPage(organizationId, {
      limit,
      page,
      orderBy: orderBy === 'name' ? 'name' : 'createdAt',
      direction: direction === 'desc' ? 'DESC' : 'ASC',
    });
    const secrets = await this.endpoints.secretSets(
      organizationId,
      data.map((e) => e.id),
    );
    const pages = Math.max(1, Math.ceil(total / limit));
    const link = (n: number) =>
      `${basePath}?limit=${limit}&page=${n}&order_by=${orderBy}&order_direction=${direction}`;
    const presented = await Promise.all(
      data.map(async (e, i) =>
        toPlatformWebhook(e, secrets[i], await this.penaltyPayload(organizationId, e)),
      ),
    );
    return {
      data: presented,
      limit,
      page,
      total_number_of_pages: pages,
      links: {
        first: link(1),
        previous: page > 1 ? link(Math.min(page - 1, pages)) : null,
        current: link(page),
        next: page < pages ? link(page + 1) : null,
      },
    };
  }

  async create(
    organizationId: string,
    body: PlatformCreateWebhookDto,
  ): Promise<PlatformWebhookDto> {
    const endpoint = await this.endpoints.create(
      organizationId,
      createInputOf(body),
      PLATFORM_RULES,
    );
    return this.present(organizationId, endpoint);
  }

  async get(organizationId: string, id: string): Promise<PlatformWebhookDto> {
    return this.present(organizationId, await this.find(organizationId, id));
  }

  async update(
    organizationId: string,
    id: string,
    body: PlatformUpdateWebhookDto,
  ): Promise<PlatformWebhookDto> {
    const current = await this.find(organizationId, id);
    if (body.signing_protocol != null) {
      const { currentProtocol } = await this.endpoints.secrets(organizationId, id);
      if (body.signing_protocol !== currentProtocol) {
        throw PlatformError.invalid(
          'signing_protocol',
          'the signing protocol changes with a roll: PATCH .../secret-key',
        );
      }
    }
    const endpoint = await this.endpoints.update(
      organizationId,
      id,
      patchOf(body, current),
      PLATFORM_RULES,
    );
    return this.present(organizationId, endpoint);
  }

  async delete(organizationId: string, id: string): Promise<PlatformWebhookDto> {
    const deleted = await this.get(organizationId, id);
    await this.endpoints.delete(organizationId, id);
    return deleted;
  }

  /**
   * Rolls the secret and applies the rest of the body in one transaction. The new secret is of
   * `signing_protocol` (else the current protocol); the previous one keeps signing for the grace
   * window, so both signatures go out meanwhile.
   */
  async rollSecret(
    organizationId: string,
    id: string,
    body: PlatformRollSecretDto,
  ): Promise<PlatformWebhookDto> {
    const current = await this.find(organizationId, id);
    const endpoint = await this.endpoints.updateAndRoll(
      organizationId,
      id,
      patchOf(body, current),
      PLATFORM_RULES,
      {
        graceSeconds: this.config.dialects.platform.secretGraceSeconds,
        protocol: body.signing_protocol ?? undefined,
      },
    );
    return this.present(organizationId, endpoint);
  }

  /** Removes the secret: a new one of the same protocol; every earlier one stops signing at once. */
  async removeSecret(organizationId: string, id: string): Promise<PlatformWebhookDto> {
    await this.find(organizationId, id);
    const endpoint = await this.endpoints.updateAndRoll(organizationId, id, {}, PLATFORM_RULES, {
      graceSeconds: 0,
      revokePrevious: true,
    });
    return this.present(organizationId, endpoint);
  }

  async sendTest(organizationId: string, id: string): Promise<PlatformConnectionResultDto> {
    await this.find(organizationId, id);
    return connectionResult(await this.testSends.send(organizationId, id, {}));
  }

  /** Tries a create body without creating anything: every rule, the SSRF guard, a signed test send. */
  async testConnection(
    organizationId: string,
    body: PlatformCreateWebhookDto,
  ): Promise<PlatformConnectionResultDto> {
    const { endpoint, secrets } = await this.endpoints.draft(
      organizationId,
      createInputOf(body),
      PLATFORM_RULES,
    );
    return connectionResult(await this.testSends.sendToDraft(organizationId, endpoint, secrets));
  }

  /** Ends the penalty-box cool-down now, so the worker's next claim sends the probe; 409 outside it. */
  async probePenaltyBox(organizationId: string, id: string): Promise<PlatformConnectionResultDto> {
    await this.find(organizationId, id);
    const endpoint = await this.endpoints.penaltyBox(organizationId, id, 'probe_now');
    return {
      successful: true,
      message: `the penalty-box probe is due now (${endpoint.penaltyUntil?.toISOString() ?? 'now'})`,
    };
  }

  /** The catalogue by object type: `POST` holds `POST.CREATED`, `POST.UPDATED`, ... */
  actions(): PlatformActionListDto {
    const groups = new Map<string, string[]>();
    for (const topic of this.catalogue.list()) {
      if (topic === TEST_TOPIC) continue;
      const action = actionOfTopic(topic);
      const objectType = action.split('.')[0] ?? action;
      groups.set(objectType, [...(groups.get(objectType) ?? []), action]);
    }
    return {
      data: [...groups].map(([object_type, actions]) => ({ object_type, actions })),
    };
  }

  private async find(organizationId: string, id: string): Promise<EndpointEntity> {
    try {
      return await this.endpoints.get(organizationId, id);
    } catch (error) {
      if (error instanceof ApiError && error.code === ErrorCode.NOT_FOUND)
        throw PlatformError.resource('WEBHOOK', id);
      throw error;
    }
  }

  private async present(
    organizationId: string,
    endpoint: EndpointEntity,
  ): Promise<PlatformWebhookDto> {
    const secrets = await this.endpoints.secrets(organizationId, endpoint.id);
    return toPlatformWebhook(
      endpoint,
      secrets,
      await this.penaltyPayload(organizationId, endpoint),
    );
  }

  /** What the next probe of an endpoint in the penalty box sends, in this dialect's envelope. */
  private async penaltyPayload(organizationId: string, endpoint: EndpointEntity): Promise<unknown> {
    if (endpoint.penaltyUntil === null) return null;
    const event = await this.events.nextPendingFor(organizationId, endpoint.id);
    if (!event) return null;
    const body = this.format.body(endpoint, {
      id: event.id,
      topic: event.topic,
      data: event.data,
      previousData: event.previousData,
      createdAt: event.createdAt,
    });
    return JSON.parse(body.toString('utf8')) as unknown;
  }
}

function connectionResult(result: TestSendResult): PlatformConnectionResultDto {
  if ('error' in result) {
    return { successful: false, message: `${result.error.class}: ${result.error.message}` };
  }
  return {
    successful: result.success,
    message: `HTTP ${result.status} in ${result.durationMs} ms`,
  };
}

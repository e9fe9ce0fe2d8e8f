import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  AttemptRepository,
  type EndpointEntity,
  EndpointRepository,
  type EndpointSecretEntity,
  SecretCipher,
} from '@hookyard/data-access';
import {
  ObjectIdGenerator,
  parseOutboundAllow,
  TEST_TOPIC,
  TopicCatalogue,
  ValidationCode,
} from '@hookyard/webhook-core';
import { ApiError, ErrorCode } from '../common/api-error';
import { type HookyardConfig } from '@hookyard/config';
import { HOOKYARD_CONFIG } from '../common/config.module';
import {
  attemptRow,
  DeliverySender,
  OutboundClient,
  type OutboundResult,
} from '@hookyard/delivery';
import { EndpointsService } from '../endpoints/endpoints.service';
import { type EndpointScope, reaches } from './endpoint-scope';

export type TestSendResult =
  | {
      success: boolean;
      status: number;
      durationMs: number;
      /** Absent when the receiver's address is not public (reached through an allow-list). */
      headers?: Record<string, string>;
      body?: string;
    }
  | { success: false; durationMs: number; error: { class: string; message: string } };

/**
 * Synchronous test sends: a `webhook.test` message through the same signing and HTTP path as real
 * deliveries. Logged as an attempt with trigger `test`; never touches health, last status or state.
 */
@Injectable()
export class TestSendService implements OnApplicationShutdown {
  private readonly client: OutboundClient;
  private readonly sender: DeliverySender;
  private readonly attempts: AttemptRepository;
  private readonly endpointRepository: EndpointRepository;
  private readonly inFlight = new Map<string, number>();

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(HOOKYARD_CONFIG) private readonly config: HookyardConfig,
    @Inject(SecretCipher) cipher: SecretCipher,
    @Inject(TopicCatalogue) private readonly catalogue: TopicCatalogue,
    @Inject(ObjectIdGenerator) private readonly ids: ObjectIdGenerator,
    @Inject(EndpointsService) private readonly endpoints: EndpointsService,
  ) {
    this.client = new OutboundClient({
      policy: parseOutboundAllow(config.outboundAllow),
      maxBodyBytes: config.worker.responseBodyLimit,
    });
    this.sender = new DeliverySender(cipher, this.client, config.dialects);
    this.attempts = new AttemptRepository(dataSource.manager);
    this.endpointRepository = new EndpointRepository(dataSource.manager);
  }

  /**
   * Sends a test message to a stored endpoint and logs the attempt. An endpoint outside `scope` (a
   * portal session's endpoints; `null`, every endpoint of the organization) is not found. Only a
   * caller who `mayPublish` (EVENT.PUBLISH) chooses the topic or the data; anyone else sends the
   * test topic with the product's own payload.
   */
  async send(
    organizationId: string,
    endpointId: string,
    input: { topic?: string; data?: unknown },
    scope: EndpointScope = null,
    mayPublish = false,
  ): Promise<TestSendResult> {
    if (!mayPublish) assertDefaultContent(input);
    const topic = input.topic ?? TEST_TOPIC;
    if (!this.catalogue.has(topic)) {
      throw ApiError.validation(
        [{ path: 'topic', message: 'not a topic of the catalogue' }],
        ValidationCode.TOPIC_UNKNOWN,
      );
    }
    if (!reaches(scope, endpointId)) throw ApiError.notFound('endpoint');
    const endpoint = await this.endpoints.get(organizationId, endpointId);
    return this.limited(organizationId, async () => {
      const secrets = await this.endpointRepository.secrets(organizationId, endpointId);
      const { result, requestHeaders } = await this.sendMessage(
        endpoint,
        secrets,
        topic,
        input.data,
      );
      const row = attemptRow(
        {
          id: this.ids.next(new Date()),
          endpointId,
          deliveryId: null,
          eventId: null,
          trigger: 'test',
          createdAt: new Date(),
        },
        result,
        requestHeaders,
      );
      await this.attempts.insert(
        organizationId,
        answerShown(result) ? row : { ...row, responseExcerpt: null },
      );
      return resultOf(result);
    });
  }

  /**
   * A test send to an endpoint that is not stored (a configuration being tried before it is created):
   * the same signing, authentication and SSRF guard; no attempt is logged, as there is no endpoint.
   */
  async sendToDraft(
    organizationId: string,
    endpoint: EndpointEntity,
    secrets: readonly EndpointSecretEntity[],
  ): Promise<TestSendResult> {
    return this.limited(organizationId, async () =>
      resultOf((await this.sendMessage(endpoint, secrets, TEST_TOPIC, undefined)).result),
    );
  }

  /** Signs and sends through the SSRF guard, with the global allow-list and the organization's own. */
  private async sendMessage(
    endpoint: EndpointEntity,
    secrets: readonly EndpointSecretEntity[],
    topic: string,
    data: unknown,
  ): ReturnType<DeliverySender['sendTest']> {
    const allow = await this.endpoints.outboundAllowOf(endpoint.organizationId);
    const now = new Date();
    const message = {
      id: this.ids.next(now),
      topic,
      data: data ?? { message: 'This is a test event from Hookyard.' },
      previousData: null,
      createdAt: now,
    };
    return this.sender.sendTest(endpoint, secrets, allow, message, now);
  }

  /** Runs `work` unless the organization already has as many test sends in flight as allowed. */
  private async limited<T>(organizationId: string, work: () => Promise<T>): Promise<T> {
    const busy = this.inFlight.get(organizationId) ?? 0;
    if (busy >= this.config.testSendConcurrency) {
      throw new ApiError(
        ErrorCode.RATE_LIMITED,
        'too many test sends in flight for this organization; retry shortly',
      );
    }
    this.inFlight.set(organizationId, busy + 1);
    try {
      return await work();
    } finally {
      const left = (this.inFlight.get(organizationId) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(organizationId);
      else this.inFlight.set(organizationId, left);
    }
  }

  onApplicationShutdown(): void {
    this.client.close();
  }
}

/**
 * A test send signed like a real delivery must not pass for one: without EVENT.PUBLISH it keeps the
 * test topic and the product's own data (TEST_SEND_NOT_ALLOWED, 403, on each field chosen).
 */
function assertDefaultContent(input: { topic?: string; data?: unknown }): void {
  const chosen = [
    ...(input.topic !== undefined && input.topic !== TEST_TOPIC ? ['topic'] : []),
    ...(input.data !== undefined ? ['data'] : []),
  ];
  if (chosen.length === 0) return;
  const errors = chosen.map((path) => ({
    path,
    message: `choosing the ${path} of a test send needs EVENT.PUBLISH`,
    code: ErrorCode.TEST_SEND_NOT_ALLOWED,
  }));
  throw ApiError.validation(errors, ErrorCode.TEST_SEND_NOT_ALLOWED);
}

/**
 * Whether the caller may see the receiver's headers and body: only from a public address. An address
 * an allow-list (or local mode) lets through is inside the network, and a test send must not become a
 * way to read it; such an answer shows its status and timing only.
 */
function answerShown(result: OutboundResult): boolean {
  return result.kind === 'error' || result.publicAddress;
}

/** What a test send answers: the receiver's headers and body only from a public address. */
export function resultOf(result: OutboundResult): TestSendResult {
  const durationMs = Math.round(result.durationMs);
  if (result.kind === 'error')
    return {
      success: false,
      durationMs,
      error: { class: result.errorClass, message: result.message },
    };
  const success = result.status >= 200 && result.status < 300;
  if (!answerShown(result)) return { success, status: result.status, durationMs };
  return {
    success,
    status: result.status,
    durationMs,
    headers: result.headers,
    body: result.bodyExcerpt,
  };
}

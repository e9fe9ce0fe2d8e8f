import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { redactHeaders } from '@hookyard/webhook-core';
import { type EndpointEntity } from '@hookyard/data-access';

export class WebhookHealthDto {
  @ApiProperty({ description: 'Average response time in milliseconds.' })
  avgResponseTime!: number;
  @ApiProperty({ description: 'Consecutive failed deliveries.' })
  consecutiveFailures!: number;
  @ApiProperty({ description: 'Failed deliveries since the last success.' })
  errorsSinceLastSuccess!: number;
  @ApiProperty({ description: 'Last response time in milliseconds (0 before the first attempt).' })
  lastResponseTime!: number;
  @ApiProperty({
    description: 'ISO time of the last successful delivery.',
    nullable: true,
    type: String,
  })
  lastSuccessAt!: string | null;
}

export class WebhookLastStatusDto {
  @ApiProperty({ description: 'HTTP status of the last attempt (0 when no response came).' })
  code!: number;
  @ApiProperty({ description: 'What happened on the last attempt.' })
  message!: string;
  @ApiProperty({ description: 'ISO time of the last attempt.' })
  timestamp!: string;
}

export class WebhookRequestConfigDto {
  @ApiProperty({ description: 'Request timeout in milliseconds (1000-30000).' })
  timeoutMs!: number;
  @ApiPropertyOptional({
    description: 'Custom headers sent with every delivery.',
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  headers!: Record<string, string>;
}

export class WebhookDto {
  @ApiProperty({ description: 'Object type.', enum: ['webhook'] }) object!: 'webhook';
  @ApiProperty({ description: 'Unique identifier (24-hex ObjectId).' }) id!: string;
  @ApiProperty({ description: 'Human-readable name.' }) name!: string;
  @ApiProperty({ description: 'Webhook endpoint URL.' }) url!: string;
  @ApiProperty({ description: 'Description.', nullable: true, type: String })
  description!: string | null;
  @ApiProperty({ description: 'Subscribed event topics.', type: [String] }) topics!: string[];
  @ApiProperty({ description: 'Current status.', enum: ['active', 'paused', 'suspended'] })
  status!: 'active' | 'paused' | 'suspended';
  @ApiProperty({ type: WebhookRequestConfigDto, description: 'Request configuration.' })
  requestConfig!: WebhookRequestConfigDto;
  @ApiProperty({ description: 'Signing secret (`whsec_…`) for verifying payloads.' })
  secret!: string;
  @ApiProperty({ type: WebhookHealthDto, description: 'Health metrics.' })
  health!: WebhookHealthDto;
  @ApiProperty({
    type: WebhookLastStatusDto,
    nullable: true,
    description: 'Last delivery attempt (null before the first).',
  })
  lastStatus!: WebhookLastStatusDto | null;
  @ApiProperty({ description: 'Version of the delivered payloads.' }) version!: string;
  @ApiProperty({ description: 'ISO creation time.' }) createdAt!: string;
  @ApiProperty({ description: 'ISO time of the last update.' }) updatedAt!: string;
}

export class WebhookListDto {
  @ApiProperty({ description: 'Object type.', enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [WebhookDto], description: 'The page of webhooks, oldest first.' })
  data!: WebhookDto[];
  @ApiProperty({
    description: 'Pass as `cursor` for the next page; null on the last page.',
    nullable: true,
    type: String,
  })
  nextCursor!: string | null;
}

export class DeletedWebhookDto {
  @ApiProperty({ description: 'Id of the deleted webhook.' }) id!: string;
  @ApiProperty({ description: 'Object type.', enum: ['webhook'] }) object!: 'webhook';
  @ApiProperty({ description: 'Always true.', enum: [true] }) deleted!: true;
}

/** The Featurebase webhook object of an endpoint, whatever dialect made it. */
export function toWebhookDto(endpoint: EndpointEntity, secret: string): WebhookDto {
  return {
    object: 'webhook',
    id: endpoint.id,
    name: endpoint.name,
    url: endpoint.url,
    description: endpoint.description,
    topics: endpoint.topics,
    status: endpoint.status,
    requestConfig: { timeoutMs: endpoint.timeoutMs, headers: redactHeaders(endpoint.headers) },
    secret,
    health: {
      avgResponseTime: endpoint.avgResponseTime,
      consecutiveFailures: endpoint.consecutiveFailures,
      errorsSinceLastSuccess: endpoint.errorsSinceLastSuccess,
      lastResponseTime: endpoint.lastResponseTime ?? 0,
      lastSuccessAt: endpoint.lastSuccessAt?.toISOString() ?? null,
    },
    lastStatus:
      endpoint.lastStatusAt === null
        ? null
        : {
            code: endpoint.lastStatusCode ?? 0,
            message: endpoint.lastStatusMessage ?? '',
            timestamp: endpoint.lastStatusAt.toISOString(),
          },
    version: endpoint.payloadVersion,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

import { ApiProperty } from '@nestjs/swagger';
import { type EndpointEntity } from '@hookyard/data-access';
import { type SecretSet } from '@hookyard/api';
import { actionOfTopic } from '@hookyard/webhook-core';
import {
  type AuthenticationType,
  AUTHENTICATION_TYPES,
  SIGNING_PROTOCOLS,
} from './webhook-request.dto';

export class PlatformPenaltyBoxDataDto {
  @ApiProperty({ description: 'Failed tries in a row so far.' }) retry_count!: number;
  @ApiProperty({ description: 'When the next probe is due (ISO-8601).' }) retry_at!: string;
  @ApiProperty({ description: 'What the last try answered.', nullable: true, type: String })
  cause!: string | null;
  @ApiProperty({
    description: 'The payload the next probe sends: the oldest waiting delivery.',
    nullable: true,
    type: 'object',
    additionalProperties: true,
  })
  payload!: unknown;
}

export class PlatformWebhookDto {
  @ApiProperty({ enum: ['WEBHOOK'] }) object_type!: 'WEBHOOK';
  @ApiProperty({ description: 'Unique identifier (24-hex ObjectId).' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) reference!: string | null;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty() url!: string;
  @ApiProperty({ description: 'Whether webhooks are sent.' }) active!: boolean;
  @ApiProperty({
    description: 'Delivery status; a suspended webhook is not active.',
    enum: ['ACTIVE', 'PAUSED', 'SUSPENDED'],
  })
  status!: 'ACTIVE' | 'PAUSED' | 'SUSPENDED';
  @ApiProperty() include_previous_data!: boolean;
  @ApiProperty({ enum: AUTHENTICATION_TYPES }) authentication_type!: AuthenticationType;
  @ApiProperty({ nullable: true, type: String }) username!: string | null;
  @ApiProperty({ nullable: true, type: String }) api_header_field!: string | null;
  @ApiProperty({ type: [String] }) included_actions!: string[];
  @ApiProperty({ type: [String] }) excluded_actions!: string[];
  @ApiProperty({ enum: SIGNING_PROTOCOLS }) signing_protocol!: string;
  @ApiProperty({ nullable: true, enum: SIGNING_PROTOCOLS, type: String })
  previous_signing_protocol!: string | null;
  @ApiProperty({
    description:
      'The key that verifies deliveries: `whsec_…`, or the `whpk_…` public key for Ed25519.',
  })
  secret_key!: string;
  @ApiProperty({
    description: 'The previous key, while its grace window lasts.',
    nullable: true,
    type: String,
  })
  previous_secret_key!: string | null;
  @ApiProperty({ description: 'When the secret was last rolled.', nullable: true, type: String })
  secret_rolled_at!: string | null;
  @ApiProperty({ nullable: true, enum: ['ACTIVE'], type: String }) penalty_box!: 'ACTIVE' | null;
  @ApiProperty({ nullable: true, type: PlatformPenaltyBoxDataDto })
  penalty_box_data!: PlatformPenaltyBoxDataDto | null;
  @ApiProperty({ enum: ['none', 'fifo'] }) ordering!: 'none' | 'fifo';
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}

export class PlatformWebhookLinksDto {
  @ApiProperty() first!: string;
  @ApiProperty({ nullable: true, type: String }) previous!: string | null;
  @ApiProperty() current!: string;
  @ApiProperty({ nullable: true, type: String }) next!: string | null;
}

export class PlatformWebhookListDto {
  @ApiProperty({ type: [PlatformWebhookDto] }) data!: PlatformWebhookDto[];
  @ApiProperty() limit!: number;
  @ApiProperty() page!: number;
  @ApiProperty() total_number_of_pages!: number;
  @ApiProperty({ type: PlatformWebhookLinksDto }) links!: PlatformWebhookLinksDto;
}

export class PlatformActionGroupDto {
  @ApiProperty({ example: 'POST' }) object_type!: string;
  @ApiProperty({ type: [String], example: ['POST.CREATED'] }) actions!: string[];
}

export class PlatformActionListDto {
  @ApiProperty({ type: [PlatformActionGroupDto] }) data!: PlatformActionGroupDto[];
}

export class PlatformConnectionResultDto {
  @ApiProperty() successful!: boolean;
  @ApiProperty({ example: 'HTTP 200 in 12 ms' }) message!: string;
}

const AUTH_TYPES: Record<EndpointEntity['authType'], AuthenticationType> = {
  none: 'NONE',
  basic: 'PASSWORD',
  api_key: 'API_KEY',
};

/**
 * An endpoint in the platform's shape, whichever dialect made it. Credentials never appear: the
 * password and the API key are write-only.
 */
export function toPlatformWebhook(
  endpoint: EndpointEntity,
  secrets: SecretSet,
  penaltyPayload: unknown,
): PlatformWebhookDto {
  const [previous] = secrets.previous;
  const inBox = endpoint.penaltyUntil !== null;
  return {
    object_type: 'WEBHOOK',
    id: endpoint.id,
    name: endpoint.name,
    reference: endpoint.reference,
    email: endpoint.email,
    url: endpoint.url,
    active: endpoint.status === 'active',
    status: endpoint.status.toUpperCase() as PlatformWebhookDto['status'],
    include_previous_data: endpoint.includePreviousData,
    authentication_type: AUTH_TYPES[endpoint.authType],
    username: endpoint.authUsername,
    api_header_field: endpoint.authHeaderName,
    included_actions: endpoint.topics.map(actionOfTopic),
    excluded_actions: endpoint.excludedTopics.map(actionOfTopic),
    signing_protocol: secrets.currentProtocol,
    previous_signing_protocol: previous?.protocol ?? null,
    secret_key: secrets.current,
    previous_secret_key: previous?.secret ?? null,
    secret_rolled_at:
      secrets.currentSince.getTime() > endpoint.createdAt.getTime()
        ? secrets.currentSince.toISOString()
        : null,
    penalty_box: inBox ? 'ACTIVE' : null,
    penalty_box_data:
      endpoint.penaltyUntil === null
        ? null
        : {
            retry_count: endpoint.consecutiveFailures,
            retry_at: endpoint.penaltyUntil.toISOString(),
            cause: endpoint.lastStatusMessage,
            payload: penaltyPayload,
          },
    ordering: endpoint.ordering,
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  };
}

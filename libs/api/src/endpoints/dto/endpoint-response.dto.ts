import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { redactHeaders } from '@hookyard/webhook-core';
import { type EndpointEntity, type EndpointOrdering } from '@hookyard/data-access';
import { type SecretSet } from '../endpoint-input';

export class HealthDto {
  @ApiProperty({ description: 'Average response time in ms since the last reset.' })
  avgResponseTime!: number;
  @ApiProperty({ description: 'Last response time in ms.', nullable: true, type: Number })
  lastResponseTime!: number | null;
  @ApiProperty({ description: 'Failed attempts in a row.' }) consecutiveFailures!: number;
  @ApiProperty({ description: 'Failed attempts since the last success.' })
  errorsSinceLastSuccess!: number;
  @ApiProperty({
    description: 'Time of the last successful delivery.',
    nullable: true,
    type: String,
  })
  lastSuccessAt!: string | null;
  @ApiProperty({
    description:
      'While the endpoint sits in the penalty box: when its next delivery goes out, as a probe (ISO 8601); null when it is not boxed.',
    nullable: true,
    type: String,
  })
  penaltyUntil!: string | null;
  @ApiProperty({
    description:
      'How many times in a row the endpoint has been boxed; each stay is longer. 0 when it is not.',
  })
  penaltyLevel!: number;
}

export class LastStatusDto {
  @ApiProperty({
    description: 'HTTP status of the last attempt (null for network errors).',
    nullable: true,
    type: Number,
  })
  code!: number | null;
  @ApiProperty({ description: 'What happened.' }) message!: string;
  @ApiProperty({ description: 'When.' }) timestamp!: string;
}

export class RequestConfigResponseDto {
  @ApiProperty({ description: 'Request timeout in ms.' }) timeoutMs!: number;
  @ApiProperty({
    description: 'Custom headers.',
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  headers!: Record<string, string>;
}

export class AuthenticationResponseDto {
  @ApiProperty({ enum: ['none', 'basic', 'api_key'], description: 'Outbound authentication type.' })
  type!: string;
  @ApiPropertyOptional({ description: 'Basic-auth username.' }) username?: string;
  @ApiPropertyOptional({ description: 'Header carrying the API key.' }) headerName?: string;
}

export class EndpointDto {
  @ApiProperty({ description: '24-hex id.' }) id!: string;
  @ApiProperty({ description: 'Delivery URL.' }) url!: string;
  @ApiProperty({ description: 'Name.' }) name!: string;
  @ApiProperty({ description: 'Description.', nullable: true, type: String }) description!:
    string | null;
  @ApiProperty({ description: 'Subscribed topics.', type: [String] }) topics!: string[];
  @ApiProperty({ enum: ['active', 'paused', 'suspended'], description: 'Status.' }) status!: string;
  @ApiProperty({
    description: 'Why the endpoint is paused or suspended.',
    nullable: true,
    type: String,
  })
  statusReason!: string | null;
  @ApiProperty({
    description:
      'When the endpoint was last paused (by hand or for failures); kept once suspended, null once reactivated.',
    nullable: true,
    type: String,
  })
  pausedAt!: string | null;
  @ApiProperty({
    description:
      'When the endpoint was suspended (a 410, or failing too long); null unless suspended.',
    nullable: true,
    type: String,
  })
  suspendedAt!: string | null;
  @ApiProperty({ type: RequestConfigResponseDto, description: 'How deliveries are sent.' })
  requestConfig!: RequestConfigResponseDto;
  @ApiProperty({
    type: AuthenticationResponseDto,
    description: 'Outbound authentication (secrets never shown).',
  })
  authentication!: AuthenticationResponseDto;
  @ApiProperty({
    enum: ['none', 'fifo'],
    description: '`fifo`: one delivery at a time, in publish order; `none`: no set order.',
  })
  ordering!: EndpointOrdering;
  @ApiProperty({ type: HealthDto, description: 'Delivery health.' }) health!: HealthDto;
  @ApiProperty({
    type: LastStatusDto,
    nullable: true,
    description: 'The last delivery attempt (null before the first).',
  })
  lastStatus!: LastStatusDto | null;
  @ApiProperty({ description: 'Creation time.' }) createdAt!: string;
  @ApiProperty({ description: 'Last update.' }) updatedAt!: string;
}

export class CreatedEndpointDto extends EndpointDto {
  @ApiProperty({ description: 'The signing secret (shown here and by GET …/secret).' })
  secret!: string;
}

export class EndpointPageDto {
  @ApiProperty({ type: [EndpointDto], description: 'The page of endpoints, ascending by id.' })
  data!: EndpointDto[];
  @ApiProperty({
    description: 'Pass as `cursor` for the next page; null on the last page.',
    nullable: true,
    type: String,
  })
  nextCursor!: string | null;
}

export class PreviousSecretDto {
  @ApiProperty({ description: 'A previous secret that still signs.' }) secret!: string;
  @ApiProperty({ description: 'When it stops signing.' }) expiresAt!: string;
}

export class SecretDto {
  @ApiProperty({ description: 'The current signing secret.' }) secret!: string;
  @ApiProperty({
    type: [PreviousSecretDto],
    description: 'Previous secrets inside their grace window.',
  })
  previousSecrets!: PreviousSecretDto[];
}

export function toEndpointDto(endpoint: EndpointEntity): EndpointDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    name: endpoint.name,
    description: endpoint.description,
    topics: endpoint.topics,
    status: endpoint.status,
    statusReason: endpoint.statusReason,
    pausedAt: endpoint.pausedAt?.toISOString() ?? null,
    suspendedAt: endpoint.suspendedAt?.toISOString() ?? null,
    requestConfig: { timeoutMs: endpoint.timeoutMs, headers: redactHeaders(endpoint.headers) },
    authentication: {
      type: endpoint.authType,
      ...(endpoint.authUsername !== null ? { username: endpoint.authUsername } : {}),
      ...(endpoint.authHeaderName !== null ? { headerName: endpoint.authHeaderName } : {}),
    },
    ordering: endpoint.ordering,
    health: {
      avgResponseTime: endpoint.avgResponseTime,
      lastResponseTime: endpoint.lastResponseTime,
      consecutiveFailures: endpoint.consecutiveFailures,
      errorsSinceLastSuccess: endpoint.errorsSinceLastSuccess,
      lastSuccessAt: endpoint.lastSuccessAt?.toISOString() ?? null,
      penaltyUntil: endpoint.penaltyUntil?.toISOString() ?? null,
      penaltyLevel: endpoint.penaltyLevel,
    },
    lastStatus:
      endpoint.lastStatusAt === null
        ? null
        : {
            code: endpoint.lastStatusCode,
            message: endpoint.lastStatusMessage ?? '',
            timestamp: endpoint.lastStatusAt.toISOString(),
          },
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

export function toSecretDto(secrets: SecretSet): SecretDto {
  return {
    secret: secrets.current,
    previousSecrets: secrets.previous.map((p) => ({
      secret: p.secret,
      expiresAt: p.expiresAt.toISOString(),
    })),
  };
}

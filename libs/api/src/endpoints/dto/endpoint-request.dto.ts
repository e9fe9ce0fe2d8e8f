import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { type EndpointOrdering } from '@hookyard/data-access';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { RequestConfigBaseDto } from './request-config.dto';

export class RequestConfigDto extends RequestConfigBaseDto {
  @ApiPropertyOptional({
    description: 'Request timeout in milliseconds (1000-30000).',
    example: 5000,
  })
  override timeoutMs?: number;

  @ApiPropertyOptional({
    description:
      'Custom headers sent with every delivery (at most 10; no hop-by-hop, auth or webhook-* headers).',
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  override headers?: Record<string, string>;
}

export class AuthenticationDto {
  @ApiProperty({ description: 'Outbound authentication.', enum: ['none', 'basic', 'api_key'] })
  @IsIn(['none', 'basic', 'api_key'])
  type!: 'none' | 'basic' | 'api_key';

  @ApiPropertyOptional({ description: 'Basic-auth username.' })
  @IsOptional()
  @IsString()
  username?: string;

  @ApiPropertyOptional({ description: 'Basic-auth password (write-only).', writeOnly: true })
  @IsOptional()
  @IsString()
  password?: string;

  @ApiPropertyOptional({ description: 'Header that carries the API key.' })
  @IsOptional()
  @IsString()
  headerName?: string;

  @ApiPropertyOptional({ description: 'API key value (write-only).', writeOnly: true })
  @IsOptional()
  @IsString()
  apiKey?: string;
}

export class CreateEndpointDto {
  @ApiProperty({
    description: 'Where deliveries are POSTed (HTTPS unless the deployment allows HTTP).',
    example: 'https://example.com/webhooks',
  })
  @IsString()
  url!: string;

  @ApiPropertyOptional({
    description: 'Human-readable name (at most 100 characters); defaults to the URL host.',
  })
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional({
    description: 'Description (at most 500 characters).',
    nullable: true,
    type: String,
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  description?: string | null;

  @ApiProperty({
    description: 'Topics to deliver; `*` wildcards per segment are allowed (`post.*`).',
    example: ['post.created'],
  })
  @IsArray()
  @IsString({ each: true })
  topics!: string[];

  @ApiPropertyOptional({ type: RequestConfigDto, description: 'How deliveries are sent.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => RequestConfigDto)
  requestConfig?: RequestConfigDto;

  @ApiPropertyOptional({
    type: AuthenticationDto,
    description: 'Outbound authentication; `none` when absent.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => AuthenticationDto)
  authentication?: AuthenticationDto;

  @ApiPropertyOptional({
    description:
      'A signing secret of your own (`whsec_` + base64 of 24-64 bytes); generated when absent.',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  secret?: string;

  @ApiPropertyOptional({ description: 'Include the previous data of the resource in deliveries.' })
  @IsOptional()
  @IsBoolean()
  includePreviousData?: boolean;

  @ApiPropertyOptional({
    description:
      '`fifo` sends one delivery at a time, in publish order: a later event waits until every earlier one has succeeded or been given up. `none` (the default) sends several at once, in no set order.',
    enum: ['none', 'fifo'],
    default: 'none',
  })
  @IsOptional()
  @IsIn(['none', 'fifo'])
  ordering?: EndpointOrdering;
}

export class UpdateEndpointDto {
  @ApiPropertyOptional({ description: 'New URL.' })
  @IsOptional()
  @IsString()
  url?: string;

  @ApiPropertyOptional({ description: 'New name.' })
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional({
    description: 'New description; null clears it.',
    nullable: true,
    type: String,
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  description?: string | null;

  @ApiPropertyOptional({ description: 'New topic list (replaces the old one).' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  topics?: string[];

  @ApiPropertyOptional({
    type: RequestConfigDto,
    description: 'How deliveries are sent; `headers` replaces the whole header set.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RequestConfigDto)
  requestConfig?: RequestConfigDto;

  @ApiPropertyOptional({
    type: AuthenticationDto,
    description: 'New outbound authentication (replaces the old one).',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => AuthenticationDto)
  authentication?: AuthenticationDto;

  @ApiPropertyOptional({
    description: '`active` reactivates (and resets health), `paused` pauses.',
    enum: ['active', 'paused'],
  })
  @IsOptional()
  @IsIn(['active', 'paused'])
  status?: 'active' | 'paused';

  @ApiPropertyOptional({ description: 'Include the previous data of the resource in deliveries.' })
  @IsOptional()
  @IsBoolean()
  includePreviousData?: boolean;

  @ApiPropertyOptional({
    description:
      'New delivery order: `fifo` (one at a time, in publish order) or `none`. Deliveries already queued keep their place.',
    enum: ['none', 'fifo'],
  })
  @IsOptional()
  @IsIn(['none', 'fifo'])
  ordering?: EndpointOrdering;
}

export class RotateSecretDto {
  @ApiPropertyOptional({
    description: 'Seconds the previous secret keeps signing (0-604800, default 86400).',
    example: 86400,
  })
  @IsOptional()
  @IsInt()
  gracePeriodSeconds?: number;

  @ApiPropertyOptional({
    description: 'A secret of your own; generated when absent.',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  secret?: string;
}

export class ListEndpointsQueryDto {
  @ApiPropertyOptional({ description: 'Page size (1-100, default 50).', example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({
    description: 'Only endpoints in this status.',
    enum: ['active', 'paused', 'suspended'],
  })
  @IsOptional()
  @IsIn(['active', 'paused', 'suspended'])
  status?: 'active' | 'paused' | 'suspended';
}

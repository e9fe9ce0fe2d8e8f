import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { RequestConfigBaseDto } from '@hookyard/api';

export const WEBHOOK_STATUSES = ['active', 'paused', 'suspended'] as const;

/** `requestConfig` on create and update: the shared rules, in Featurebase's words. */
export class WebhookRequestConfigInputDto extends RequestConfigBaseDto {
  @ApiPropertyOptional({
    description: 'Custom headers sent with every delivery (at most 10).',
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'X-Custom-Header': 'value' },
  })
  override headers?: Record<string, string>;

  @ApiPropertyOptional({
    description: 'Request timeout in milliseconds (1000-30000, default 5000).',
    example: 10000,
  })
  override timeoutMs?: number;
}

export class CreateWebhookDto {
  @ApiProperty({ description: 'Human-readable name (at most 100 characters).' })
  @IsString()
  name!: string;

  @ApiProperty({
    description: 'Webhook endpoint URL; must be HTTPS.',
    example: 'https://example.com/webhooks',
  })
  @IsString()
  url!: string;

  @ApiPropertyOptional({ description: 'Description (at most 500 characters).' })
  @IsOptional()
  @IsString()
  description?: string;

  @ApiProperty({
    description: 'Event topics to subscribe to (exact catalogue topics).',
    example: ['post.created', 'post.updated'],
    type: [String],
  })
  @IsArray()
  @IsString({ each: true })
  topics!: string[];

  @ApiPropertyOptional({
    type: WebhookRequestConfigInputDto,
    description: 'Request configuration.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => WebhookRequestConfigInputDto)
  requestConfig?: WebhookRequestConfigInputDto;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ description: 'New name (at most 100 characters).' })
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional({ description: 'New URL; must be HTTPS.' })
  @IsOptional()
  @IsString()
  url?: string;

  @ApiPropertyOptional({
    description: 'New description (at most 500 characters); null clears it.',
    nullable: true,
    type: String,
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  description?: string | null;

  @ApiPropertyOptional({
    description: 'New topic list (replaces the old one).',
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  topics?: string[];

  @ApiPropertyOptional({
    description: '`active` reactivates (and resets health), `paused` pauses delivery.',
    enum: ['active', 'paused'],
  })
  @IsOptional()
  @IsIn(['active', 'paused'])
  status?: 'active' | 'paused';

  @ApiPropertyOptional({
    type: WebhookRequestConfigInputDto,
    description: 'Request configuration; `headers` replaces the whole header set.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => WebhookRequestConfigInputDto)
  requestConfig?: WebhookRequestConfigInputDto;
}

export class ListWebhooksQueryDto {
  @ApiPropertyOptional({ description: 'Page size (1-100, default 10).', example: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({ description: 'Only webhooks in this status.', enum: WEBHOOK_STATUSES })
  @IsOptional()
  @IsIn(WEBHOOK_STATUSES)
  status?: (typeof WEBHOOK_STATUSES)[number];
}

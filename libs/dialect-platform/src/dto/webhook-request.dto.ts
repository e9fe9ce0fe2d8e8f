import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';

export const AUTHENTICATION_TYPES = ['NONE', 'PASSWORD', 'API_KEY'] as const;
export type AuthenticationType = (typeof AUTHENTICATION_TYPES)[number];
export const SIGNING_PROTOCOLS = ['HmacSHA256', 'Ed25519'] as const;
export const ORDERINGS = ['none', 'fifo'] as const;

const nullable = (_: object, value: unknown) => value !== null;

/** A field that may be absent or `null` ("not set"); when present, `rule` applies. */
function OptionalNullable(...rules: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(IsOptional(), ValidateIf(nullable), ...rules);
}

/**
 * The fields every webhook body may carry, as the platform's excerpt names them. Optional fields also
 * take `null` ("string or null"), which means "not set".
 */
export class PlatformWebhookFieldsDto {
  @ApiPropertyOptional({
    description: 'The username for basic authentication (`^[a-zA-Z0-9!#$%&-_.*]*$`, 0-256).',
    nullable: true,
    type: String,
  })
  @OptionalNullable(IsString())
  username?: string | null;

  @ApiPropertyOptional({
    description:
      'The password for basic authentication (`^[a-zA-Z0-9!#$%&-_.*]*$`, 0-256); write-only.',
    nullable: true,
    type: String,
    writeOnly: true,
  })
  @OptionalNullable(IsString())
  password?: string | null;

  @ApiPropertyOptional({
    description: 'The name of the header that carries the API key (`^[a-zA-Z0-9_-]*$`, 0-256).',
    nullable: true,
    type: String,
  })
  @OptionalNullable(IsString())
  api_header_field?: string | null;

  @ApiPropertyOptional({
    description: 'The API key sent in `api_header_field` (`^[a-zA-Z0-9]*$`, 0-256); write-only.',
    nullable: true,
    type: String,
    writeOnly: true,
  })
  @OptionalNullable(IsString())
  api_key?: string | null;

  @ApiPropertyOptional({
    description: 'The actions a webhook is sent for (`POST.CREATED`, `POST.*`); none means all.',
    nullable: true,
    type: [String],
  })
  @OptionalNullable(IsArray(), IsString({ each: true }))
  included_actions?: string[] | null;

  @ApiPropertyOptional({
    description: 'The actions no webhook is sent for; an exclusion wins over an inclusion.',
    nullable: true,
    type: [String],
  })
  @OptionalNullable(IsArray(), IsString({ each: true }))
  excluded_actions?: string[] | null;

  @ApiPropertyOptional({
    description:
      'The signing protocol: `HmacSHA256` (default) or `Ed25519` (Standard Webhooks v1a). On update it must stay the same: roll the secret to change it.',
    nullable: true,
    enum: SIGNING_PROTOCOLS,
  })
  @OptionalNullable(IsIn(SIGNING_PROTOCOLS))
  signing_protocol?: (typeof SIGNING_PROTOCOLS)[number] | null;

  @ApiPropertyOptional({
    description: '`null` releases the webhook from the penalty box; anything else is refused.',
    nullable: true,
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  penalty_box_data?: null | Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      '`fifo` (the default here): one delivery in flight at a time, none sent before every earlier one has succeeded or been given up. `none`: no ordering.',
    enum: ORDERINGS,
  })
  @IsOptional()
  @IsIn(ORDERINGS)
  ordering?: (typeof ORDERINGS)[number];

  @ApiPropertyOptional({ description: 'A contact address for the webhook.', nullable: true })
  @OptionalNullable(IsEmail(), MaxLength(320))
  email?: string | null;
}

export class PlatformCreateWebhookDto extends PlatformWebhookFieldsDto {
  @ApiProperty({
    description: 'The URL webhooks are sent to.',
    example: 'https://example.com/hook',
  })
  @IsDefined()
  @IsString()
  url!: string;

  @ApiProperty({ description: 'A name for the webhook (at most 100 characters).' })
  @IsDefined()
  @IsString()
  name!: string;

  @ApiProperty({ description: 'Your own reference for the webhook (at most 256 characters).' })
  @IsDefined()
  @IsString()
  @MaxLength(256)
  reference!: string;

  @ApiPropertyOptional({ description: 'Whether webhooks are sent (default true).' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({
    description: 'Whether the payload includes `previous_data` (default false).',
  })
  @IsOptional()
  @IsBoolean()
  include_previous_data?: boolean;

  @ApiPropertyOptional({
    description: 'How Hookyard authenticates to the receiver (default NONE).',
    enum: AUTHENTICATION_TYPES,
  })
  @IsOptional()
  @IsIn(AUTHENTICATION_TYPES)
  authentication_type?: AuthenticationType;
}

export class PlatformUpdateWebhookDto extends PlatformWebhookFieldsDto {
  @ApiPropertyOptional({ description: 'The URL webhooks are sent to.' })
  @IsOptional()
  @IsString()
  url?: string;

  @ApiPropertyOptional({ description: 'A name for the webhook (at most 100 characters).' })
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional({
    description: 'Your own reference for the webhook (at most 256 characters).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  reference?: string;

  @ApiPropertyOptional({ description: 'Whether webhooks are sent; `true` reactivates.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: 'Whether the payload includes `previous_data`.' })
  @IsOptional()
  @IsBoolean()
  include_previous_data?: boolean;

  @ApiPropertyOptional({
    description:
      'How Hookyard authenticates to the receiver; credentials are sent together with it.',
    enum: AUTHENTICATION_TYPES,
  })
  @IsOptional()
  @IsIn(AUTHENTICATION_TYPES)
  authentication_type?: AuthenticationType;
}

/**
 * The roll body of the excerpt: `active`, `include_previous_data` and `authentication_type` are
 * required, the rest optional. `previous_signing_protocol` and `secret_rolled_at` are Hookyard's to
 * set: accepted and ignored.
 */
export class PlatformRollSecretDto extends PlatformWebhookFieldsDto {
  @ApiProperty({ description: 'The status of the webhook.' })
  @IsDefined()
  @IsBoolean()
  active!: boolean;

  @ApiProperty({ description: 'Whether the payload includes `previous_data`.' })
  @IsDefined()
  @IsBoolean()
  include_previous_data!: boolean;

  @ApiProperty({
    description: 'How Hookyard authenticates to the receiver.',
    enum: AUTHENTICATION_TYPES,
  })
  @IsDefined()
  @IsIn(AUTHENTICATION_TYPES)
  authentication_type!: AuthenticationType;

  @ApiPropertyOptional({
    description: 'The URL webhooks are sent to.',
    nullable: true,
    type: String,
  })
  @OptionalNullable(IsString())
  url?: string | null;

  @ApiPropertyOptional({
    description: 'Set by Hookyard; accepted and ignored.',
    nullable: true,
    type: String,
  })
  @OptionalNullable(IsString())
  previous_signing_protocol?: string | null;

  @ApiPropertyOptional({
    description: 'Set by Hookyard; accepted and ignored.',
    nullable: true,
    type: String,
  })
  @OptionalNullable(IsString())
  secret_rolled_at?: string | null;
}

export const ORDER_BY = ['created_at', 'name'] as const;
export const ORDER_DIRECTIONS = ['asc', 'desc'] as const;

/** The last page a list may ask for. */
const MAX_PAGE = 2_147_483_647;

export class PlatformListWebhooksQueryDto {
  @ApiPropertyOptional({ description: 'Page size (1-100, default 20).', example: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  // At most 2^31 - 1, so that the offset of the page stays a number PostgreSQL takes.
  @ApiPropertyOptional({
    description: 'The page, counted from 1 (default 1).',
    example: 1,
    maximum: MAX_PAGE,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({ description: 'Sort column (default created_at).', enum: ORDER_BY })
  @IsOptional()
  @IsIn(ORDER_BY)
  order_by?: (typeof ORDER_BY)[number];

  @ApiPropertyOptional({ description: 'Sort direction (default asc).', enum: ORDER_DIRECTIONS })
  @IsOptional()
  @IsIn(ORDER_DIRECTIONS)
  order_direction?: (typeof ORDER_DIRECTIONS)[number];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { type OrganizationEntity } from '@hookyard/data-access';
import { PageQueryDto } from '../../delivery-log/dto/delivery-log.dto';
import { MAX_OUTBOUND_ALLOW } from '../../organizations/outbound-allow.util';
import { MAX_PORTAL_ORIGINS } from '../../organizations/portal-origins.util';
import { OutboundAllowField, PortalOriginsField } from '../../organizations/dto/organization.dto';

/** Printable ASCII without spaces or `/`, so a uid is a path segment as written. */
export const UID_PATTERN = /^[\x21-\x2e\x30-\x7e]{1,128}$/;
export const UID_PATTERN_MESSAGE = 'uid must be 1-128 printable characters without spaces or /';
const UID_DESCRIPTION =
  'Your own id for this tenant (your customer id): 1-128 printable ASCII characters without spaces or `/`, not a 24-hex id. Unique among live organizations; set once, then fixed.';
export const MAX_RETRY_DELAYS = 50;
export const MAX_RETRY_DELAY_SECONDS = 7 * 86_400;
const YEAR_SECONDS = 365 * 86_400;

export class RateRuleDto {
  @ApiProperty({ description: 'Requests per second refilled (0 = no limit).', example: 50 })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  perSecond!: number;

  @ApiProperty({ description: 'Requests allowed at once (the bucket size).', example: 100 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  burst!: number;
}

export class RateLimitsDto {
  @ApiPropertyOptional({
    type: RateRuleDto,
    nullable: true,
    description:
      'Per key or portal session, every route but publishing; null = the installation’s.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateRuleDto)
  management?: RateRuleDto | null;

  @ApiPropertyOptional({
    type: RateRuleDto,
    nullable: true,
    description: 'Per key or portal session, publishing events; null = the installation’s.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateRuleDto)
  publishing?: RateRuleDto | null;
}

export class ThresholdsDto {
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Consecutive failures before the penalty box.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  penaltyAfter?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Consecutive failures before auto-pause.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  pauseAfter?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Seconds of unbroken failure that pause an endpoint.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(YEAR_SECONDS)
  pauseAfterSeconds?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Seconds of unbroken failure that suspend an endpoint.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(YEAR_SECONDS)
  suspendAfterSeconds?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'First penalty cool-down in seconds; doubles with each failed probe.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  penaltyCooldownSeconds?: number | null;
}

/** What an operator may set per organization; each null or absent value is the installation's. */
export class OrganizationSettingsDto {
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Most endpoints the organization may have; null = `HOOKYARD_ENDPOINT_LIMIT`.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  endpointLimit?: number | null;

  @PortalOriginsField(
    `Origins that may embed the tenant portal (at most ${MAX_PORTAL_ORIGINS}); replaces the list.`,
  )
  portalAllowedOrigins?: string[];

  @OutboundAllowField(
    `The organization’s own outbound allow-list (syntax of \`HOOKYARD_OUTBOUND_ALLOW\`, at most ${MAX_OUTBOUND_ALLOW}); replaces the list.`,
  )
  outboundAllow?: string[];

  @ApiPropertyOptional({
    type: RateLimitsDto,
    nullable: true,
    description: 'Rate limits of the organization’s keys and portal sessions.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitsDto)
  rateLimits?: RateLimitsDto | null;

  @ApiPropertyOptional({
    type: [Number],
    nullable: true,
    description: `Retry delays in seconds for every endpoint of the organization (at most ${MAX_RETRY_DELAYS}, each 1-${MAX_RETRY_DELAY_SECONDS}); null = each dialect’s default schedule.`,
    example: [5, 300, 1800, 7200],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_RETRY_DELAYS)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_RETRY_DELAY_SECONDS, { each: true })
  retryScheduleSeconds?: number[] | null;

  @ApiPropertyOptional({
    type: ThresholdsDto,
    nullable: true,
    description: 'Endpoint health thresholds; each null one is the installation’s.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ThresholdsDto)
  thresholds?: ThresholdsDto | null;
}

export class CreateOrganizationDto {
  @ApiProperty({ description: 'A display name.', example: 'Acme Inc.' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ description: UID_DESCRIPTION, example: 'cus_8f2k' })
  @IsOptional()
  @IsString()
  @Matches(UID_PATTERN, { message: UID_PATTERN_MESSAGE })
  uid?: string;

  @ApiPropertyOptional({ type: OrganizationSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => OrganizationSettingsDto)
  settings?: OrganizationSettingsDto;
}

export class UpsertOrganizationDto {
  @ApiProperty({ description: 'A display name.', example: 'Acme Inc.' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({
    type: OrganizationSettingsDto,
    description: 'Settings to set; the ones left out keep their values.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => OrganizationSettingsDto)
  settings?: OrganizationSettingsDto;
}

export class UpdateOrganizationAdminDto {
  @ApiPropertyOptional({ description: 'A new display name.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({
    description: `${UID_DESCRIPTION} Only an organization without one can be given one here.`,
  })
  @IsOptional()
  @IsString()
  @Matches(UID_PATTERN, { message: UID_PATTERN_MESSAGE })
  uid?: string;

  @ApiPropertyOptional({
    type: OrganizationSettingsDto,
    description: 'Settings to change; the ones left out keep their values, null resets one.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => OrganizationSettingsDto)
  settings?: OrganizationSettingsDto;
}

export class ListOrganizationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only the organization with this uid.' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  uid?: string;
}

class RateRuleValueDto {
  @ApiProperty() perSecond!: number;
  @ApiProperty() burst!: number;
}

class RateLimitsValueDto {
  @ApiProperty({ type: RateRuleValueDto, nullable: true }) management!: RateRuleValueDto | null;
  @ApiProperty({ type: RateRuleValueDto, nullable: true }) publishing!: RateRuleValueDto | null;
}

class ThresholdsValueDto {
  @ApiProperty({ type: Number, nullable: true }) penaltyAfter!: number | null;
  @ApiProperty({ type: Number, nullable: true }) pauseAfter!: number | null;
  @ApiProperty({ type: Number, nullable: true }) pauseAfterSeconds!: number | null;
  @ApiProperty({ type: Number, nullable: true }) suspendAfterSeconds!: number | null;
  @ApiProperty({ type: Number, nullable: true }) penaltyCooldownSeconds!: number | null;
}

export class OrganizationSettingsValueDto {
  @ApiProperty({ type: Number, nullable: true, description: 'null = the installation’s limit.' })
  endpointLimit!: number | null;
  @ApiProperty({ type: [String] }) portalAllowedOrigins!: string[];
  @ApiProperty({ type: [String] }) outboundAllow!: string[];
  @ApiProperty({ type: RateLimitsValueDto }) rateLimits!: RateLimitsValueDto;
  @ApiProperty({
    type: [Number],
    nullable: true,
    description: 'null = each dialect’s default schedule.',
  })
  retryScheduleSeconds!: number[] | null;
  @ApiProperty({ type: ThresholdsValueDto }) thresholds!: ThresholdsValueDto;
}

export class AdminOrganizationDto {
  @ApiProperty({ description: '24-hex id.' }) id!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Your own id for the tenant.' })
  uid!: string | null;
  @ApiProperty({ description: 'The display name.' }) name!: string;
  @ApiProperty({ description: 'Creation time (ISO 8601).' }) createdAt!: string;
  @ApiProperty({ type: OrganizationSettingsValueDto })
  settings!: OrganizationSettingsValueDto;
}

export class AdminOrganizationPageDto {
  @ApiProperty({ type: [AdminOrganizationDto], description: 'Ascending by id.' })
  data!: AdminOrganizationDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}

export function toAdminOrganizationDto(entity: OrganizationEntity): AdminOrganizationDto {
  const thresholds = entity.thresholds ?? {};
  return {
    id: entity.id,
    uid: entity.uid,
    name: entity.name,
    createdAt: entity.createdAt.toISOString(),
    settings: {
      endpointLimit: entity.endpointLimit,
      portalAllowedOrigins: [...entity.portalAllowedOrigins],
      outboundAllow: [...entity.outboundAllow],
      rateLimits: {
        management: entity.rateLimits?.management ?? null,
        publishing: entity.rateLimits?.publishing ?? null,
      },
      retryScheduleSeconds: entity.retryScheduleSeconds ? [...entity.retryScheduleSeconds] : null,
      thresholds: {
        penaltyAfter: thresholds.penaltyAfter ?? null,
        pauseAfter: thresholds.pauseAfter ?? null,
        pauseAfterSeconds: thresholds.pauseAfterSeconds ?? null,
        suspendAfterSeconds: thresholds.suspendAfterSeconds ?? null,
        penaltyCooldownSeconds: thresholds.penaltyCooldownSeconds ?? null,
      },
    },
  };
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { type PortalSessionEntity } from '@hookyard/data-access';
import { PORTAL_PERMISSIONS, type PortalPermission } from '../../auth/permissions';
import {
  PORTAL_SESSION_DEFAULT_SECONDS,
  PORTAL_SESSION_MAX_SECONDS,
  PORTAL_SESSION_MIN_SECONDS,
} from '../portal-session.util';

export const MAX_PORTAL_ENDPOINTS = 100;

export class PortalThemeDto {
  @ApiPropertyOptional({ description: 'Accent colour, `#rrggbb`.', example: '#5b21b6' })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'accentColor must be a #rrggbb colour' })
  accentColor?: string;

  @ApiPropertyOptional({
    description: 'An https URL of the logo shown in the portal’s header.',
    example: 'https://example.com/logo.svg',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  logoUrl?: string;

  @ApiPropertyOptional({ description: 'Light or dark.', enum: ['light', 'dark'] })
  @IsOptional()
  @IsIn(['light', 'dark'])
  mode?: 'light' | 'dark';
}

export class CreatePortalSessionDto {
  @ApiProperty({
    description:
      'What the session may do, by the API keys’ permission names; at most what the calling key holds. Never `APIKEY.MANAGE`, `PORTAL.CREATE`, `ORGANIZATION.MANAGE` or `*`.',
    enum: PORTAL_PERMISSIONS,
    isArray: true,
    example: ['WEBHOOK.READ'],
  })
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(PORTAL_PERMISSIONS, { each: true })
  permissions!: PortalPermission[];

  @ApiPropertyOptional({
    description: `The only endpoints the session sees (1 to ${MAX_PORTAL_ENDPOINTS} ids of the organization’s endpoints); absent = all of them. A session limited to endpoints cannot create endpoints or publish events.`,
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_PORTAL_ENDPOINTS)
  @ArrayUnique()
  @Matches(/^[0-9a-f]{24}$/, { each: true, message: 'each of endpointIds must be a 24-hex id' })
  endpointIds?: string[];

  @ApiPropertyOptional({
    description: `How long the session lasts, in seconds (${PORTAL_SESSION_MIN_SECONDS} to ${PORTAL_SESSION_MAX_SECONDS}; default ${PORTAL_SESSION_DEFAULT_SECONDS}).`,
    type: 'integer',
    minimum: PORTAL_SESSION_MIN_SECONDS,
    maximum: PORTAL_SESSION_MAX_SECONDS,
    default: PORTAL_SESSION_DEFAULT_SECONDS,
  })
  @IsOptional()
  @IsInt()
  @Min(PORTAL_SESSION_MIN_SECONDS)
  @Max(PORTAL_SESSION_MAX_SECONDS)
  expiresInSeconds?: number;

  @ApiPropertyOptional({ description: 'How the portal looks.', type: PortalThemeDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PortalThemeDto)
  theme?: PortalThemeDto;

  @ApiPropertyOptional({
    description:
      'Where the portal sends a user whose session has expired, for a new one (https, or http where endpoints may use it).',
    example: 'https://app.example.com/settings/webhooks',
  })
  @IsOptional()
  @IsString()
  refreshUrl?: string;
}

export class PortalThemeResponseDto {
  @ApiPropertyOptional({ description: 'Accent colour, `#rrggbb`.' }) accentColor?: string;
  @ApiPropertyOptional({ description: 'An https URL of the logo.' }) logoUrl?: string;
  @ApiPropertyOptional({ description: 'Light or dark.', enum: ['light', 'dark'] })
  mode?: 'light' | 'dark';
}

export class CreatedPortalSessionDto {
  @ApiProperty({ description: '24-hex id of the session (for `DELETE /v1/portal-sessions/{id}`).' })
  id!: string;

  @ApiProperty({
    description:
      'The link that opens the portal: `<base>/console/portal?session=<id>#token=<token>`. The token travels in the fragment, which browsers never send to a server.',
  })
  url!: string;

  @ApiProperty({
    description: 'The session’s bearer token (`hkp_...`): shown once, stored only as a hash.',
  })
  token!: string;

  @ApiProperty({ description: 'When the session ends (ISO 8601).' })
  expiresAt!: string;
}

export function toCreatedPortalSessionDto(
  entity: PortalSessionEntity,
  token: string,
  url: string,
): CreatedPortalSessionDto {
  return { id: entity.id, url, token, expiresAt: entity.expiresAt.toISOString() };
}

/** A live session as listed: what it may do and who made it, never its token. */
export class PortalSessionDto {
  @ApiProperty({ description: '24-hex id of the session.' }) id!: string;

  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'The only endpoints the session sees; null = every endpoint of the organization.',
  })
  endpointIds!: string[] | null;

  @ApiProperty({
    description: 'What the session may do, by the API keys’ permission names.',
    enum: PORTAL_PERMISSIONS,
    isArray: true,
  })
  permissions!: string[];

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Id of the API key that made the session; revoking that key ends the session. Null for a session made without a key.',
  })
  createdByKeyId!: string | null;

  @ApiProperty({ description: 'Creation time (ISO 8601).' }) createdAt!: string;
  @ApiProperty({ description: 'When the session ends (ISO 8601).' }) expiresAt!: string;
}

export class PortalSessionPageDto {
  @ApiProperty({ type: [PortalSessionDto], description: 'Newest first.' })
  data!: PortalSessionDto[];

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}

export function toPortalSessionDto(entity: PortalSessionEntity): PortalSessionDto {
  return {
    id: entity.id,
    endpointIds: entity.endpointIds,
    permissions: entity.permissions,
    createdByKeyId: entity.createdByKeyId,
    createdAt: entity.createdAt.toISOString(),
    expiresAt: entity.expiresAt.toISOString(),
  };
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type ApiKeyEntity } from '@hookyard/data-access';
import {
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
} from 'class-validator';
import {
  ALL_PERMISSIONS,
  PERMISSIONS,
  type PermissionGrant,
  TENANT_PERMISSIONS,
} from '../../auth/permissions';

export class CreateApiKeyDto {
  @ApiProperty({ description: 'A name to recognise the key by.' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({
    description: 'Permissions granted; `*` for all (of an organization’s).',
    enum: [...TENANT_PERMISSIONS, ALL_PERMISSIONS],
    isArray: true,
  })
  @IsArray()
  @ArrayNotEmpty()
  @IsIn([...TENANT_PERMISSIONS, ALL_PERMISSIONS], { each: true })
  permissions!: PermissionGrant[];

  @ApiPropertyOptional({
    description: 'When the key stops working (ISO 8601, in the future); default never.',
    example: '2027-06-30T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class CreateOperatorKeyDto {
  @ApiProperty({ description: 'A name to recognise the key by.' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({
    description:
      'Permissions granted; `*` for all. `ORGANIZATION.ADMIN` manages organizations and their keys, `OPERATOR_KEY.MANAGE` operator keys; the others act for the organization a request names.',
    enum: [...PERMISSIONS, ALL_PERMISSIONS],
    isArray: true,
  })
  @IsArray()
  @ArrayNotEmpty()
  @IsIn([...PERMISSIONS, ALL_PERMISSIONS], { each: true })
  permissions!: PermissionGrant[];

  @ApiPropertyOptional({
    description: 'When the key stops working (ISO 8601, in the future); default never.',
    example: '2027-06-30T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class ApiKeyDto {
  @ApiProperty({ description: '24-hex id.' }) id!: string;
  @ApiProperty({ description: 'The name given at creation.' }) name!: string;
  @ApiProperty({ description: 'The first characters of the key, to recognise it.' })
  prefix!: string;
  @ApiProperty({ type: [String], description: 'Permissions granted; `*` for all.' })
  permissions!: string[];
  @ApiProperty({
    description:
      'The key `HOOKYARD_BOOTSTRAP_API_KEY` holds: a new value of the variable replaces (revokes) it.',
  })
  bootstrap!: boolean;

  @ApiProperty({ description: 'Creation time.' }) createdAt!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'When the key stops working; null = never.',
  })
  expiresAt!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The key that issued this one through the API (revoking that key revokes this one); null for keys made by the CLI or configuration.',
  })
  createdByKeyId!: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself: shown once, stored only as a hash.' }) key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({
    type: [ApiKeyDto],
    description: 'The keys that are not revoked, without the keys.',
  })
  data!: ApiKeyDto[];
}

export function toApiKeyDto(entity: ApiKeyEntity): ApiKeyDto {
  return {
    id: entity.id,
    name: entity.name,
    prefix: entity.prefix,
    permissions: entity.permissions,
    bootstrap: entity.bootstrap,
    createdAt: entity.createdAt.toISOString(),
    expiresAt: entity.expiresAt?.toISOString() ?? null,
    createdByKeyId: entity.createdByKeyId,
  };
}

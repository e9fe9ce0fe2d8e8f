import { ApiProperty } from '@nestjs/swagger';
import { type ApiKeyEntity } from '@hookyard/data-access';
import { ArrayNotEmpty, IsArray, IsIn, IsString, Length } from 'class-validator';
import { ALL_PERMISSIONS, PERMISSIONS, type PermissionGrant } from '../../auth/permissions';

export class CreateApiKeyDto {
  @ApiProperty({ description: 'A name to recognise the key by.' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({
    description: 'Permissions granted; `*` for all.',
    enum: [...PERMISSIONS, ALL_PERMISSIONS],
    isArray: true,
  })
  @IsArray()
  @ArrayNotEmpty()
  @IsIn([...PERMISSIONS, ALL_PERMISSIONS], { each: true })
  permissions!: PermissionGrant[];
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
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself: shown once, stored only as a hash.' }) key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({
    type: [ApiKeyDto],
    description: 'The organization’s keys that are not revoked, without the keys.',
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
  };
}

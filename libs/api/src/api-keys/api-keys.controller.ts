import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { type ApiKeyEntity } from '@hookyard/data-access';
import { ArrayNotEmpty, IsArray, IsIn, IsString, Length } from 'class-validator';
import { ApiKeyService } from '../auth/api-key.service';
import { Auth, type AuthContext, OrgId } from '../auth/auth-context';
import { RequirePermission } from '../auth/guards';
import { ALL_PERMISSIONS, PERMISSIONS, type PermissionGrant } from '../auth/permissions';
import { ObjectIdPipe } from '../common/validation';

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
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The first characters of the key, to recognise it.' })
  prefix!: string;
  @ApiProperty({ type: [String] }) permissions!: string[];
  @ApiProperty() createdAt!: string;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself: shown once, stored only as a hash.' }) key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) data!: ApiKeyDto[];
}

function toDto(entity: ApiKeyEntity): ApiKeyDto {
  return {
    id: entity.id,
    name: entity.name,
    prefix: entity.prefix,
    permissions: entity.permissions,
    createdAt: entity.createdAt.toISOString(),
  };
}

@ApiTags('api-keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(@Inject(ApiKeyService) private readonly apiKeys: ApiKeyService) {}

  @Post()
  @RequirePermission('APIKEY.MANAGE')
  @ApiOperation({ summary: 'Issue an API key (the key is returned once)' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async create(
    @OrgId() organizationId: string,
    @Auth() caller: AuthContext,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    this.apiKeys.assertCanGrant(caller, body.permissions);
    const created = await this.apiKeys.create(
      organizationId,
      body.name,
      body.permissions,
      new Date(),
    );
    return { ...toDto(created.entity), key: created.key };
  }

  @Get()
  @RequirePermission('APIKEY.MANAGE')
  @ApiOperation({ summary: 'List API keys (without the keys)' })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(@OrgId() organizationId: string): Promise<ApiKeyListDto> {
    return { data: (await this.apiKeys.list(organizationId)).map(toDto) };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('APIKEY.MANAGE')
  @ApiOperation({ summary: 'Revoke an API key' })
  @ApiNoContentResponse()
  async revoke(
    @OrgId() organizationId: string,
    @Auth() caller: AuthContext,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<void> {
    await this.apiKeys.revoke(caller, organizationId, id, new Date());
  }
}

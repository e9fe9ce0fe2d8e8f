import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyService } from '../auth/api-key.service';
import { Auth, type AuthContext, OrgId } from '../auth/auth-context';
import { RequirePermission } from '../auth/guards';
import { ObjectIdPipe } from '../common/validation';
import { ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto, toApiKeyDto } from './dto/api-key.dto';
import { ActsForOrganization, ApiNotFoundIn } from '../tenancy/acting-for.interceptor';

@ApiTags('api-keys')
@ActsForOrganization()
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
    const created = await this.apiKeys.issue(caller, organizationId, body, new Date());
    return { ...toApiKeyDto(created.entity), key: created.key };
  }

  @Get()
  @RequirePermission('APIKEY.MANAGE')
  @ApiOperation({ summary: 'List API keys (without the keys)' })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(@OrgId() organizationId: string): Promise<ApiKeyListDto> {
    return { data: (await this.apiKeys.list(organizationId)).map(toApiKeyDto) };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('APIKEY.MANAGE')
  @ApiOperation({ summary: 'Revoke an API key' })
  @ApiNoContentResponse()
  @ApiNotFoundIn('API key')
  async revoke(
    @OrgId() organizationId: string,
    @Auth() caller: AuthContext,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<void> {
    await this.apiKeys.revoke(caller, organizationId, id, new Date());
  }
}

import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeyService } from '../auth/api-key.service';
import { Auth, type AuthContext } from '../auth/auth-context';
import { RequirePermission } from '../auth/guards';
import { ApiProblemResponse } from '../common/problem-response';
import { ObjectIdPipe } from '../common/validation';
import {
  ApiKeyListDto,
  CreatedApiKeyDto,
  CreateOperatorKeyDto,
  toApiKeyDto,
} from '../api-keys/dto/api-key.dto';

/**
 * `/v1/operator-keys`: the keys of the installation's operator, which act for any organization a
 * request names. Revoking one ends it at once here and within the key cache's time elsewhere.
 */
@ApiTags('operator-keys')
@Controller('v1/operator-keys')
export class OperatorKeysController {
  constructor(@Inject(ApiKeyService) private readonly apiKeys: ApiKeyService) {}

  @Post()
  @RequirePermission('OPERATOR_KEY.MANAGE')
  @ApiOperation({ summary: 'Issue an operator key (the key is returned once)' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async create(
    @Auth() caller: AuthContext,
    @Body() body: CreateOperatorKeyDto,
  ): Promise<CreatedApiKeyDto> {
    const created = await this.apiKeys.issue(caller, null, body, new Date());
    return { ...toApiKeyDto(created.entity), key: created.key };
  }

  @Get()
  @RequirePermission('OPERATOR_KEY.MANAGE')
  @ApiOperation({ summary: 'List operator keys (without the keys)' })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(): Promise<ApiKeyListDto> {
    return { data: (await this.apiKeys.listOperatorKeys()).map(toApiKeyDto) };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('OPERATOR_KEY.MANAGE')
  @ApiOperation({ summary: 'Revoke an operator key and the portal sessions it made' })
  @ApiNoContentResponse()
  @ApiProblemResponse(404, 'No operator key has this id (`NOT_FOUND`).')
  async revoke(@Auth() caller: AuthContext, @Param('id', ObjectIdPipe) id: string): Promise<void> {
    await this.apiKeys.revoke(caller, null, id, new Date());
  }
}

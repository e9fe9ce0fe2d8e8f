import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { type Response } from 'express';
import { ApiKeyService } from '../auth/api-key.service';
import { Auth, type AuthContext } from '../auth/auth-context';
import { RequirePermission } from '../auth/guards';
import { pageLimit } from '../common/keyset-cursor';
import { ApiProblemResponse } from '../common/problem-response';
import { ObjectIdPipe } from '../common/validation';
import {
  ApiKeyListDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  toApiKeyDto,
} from '../api-keys/dto/api-key.dto';
import {
  AdminOrganizationDto,
  AdminOrganizationPageDto,
  CreateOrganizationDto,
  ListOrganizationsQueryDto,
  toAdminOrganizationDto,
  UpdateOrganizationAdminDto,
  UpsertOrganizationDto,
} from './dto/organization-admin.dto';
import { OrganizationsAdminService } from './organizations-admin.service';

const ID_OR_UID = {
  name: 'organization',
  description: 'The organization’s 24-hex id or its uid.',
};

/** The 404 of a route that names an organization. */
const NO_ORGANIZATION = ApiProblemResponse(
  404,
  'No live organization has this id or uid (`NOT_FOUND`).',
);

/** The 409 of a route that sets an organization's uid. */
const UID_TAKEN = ApiProblemResponse(409, '`UID_TAKEN`: another live organization has the uid.');

/** `/v1/organizations`: the tenants of the installation, for operator keys. */
@ApiTags('organizations')
@Controller('v1/organizations')
export class OrganizationsAdminController {
  constructor(
    @Inject(OrganizationsAdminService) private readonly organizations: OrganizationsAdminService,
    @Inject(ApiKeyService) private readonly apiKeys: ApiKeyService,
  ) {}

  @Post()
  @RequirePermission('ORGANIZATION.ADMIN')
  @ApiOperation({ summary: 'Create an organization (operator keys)' })
  @ApiCreatedResponse({ type: AdminOrganizationDto })
  @UID_TAKEN
  async create(@Body() body: CreateOrganizationDto): Promise<AdminOrganizationDto> {
    return toAdminOrganizationDto(await this.organizations.create(body, new Date()));
  }

  @Get()
  @RequirePermission('ORGANIZATION.ADMIN')
  @ApiOperation({ summary: 'List organizations, ascending by id (operator keys)' })
  @ApiOkResponse({ type: AdminOrganizationPageDto })
  async list(@Query() query: ListOrganizationsQueryDto): Promise<AdminOrganizationPageDto> {
    const page = await this.organizations.list({
      limit: pageLimit(query.limit, 200),
      cursor: query.cursor,
      uid: query.uid,
    });
    return { data: page.data.map(toAdminOrganizationDto), nextCursor: page.nextCursor };
  }

  @Get(':organization')
  @RequirePermission('ORGANIZATION.ADMIN')
  @ApiParam(ID_OR_UID)
  @ApiOperation({ summary: 'Get an organization by id or uid (operator keys)' })
  @ApiOkResponse({ type: AdminOrganizationDto })
  @NO_ORGANIZATION
  async get(@Param('organization') idOrUid: string): Promise<AdminOrganizationDto> {
    return toAdminOrganizationDto(await this.organizations.get(idOrUid));
  }

  @Put(':uid')
  @RequirePermission('ORGANIZATION.ADMIN')
  @ApiParam({ name: 'uid', description: 'Your own id for the tenant.' })
  @ApiOperation({
    summary:
      'Create the organization with this uid, or bring it to the body (operator keys): safe to call on every sign-up',
  })
  @ApiCreatedResponse({ type: AdminOrganizationDto, description: 'Created.' })
  @ApiOkResponse({ type: AdminOrganizationDto, description: 'Existed: updated or unchanged.' })
  async upsert(
    @Param('uid') uid: string,
    @Body() body: UpsertOrganizationDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AdminOrganizationDto> {
    const { organization, created } = await this.organizations.upsert(uid, body, new Date());
    response.status(created ? 201 : 200);
    return toAdminOrganizationDto(organization);
  }

  @Patch(':organization')
  @RequirePermission('ORGANIZATION.ADMIN')
  @ApiParam(ID_OR_UID)
  @ApiOperation({ summary: 'Rename an organization or change its settings (operator keys)' })
  @ApiOkResponse({ type: AdminOrganizationDto })
  @NO_ORGANIZATION
  @UID_TAKEN
  async update(
    @Param('organization') idOrUid: string,
    @Body() body: UpdateOrganizationAdminDto,
  ): Promise<AdminOrganizationDto> {
    return toAdminOrganizationDto(await this.organizations.update(idOrUid, body));
  }

  @Delete(':organization')
  @HttpCode(204)
  @RequirePermission('ORGANIZATION.ADMIN')
  @ApiParam(ID_OR_UID)
  @ApiOperation({
    summary:
      'Delete an organization (operator keys): its keys and portal sessions stop at once, its endpoints receive nothing new, its data is purged in the background',
  })
  @ApiNoContentResponse()
  @NO_ORGANIZATION
  async delete(@Param('organization') idOrUid: string): Promise<void> {
    await this.organizations.delete(idOrUid, new Date());
  }

  @Get(':organization/api-keys')
  @RequirePermission('ORGANIZATION.ADMIN')
  @ApiParam(ID_OR_UID)
  @ApiOperation({ summary: 'List an organization’s API keys (operator keys)' })
  @ApiOkResponse({ type: ApiKeyListDto })
  @NO_ORGANIZATION
  async listKeys(@Param('organization') idOrUid: string): Promise<ApiKeyListDto> {
    const { id } = await this.organizations.get(idOrUid);
    return { data: (await this.apiKeys.list(id)).map(toApiKeyDto) };
  }

  @Post(':organization/api-keys')
  @RequirePermission('ORGANIZATION.ADMIN')
  @ApiParam(ID_OR_UID)
  @ApiOperation({ summary: 'Issue an API key for an organization (the key is returned once)' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @NO_ORGANIZATION
  async createKey(
    @Param('organization') idOrUid: string,
    @Auth() caller: AuthContext,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    const { id } = await this.organizations.get(idOrUid);
    const created = await this.apiKeys.issue(caller, id, body, new Date());
    return { ...toApiKeyDto(created.entity), key: created.key };
  }

  @Delete(':organization/api-keys/:id')
  @HttpCode(204)
  @RequirePermission('ORGANIZATION.ADMIN')
  @ApiParam(ID_OR_UID)
  @ApiOperation({ summary: 'Revoke an organization’s API key and the portal sessions it made' })
  @ApiNoContentResponse()
  @ApiProblemResponse(
    404,
    'No live organization has this id or uid, or it has no API key with this id (`NOT_FOUND`).',
  )
  async revokeKey(
    @Param('organization') idOrUid: string,
    @Param('id', ObjectIdPipe) keyId: string,
    @Auth() caller: AuthContext,
  ): Promise<void> {
    const { id } = await this.organizations.get(idOrUid);
    await this.apiKeys.revoke(caller, id, keyId, new Date());
  }
}

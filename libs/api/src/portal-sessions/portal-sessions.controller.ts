import { Body, Controller, Delete, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { type Request } from 'express';
import { type HookyardConfig } from '@hookyard/config';
import { Auth, type AuthContext, OrgId } from '../auth/auth-context';
import { RequirePermission } from '../auth/guards';
import { HOOKYARD_CONFIG } from '../common/config.module';
import { ObjectIdPipe } from '../common/validation';
import {
  CreatedPortalSessionDto,
  CreatePortalSessionDto,
  toCreatedPortalSessionDto,
} from './dto/portal-session.dto';
import { PortalSessionsService } from './portal-sessions.service';

/** `/v1/portal-sessions`: links into the tenant portal that a SaaS hands its customers. */
@ApiTags('portal sessions')
@Controller('v1/portal-sessions')
export class PortalSessionsController {
  constructor(
    @Inject(PortalSessionsService) private readonly sessions: PortalSessionsService,
    @Inject(HOOKYARD_CONFIG) private readonly config: HookyardConfig,
  ) {}

  @Post()
  @RequirePermission('PORTAL.CREATE')
  @ApiOperation({
    summary: 'Open a tenant-portal session (the token is returned once)',
    description:
      'The session acts for the caller’s organization with at most the caller’s permissions, optionally on some endpoints only, until it expires or is revoked.',
  })
  @ApiCreatedResponse({ type: CreatedPortalSessionDto })
  @ApiUnprocessableEntityResponse({
    description:
      'An endpoint in `endpointIds` is not one of the organization’s (`ENDPOINT_UNKNOWN`).',
  })
  async create(
    @OrgId() organizationId: string,
    @Auth() caller: AuthContext,
    @Body() body: CreatePortalSessionDto,
    @Req() request: Request,
  ): Promise<CreatedPortalSessionDto> {
    const baseUrl = this.config.publicUrl ?? `${request.protocol}://${request.get('host') ?? ''}`;
    const created = await this.sessions.create(caller, organizationId, body, baseUrl, new Date());
    return toCreatedPortalSessionDto(created.entity, created.token, created.url);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('PORTAL.CREATE')
  @ApiOperation({ summary: 'Revoke a tenant-portal session (its token is refused at once)' })
  @ApiNoContentResponse()
  async revoke(
    @OrgId() organizationId: string,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<void> {
    await this.sessions.revoke(organizationId, id, new Date());
  }
}

import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { type Request } from 'express';
import { type HookyardConfig } from '@hookyard/config';
import { Auth, type AuthContext, OrgId } from '../auth/auth-context';
import { RequirePermission } from '../auth/guards';
import { HOOKYARD_CONFIG } from '../common/config.module';
import { pageLimit } from '../common/keyset-cursor';
import { ApiProblemResponse } from '../common/problem-response';
import { ObjectIdPipe } from '../common/validation';
import { PageQueryDto } from '../delivery-log/dto/delivery-log.dto';
import {
  CreatedPortalSessionDto,
  CreatePortalSessionDto,
  PortalSessionPageDto,
  toCreatedPortalSessionDto,
  toPortalSessionDto,
} from './dto/portal-session.dto';
import { PortalSessionsService } from './portal-sessions.service';
import { ActsForOrganization, ApiNotFoundIn } from '../tenancy/acting-for.interceptor';

const MAX_PAGE = 200;

/** `/v1/portal-sessions`: links into the tenant portal that a SaaS hands its customers. */
@ApiTags('portal sessions')
@ActsForOrganization()
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
  @ApiProblemResponse(
    422,
    'An endpoint in `endpointIds` is not one of the organization’s (`ENDPOINT_UNKNOWN`).',
  )
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

  /**
   * PORTAL.CREATE, not WEBHOOK.READ: whoever can read webhooks need not see who was handed the
   * portal; whoever mints and revokes sessions needs the list to revoke them.
   */
  @Get()
  @RequirePermission('PORTAL.CREATE')
  @ApiOperation({
    summary: 'List the live tenant-portal sessions, newest first (limit default 50, max 200)',
    description:
      'Sessions neither expired nor revoked, with the key that made each; never their tokens.',
  })
  @ApiOkResponse({ type: PortalSessionPageDto })
  async list(
    @OrgId() organizationId: string,
    @Query() query: PageQueryDto,
  ): Promise<PortalSessionPageDto> {
    const limit = pageLimit(query.limit, MAX_PAGE);
    const page = await this.sessions.listLive(organizationId, new Date(), limit, query.cursor);
    return { data: page.data.map(toPortalSessionDto), nextCursor: page.nextCursor };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('PORTAL.CREATE')
  @ApiOperation({ summary: 'Revoke a tenant-portal session (its token is refused at once)' })
  @ApiNoContentResponse()
  @ApiNotFoundIn('portal session')
  async revoke(
    @OrgId() organizationId: string,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<void> {
    await this.sessions.revoke(organizationId, id, new Date());
  }
}

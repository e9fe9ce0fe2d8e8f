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
  Query,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  DEFAULT_GRACE_SECONDS,
  isObjectId,
  type OutboundAuthentication,
} from '@hookyard/webhook-core';
import { Auth, type AuthContext, OrgId } from '../auth/auth-context';
import { PortalAccessible, RequirePermission } from '../auth/guards';
import { ApiError, ErrorCode } from '../common/api-error';
import { ApiProblemResponse } from '../common/problem-response';
import { pageLimit } from '../common/keyset-cursor';
import { ObjectIdPipe } from '../common/validation';
import { subscriptionCeilingsOf } from '../portal-sessions/portal-session.util';
import { PortalSessionsService } from '../portal-sessions/portal-sessions.service';
import { type DialectRules, sharedEndpointFields } from './endpoint-input';
import { EndpointsService } from './endpoints.service';
import {
  type AuthenticationDto,
  CreateEndpointDto,
  ListEndpointsQueryDto,
  RotateSecretDto,
  UpdateEndpointDto,
} from './dto/endpoint-request.dto';
import {
  CreatedEndpointDto,
  EndpointDto,
  EndpointPageDto,
  SecretDto,
  toEndpointDto,
  toSecretDto,
} from './dto/endpoint-response.dto';
import { ActsForOrganization, ApiNotFoundIn } from '../tenancy/acting-for.interceptor';

const NATIVE: DialectRules = { allowTopicPatterns: true };
const MAX_PAGE = 100;

/** The 422 of the routes that set an endpoint's topics. */
const TOPIC_UNKNOWN = ApiProblemResponse(
  422,
  'A topic is not in the catalogue, or a pattern selects none of it (`TOPIC_UNKNOWN`); `errors` names each.',
);

/** An endpoint route an endpoint-scoped portal session may use on its own endpoints only. */
const ON_OWN_ENDPOINT = { endpointParam: 'id' } as const;

/** The native `/v1/endpoints` API. */
@ApiTags('endpoints')
@ActsForOrganization()
@Controller('v1/endpoints')
export class EndpointsController {
  constructor(
    @Inject(EndpointsService) private readonly endpoints: EndpointsService,
    @Inject(PortalSessionsService) private readonly portalSessions: PortalSessionsService,
  ) {}

  @Post()
  @RequirePermission('WEBHOOK.CREATE')
  @PortalAccessible({ wholeOrganization: true })
  @ApiOperation({ summary: 'Create an endpoint' })
  @ApiCreatedResponse({ type: CreatedEndpointDto })
  @TOPIC_UNKNOWN
  async create(
    @OrgId() organizationId: string,
    @Body() body: CreateEndpointDto,
  ): Promise<CreatedEndpointDto> {
    const endpoint = await this.endpoints.create(
      organizationId,
      {
        dialect: 'native',
        ...sharedEndpointFields(body),
        authentication: body.authentication && toAuthentication(body.authentication),
        includePreviousData: body.includePreviousData,
        secret: body.secret,
        ordering: body.ordering,
      },
      NATIVE,
    );
    const secrets = await this.endpoints.secrets(organizationId, endpoint.id);
    return { ...toEndpointDto(endpoint), secret: secrets.current };
  }

  @Get()
  @RequirePermission('WEBHOOK.READ')
  @PortalAccessible()
  @ApiOperation({ summary: 'List endpoints (ascending by id, cursor-paginated)' })
  @ApiOkResponse({ type: EndpointPageDto })
  async list(
    @OrgId() organizationId: string,
    @Auth() auth: AuthContext,
    @Query() query: ListEndpointsQueryDto,
  ): Promise<EndpointPageDto> {
    const limit = pageLimit(query.limit, MAX_PAGE);
    if (query.cursor !== undefined && !isObjectId(query.cursor)) {
      throw ApiError.validation(
        [{ path: 'cursor', message: 'not a cursor this API returned' }],
        ErrorCode.PAGINATION_INVALID,
      );
    }
    const page = await this.endpoints.list(organizationId, {
      limit,
      cursor: query.cursor,
      status: query.status,
      ids: auth.endpointIds,
    });
    return { data: page.data.map(toEndpointDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequirePermission('WEBHOOK.READ')
  @PortalAccessible(ON_OWN_ENDPOINT)
  @ApiOperation({ summary: 'Get an endpoint' })
  @ApiOkResponse({ type: EndpointDto })
  @ApiNotFoundIn('endpoint')
  async get(
    @OrgId() organizationId: string,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<EndpointDto> {
    return toEndpointDto(await this.endpoints.get(organizationId, id));
  }

  @Patch(':id')
  @RequirePermission('WEBHOOK.UPDATE')
  @PortalAccessible(ON_OWN_ENDPOINT)
  @ApiOperation({ summary: 'Update an endpoint (partial)' })
  @ApiOkResponse({ type: EndpointDto })
  @ApiNotFoundIn('endpoint')
  @ApiProblemResponse(
    403,
    'A portal session widens the subscription beyond its own (`PORTAL_SCOPE_EXCEEDED`).',
  )
  @TOPIC_UNKNOWN
  async update(
    @OrgId() organizationId: string,
    @Auth() auth: AuthContext,
    @Param('id', ObjectIdPipe) id: string,
    @Body() body: UpdateEndpointDto,
  ): Promise<EndpointDto> {
    const session = await this.portalSessions.sessionOf(auth);
    const endpoint = await this.endpoints.update(
      organizationId,
      id,
      {
        ...sharedEndpointFields(body),
        authentication: body.authentication && toAuthentication(body.authentication),
        includePreviousData: body.includePreviousData,
        status: body.status,
        ordering: body.ordering,
      },
      NATIVE,
      subscriptionCeilingsOf(session, id),
    );
    return toEndpointDto(endpoint);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('WEBHOOK.DELETE')
  @PortalAccessible(ON_OWN_ENDPOINT)
  @ApiOperation({ summary: 'Delete an endpoint' })
  @ApiNoContentResponse()
  @ApiNotFoundIn('endpoint')
  async delete(
    @OrgId() organizationId: string,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<void> {
    await this.endpoints.delete(organizationId, id);
  }

  @Get(':id/secret')
  @RequirePermission('WEBHOOK.READ')
  @PortalAccessible(ON_OWN_ENDPOINT)
  @ApiOperation({ summary: 'Get the signing secrets' })
  @ApiOkResponse({ type: SecretDto })
  @ApiNotFoundIn('endpoint')
  async secret(
    @OrgId() organizationId: string,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<SecretDto> {
    return toSecretDto(await this.endpoints.secrets(organizationId, id));
  }

  @Post(':id/secret/rotate')
  @HttpCode(200)
  @RequirePermission('WEBHOOK.UPDATE')
  @PortalAccessible(ON_OWN_ENDPOINT)
  @ApiOperation({
    summary: 'Rotate the signing secret; the previous one signs until the grace window ends',
  })
  @ApiOkResponse({ type: SecretDto })
  @ApiNotFoundIn('endpoint')
  async rotate(
    @OrgId() organizationId: string,
    @Param('id', ObjectIdPipe) id: string,
    @Body() body: RotateSecretDto,
  ): Promise<SecretDto> {
    const grace = body.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    return toSecretDto(await this.endpoints.rotateSecret(organizationId, id, grace, body.secret));
  }
}

/** Maps the native DTO to the core's union; missing parts become '' so the core rules name them. */
export function toAuthentication(dto: AuthenticationDto): OutboundAuthentication {
  switch (dto.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return { type: 'basic', username: dto.username ?? '', password: dto.password ?? '' };
    case 'api_key':
      return { type: 'api_key', headerName: dto.headerName ?? '', apiKey: dto.apiKey ?? '' };
  }
}

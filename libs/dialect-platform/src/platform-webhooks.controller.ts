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
  Req,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { type Request } from 'express';
import { ObjectIdPipe, RequirePermission } from '@hookyard/api';
import {
  PlatformCreateWebhookDto,
  PlatformListWebhooksQueryDto,
  PlatformRollSecretDto,
  PlatformUpdateWebhookDto,
} from './dto/webhook-request.dto';
import {
  PlatformActionListDto,
  PlatformConnectionResultDto,
  PlatformWebhookDto,
  PlatformWebhookListDto,
} from './dto/webhook-response.dto';
import { PlatformErrorFilter } from './platform-error.filter';
import {
  PLATFORM_ID_HEADER,
  PLATFORM_VERSIONS,
  PlatformOrg,
  PlatformTenantInterceptor,
} from './platform-tenant.interceptor';
import { PlatformWebhooksService } from './platform-webhooks.service';

/** The platform-style `/webhooks` resource, mounted under `/platform/v{version}`. */
@ApiTags('platform')
@ApiParam({ name: 'version', enum: PLATFORM_VERSIONS, description: 'API version.' })
@ApiHeader({
  name: PLATFORM_ID_HEADER,
  required: false,
  description:
    'The organization an operator key acts for (required with one); a tenant key may name its own.',
})
@ApiBadRequestResponse({
  description: 'Invalid request: `{type, code: MISSING_FIELD | INVALID_FIELD, message, field}`.',
})
@ApiNotFoundResponse({ description: 'No such webhook, organization or API version.' })
@UseFilters(PlatformErrorFilter)
@UseInterceptors(PlatformTenantInterceptor)
@Controller('platform/v:version/webhooks')
export class PlatformWebhooksController {
  constructor(
    @Inject(PlatformWebhooksService) private readonly webhooks: PlatformWebhooksService,
  ) {}

  @Get()
  @RequirePermission('WEBHOOK.VIEW')
  @ApiOperation({ summary: 'List webhooks (numbered pages)' })
  @ApiOkResponse({ type: PlatformWebhookListDto })
  list(
    @PlatformOrg() org: string,
    @Query() query: PlatformListWebhooksQueryDto,
    @Req() request: Request,
  ): Promise<PlatformWebhookListDto> {
    return this.webhooks.list(org, query, request.path);
  }

  @Post()
  @RequirePermission('WEBHOOK.CREATE')
  @ApiOperation({ summary: 'Create a webhook' })
  @ApiCreatedResponse({ type: PlatformWebhookDto })
  create(
    @PlatformOrg() org: string,
    @Body() body: PlatformCreateWebhookDto,
  ): Promise<PlatformWebhookDto> {
    return this.webhooks.create(org, body);
  }

  @Get('actions')
  @RequirePermission('WEBHOOK.VIEW')
  @ApiOperation({ summary: 'The actions a webhook can subscribe to, by object type' })
  @ApiOkResponse({ type: PlatformActionListDto })
  actions(@PlatformOrg() _org: string): PlatformActionListDto {
    return this.webhooks.actions();
  }

  @Post('test-connection')
  @HttpCode(200)
  @RequirePermission('WEBHOOK.CREATE')
  @ApiOperation({ summary: 'Send a signed test request with a create body, creating nothing' })
  @ApiOkResponse({ type: PlatformConnectionResultDto })
  testConnection(
    @PlatformOrg() org: string,
    @Body() body: PlatformCreateWebhookDto,
  ): Promise<PlatformConnectionResultDto> {
    return this.webhooks.testConnection(org, body);
  }

  @Get(':resourceId')
  @RequirePermission('WEBHOOK.VIEW')
  @ApiOperation({ summary: 'Get a webhook' })
  @ApiOkResponse({ type: PlatformWebhookDto })
  get(
    @PlatformOrg() org: string,
    @Param('resourceId', ObjectIdPipe) id: string,
  ): Promise<PlatformWebhookDto> {
    return this.webhooks.get(org, id);
  }

  @Patch(':resourceId')
  @RequirePermission('WEBHOOK.UPDATE')
  @ApiOperation({ summary: 'Update a webhook (partial); `penalty_box_data: null` releases it' })
  @ApiOkResponse({ type: PlatformWebhookDto })
  update(
    @PlatformOrg() org: string,
    @Param('resourceId', ObjectIdPipe) id: string,
    @Body() body: PlatformUpdateWebhookDto,
  ): Promise<PlatformWebhookDto> {
    return this.webhooks.update(org, id, body);
  }

  @Delete(':resourceId')
  @RequirePermission('WEBHOOK.DELETE')
  @ApiOperation({ summary: 'Delete a webhook; answers the deleted webhook' })
  @ApiOkResponse({ type: PlatformWebhookDto })
  delete(
    @PlatformOrg() org: string,
    @Param('resourceId', ObjectIdPipe) id: string,
  ): Promise<PlatformWebhookDto> {
    return this.webhooks.delete(org, id);
  }

  @Patch(':resourceId/secret-key')
  @RequirePermission('WEBHOOK.UPDATE')
  @ApiOperation({
    summary:
      'Get a new webhook secret, rolling the current one (it keeps signing for the grace window), and apply the body',
  })
  @ApiOkResponse({ type: PlatformWebhookDto })
  rollSecret(
    @PlatformOrg() org: string,
    @Param('resourceId', ObjectIdPipe) id: string,
    @Body() body: PlatformRollSecretDto,
  ): Promise<PlatformWebhookDto> {
    return this.webhooks.rollSecret(org, id, body);
  }

  @Delete(':resourceId/secret-key')
  @RequirePermission('WEBHOOK.UPDATE')
  @ApiOperation({ summary: 'Remove the secret: a new one at once, the old one invalid' })
  @ApiOkResponse({ type: PlatformWebhookDto })
  removeSecret(
    @PlatformOrg() org: string,
    @Param('resourceId', ObjectIdPipe) id: string,
  ): Promise<PlatformWebhookDto> {
    return this.webhooks.removeSecret(org, id);
  }

  @Post(':resourceId/send-test')
  @HttpCode(200)
  @RequirePermission('WEBHOOK.UPDATE')
  @ApiOperation({ summary: 'Send a test event now; never counts toward health' })
  @ApiOkResponse({ type: PlatformConnectionResultDto })
  sendTest(
    @PlatformOrg() org: string,
    @Param('resourceId', ObjectIdPipe) id: string,
  ): Promise<PlatformConnectionResultDto> {
    return this.webhooks.sendTest(org, id);
  }

  @Post(':resourceId/send-penalty-box-payload')
  @HttpCode(200)
  @RequirePermission('WEBHOOK.UPDATE')
  @ApiOperation({ summary: 'Probe a webhook in the penalty box now' })
  @ApiOkResponse({ type: PlatformConnectionResultDto })
  @ApiConflictResponse({ description: 'The webhook is not in the penalty box.' })
  probePenaltyBox(
    @PlatformOrg() org: string,
    @Param('resourceId', ObjectIdPipe) id: string,
  ): Promise<PlatformConnectionResultDto> {
    return this.webhooks.probePenaltyBox(org, id);
  }
}

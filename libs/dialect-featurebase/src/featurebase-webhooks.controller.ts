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
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ActsForOrganization, OrgId } from '@hookyard/api';
import { RequirePermission } from '@hookyard/api';
import { ObjectIdPipe } from '@hookyard/api';
import {
  CreateWebhookDto,
  ListWebhooksQueryDto,
  UpdateWebhookDto,
} from './dto/webhook-request.dto';
import { DeletedWebhookDto, WebhookDto, WebhookListDto } from './dto/webhook-response.dto';
import { FeaturebaseErrorFilter } from './featurebase-error.filter';
import { FEATUREBASE_VERSIONS, VERSION_HEADER } from './featurebase-version';
import { FeaturebaseVersionInterceptor } from './featurebase-version.interceptor';
import { FeaturebaseWebhooksService } from './featurebase-webhooks.service';

/** The Featurebase-compatible `/v2/webhooks` resource, mounted under `/featurebase`. */
@ApiTags('featurebase')
@ApiHeader({
  name: VERSION_HEADER,
  required: false,
  enum: FEATUREBASE_VERSIONS,
  description:
    'API version; defaults to the organization’s configured version (2026-01-01.nova unless set).',
})
@ApiBadRequestResponse({
  description: 'Invalid request: `{error: {type, code, message, param, status}}`.',
})
@ApiNotFoundResponse({ description: 'No such webhook in this organization.' })
@UseFilters(FeaturebaseErrorFilter)
@UseInterceptors(FeaturebaseVersionInterceptor)
@ActsForOrganization()
@Controller('featurebase/v2/webhooks')
export class FeaturebaseWebhooksController {
  constructor(
    @Inject(FeaturebaseWebhooksService) private readonly webhooks: FeaturebaseWebhooksService,
  ) {}

  @Get()
  @RequirePermission('WEBHOOK.READ')
  @ApiOperation({ summary: 'List webhooks (cursor-paginated, oldest first)' })
  @ApiOkResponse({ type: WebhookListDto })
  list(@OrgId() org: string, @Query() query: ListWebhooksQueryDto): Promise<WebhookListDto> {
    return this.webhooks.list(org, query);
  }

  @Post()
  @RequirePermission('WEBHOOK.CREATE')
  @ApiOperation({ summary: 'Create a webhook' })
  @ApiCreatedResponse({ type: WebhookDto })
  @ApiUnprocessableEntityResponse({ description: 'A topic is not in the catalogue.' })
  create(@OrgId() org: string, @Body() body: CreateWebhookDto): Promise<WebhookDto> {
    return this.webhooks.create(org, body);
  }

  @Get(':id')
  @RequirePermission('WEBHOOK.READ')
  @ApiOperation({ summary: 'Get a webhook by id' })
  @ApiOkResponse({ type: WebhookDto })
  get(@OrgId() org: string, @Param('id', ObjectIdPipe) id: string): Promise<WebhookDto> {
    return this.webhooks.get(org, id);
  }

  @Patch(':id')
  @RequirePermission('WEBHOOK.UPDATE')
  @ApiOperation({ summary: 'Update a webhook (partial); `status: active` resets health' })
  @ApiOkResponse({ type: WebhookDto })
  update(
    @OrgId() org: string,
    @Param('id', ObjectIdPipe) id: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<WebhookDto> {
    return this.webhooks.update(org, id, body);
  }

  @Delete(':id')
  @RequirePermission('WEBHOOK.DELETE')
  @ApiOperation({ summary: 'Delete a webhook' })
  @ApiOkResponse({ type: DeletedWebhookDto })
  delete(@OrgId() org: string, @Param('id', ObjectIdPipe) id: string): Promise<DeletedWebhookDto> {
    return this.webhooks.delete(org, id);
  }

  @Post(':id/secret')
  @HttpCode(200)
  @RequirePermission('WEBHOOK.UPDATE')
  @ApiOperation({ summary: 'Refresh the signing secret; the previous one stops working at once' })
  @ApiOkResponse({ type: WebhookDto })
  refreshSecret(@OrgId() org: string, @Param('id', ObjectIdPipe) id: string): Promise<WebhookDto> {
    return this.webhooks.refreshSecret(org, id);
  }
}

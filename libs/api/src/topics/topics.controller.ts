import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TopicCatalogue } from '@hookyard/webhook-core';
import { PortalAccessible, RequirePermission } from '../auth/guards';
import { TopicListDto } from './dto/topic.dto';
import { ActsForOrganization } from '../tenancy/acting-for.interceptor';

@ApiTags('topics')
@ActsForOrganization()
@Controller('v1/topics')
export class TopicsController {
  constructor(@Inject(TopicCatalogue) private readonly catalogue: TopicCatalogue) {}

  @Get()
  @RequirePermission('WEBHOOK.READ')
  @PortalAccessible()
  @ApiOperation({ summary: 'List the topic catalogue' })
  @ApiOkResponse({ type: TopicListDto })
  list(): TopicListDto {
    return { data: [...this.catalogue.list()] };
  }
}

import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrgId } from '../auth/auth-context';
import { RequirePermission } from '../auth/guards';
import { PublishedEventDto, PublishEventDto } from './dto/event.dto';
import { EventsService } from './events.service';

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(@Inject(EventsService) private readonly events: EventsService) {}

  @Post()
  @HttpCode(202)
  @RequirePermission('EVENT.PUBLISH')
  @ApiOperation({ summary: 'Publish an event to every endpoint subscribed to its topic' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Replays return the first result; another body with the same key is a 422.',
  })
  @ApiAcceptedResponse({ type: PublishedEventDto })
  publish(
    @OrgId() organizationId: string,
    @Body() body: PublishEventDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<PublishedEventDto> {
    return this.events.publish(organizationId, { ...body, idempotencyKey });
  }
}

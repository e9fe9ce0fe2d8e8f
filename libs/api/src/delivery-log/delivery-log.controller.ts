import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrgId } from '../auth/auth-context';
import { RequirePermission } from '../auth/guards';
import { pageLimit } from '../common/keyset-cursor';
import { ObjectIdPipe } from '../common/validation';
import { DeliveryLogService } from './delivery-log.service';
import {
  AttemptPageDto,
  DeliveryListDto,
  DeliveryPageDto,
  DeliveryPageQueryDto,
  EventDto,
  PageQueryDto,
  RecoverDto,
  RecoveredDto,
  RetriedDto,
  toAttemptDto,
  toDeliveryDto,
  toEventDto,
} from './dto/delivery-log.dto';
import { TestSendDto, TestSendResultDto } from './dto/test-send.dto';
import { TestSendService, type TestSendResult } from './test-send.service';

const MAX_PAGE = 200;

/** The delivery log: what was sent, what came back; test sends, retry and recover. */
@ApiTags('delivery log')
@Controller('v1')
export class DeliveryLogController {
  constructor(
    @Inject(DeliveryLogService) private readonly log: DeliveryLogService,
    @Inject(TestSendService) private readonly tests: TestSendService,
  ) {}

  @Get('endpoints/:id/attempts')
  @RequirePermission('WEBHOOK.READ')
  @ApiOperation({
    summary: 'Delivery attempts of an endpoint, newest first (limit default 50, max 200)',
  })
  @ApiOkResponse({ type: AttemptPageDto })
  async attempts(
    @OrgId() org: string,
    @Param('id', ObjectIdPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<AttemptPageDto> {
    const page = await this.log.attempts(org, id, pageLimit(query.limit, MAX_PAGE), query.cursor);
    return { data: page.data.map(toAttemptDto), nextCursor: page.nextCursor };
  }

  @Get('endpoints/:id/deliveries')
  @RequirePermission('WEBHOOK.READ')
  @ApiOperation({ summary: 'Deliveries to an endpoint, newest first' })
  @ApiOkResponse({ type: DeliveryPageDto })
  async endpointDeliveries(
    @OrgId() org: string,
    @Param('id', ObjectIdPipe) id: string,
    @Query() query: DeliveryPageQueryDto,
  ): Promise<DeliveryPageDto> {
    const page = await this.log.deliveriesOfEndpoint(
      org,
      id,
      pageLimit(query.limit, MAX_PAGE),
      query.cursor,
      query.status,
    );
    return { data: page.data.map(toDeliveryDto), nextCursor: page.nextCursor };
  }

  @Post('endpoints/:id/test')
  @HttpCode(200)
  @RequirePermission('WEBHOOK.UPDATE')
  @ApiOperation({
    summary:
      'Send a test message now and return what the receiver answered (never counts toward health)',
  })
  @ApiOkResponse({ type: TestSendResultDto })
  test(
    @OrgId() org: string,
    @Param('id', ObjectIdPipe) id: string,
    @Body() body: TestSendDto,
  ): Promise<TestSendResult> {
    return this.tests.send(org, id, body);
  }

  @Post('endpoints/:id/recover')
  @HttpCode(202)
  @RequirePermission('WEBHOOK.UPDATE')
  @ApiOperation({ summary: 'Requeue the endpoint’s failed deliveries since a time' })
  @ApiAcceptedResponse({ type: RecoveredDto })
  async recover(
    @OrgId() org: string,
    @Param('id', ObjectIdPipe) id: string,
    @Body() body: RecoverDto,
  ): Promise<RecoveredDto> {
    return { recovered: await this.log.recover(org, id, new Date(body.since)) };
  }

  @Post('deliveries/:id/retry')
  @HttpCode(202)
  @RequirePermission('WEBHOOK.UPDATE')
  @ApiOperation({ summary: 'Send a delivery again now (same webhook-id)' })
  @ApiAcceptedResponse({ type: RetriedDto })
  async retry(@OrgId() org: string, @Param('id', ObjectIdPipe) id: string): Promise<RetriedDto> {
    const delivery = await this.log.retry(org, id);
    return { id: delivery.id, status: 'pending' };
  }

  @Get('events/:id')
  @RequirePermission('EVENT.READ')
  @ApiOperation({ summary: 'Get an event' })
  @ApiOkResponse({ type: EventDto })
  async event(@OrgId() org: string, @Param('id', ObjectIdPipe) id: string): Promise<EventDto> {
    return toEventDto(await this.log.event(org, id));
  }

  @Get('events/:id/deliveries')
  @RequirePermission('EVENT.READ')
  @ApiOperation({ summary: 'The deliveries of an event, one per endpoint' })
  @ApiOkResponse({ type: DeliveryListDto })
  async eventDeliveries(
    @OrgId() org: string,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<DeliveryListDto> {
    return { data: (await this.log.deliveriesOfEvent(org, id)).map(toDeliveryDto) };
  }
}

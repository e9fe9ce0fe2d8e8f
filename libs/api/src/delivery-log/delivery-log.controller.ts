import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, OrgId } from '../auth/auth-context';
import { PortalAccessible, RequirePermission } from '../auth/guards';
import { grants } from '../auth/permissions';
import { pageLimit } from '../common/keyset-cursor';
import { ApiProblemResponse } from '../common/problem-response';
import { ObjectIdPipe } from '../common/validation';
import { DeliveryLogService } from './delivery-log.service';
import {
  AttemptPageDto,
  DeliveryListDto,
  DeliveryPageDto,
  DeliveryPageQueryDto,
  EndpointStatsDto,
  EventDto,
  PageQueryDto,
  RecoverDto,
  RecoveredDto,
  RetriedDto,
  StatsQueryDto,
  toAttemptDto,
  toDeliveryDto,
  toEventDto,
  toStatsBucketDto,
} from './dto/delivery-log.dto';
import { TestSendDto, TestSendResultDto } from './dto/test-send.dto';
import { scopeOf } from './endpoint-scope';
import { TestSendService, type TestSendResult } from './test-send.service';
import { ActsForOrganization, ApiNotFoundIn } from '../tenancy/acting-for.interceptor';

const MAX_PAGE = 200;
const optionalDate = (value: string | undefined) =>
  value === undefined ? undefined : new Date(value);

/**
 * The delivery log: what was sent, what came back; statistics, test sends, retry and recover. Open to
 * portal sessions, which see only their endpoints.
 */
@ApiTags('delivery log')
@ActsForOrganization()
@Controller('v1')
export class DeliveryLogController {
  constructor(
    @Inject(DeliveryLogService) private readonly log: DeliveryLogService,
    @Inject(TestSendService) private readonly tests: TestSendService,
  ) {}

  @Get('endpoints/:id/attempts')
  @RequirePermission('WEBHOOK.READ')
  @PortalAccessible()
  @ApiOperation({
    summary: 'Delivery attempts of an endpoint, newest first (limit default 50, max 200)',
  })
  @ApiOkResponse({ type: AttemptPageDto })
  @ApiNotFoundIn('endpoint')
  async attempts(
    @OrgId() org: string,
    @Auth() auth: AuthContext | undefined,
    @Param('id', ObjectIdPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<AttemptPageDto> {
    const limit = pageLimit(query.limit, MAX_PAGE);
    const page = await this.log.attempts(org, scopeOf(auth), id, limit, query.cursor);
    return { data: page.data.map(toAttemptDto), nextCursor: page.nextCursor };
  }

  @Get('deliveries/:id/attempts')
  @RequirePermission('WEBHOOK.READ')
  @PortalAccessible()
  @ApiOperation({
    summary: 'Attempts of a delivery, newest first (limit default 50, max 200)',
  })
  @ApiOkResponse({ type: AttemptPageDto })
  @ApiNotFoundIn('delivery')
  async deliveryAttempts(
    @OrgId() org: string,
    @Auth() auth: AuthContext | undefined,
    @Param('id', ObjectIdPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<AttemptPageDto> {
    const limit = pageLimit(query.limit, MAX_PAGE);
    const page = await this.log.attemptsOfDelivery(org, scopeOf(auth), id, limit, query.cursor);
    return { data: page.data.map(toAttemptDto), nextCursor: page.nextCursor };
  }

  @Get('endpoints/:id/deliveries')
  @RequirePermission('WEBHOOK.READ')
  @PortalAccessible()
  @ApiOperation({
    summary:
      'Deliveries to an endpoint, newest first, optionally by status, creation time and topic (pass the same filters with `cursor`)',
  })
  @ApiOkResponse({ type: DeliveryPageDto })
  @ApiProblemResponse(422, '`until` is before `since` (`RANGE_INVALID`).')
  @ApiNotFoundIn('endpoint')
  async endpointDeliveries(
    @OrgId() org: string,
    @Auth() auth: AuthContext | undefined,
    @Param('id', ObjectIdPipe) id: string,
    @Query() query: DeliveryPageQueryDto,
  ): Promise<DeliveryPageDto> {
    const page = await this.log.deliveriesOfEndpoint(
      org,
      scopeOf(auth),
      id,
      pageLimit(query.limit, MAX_PAGE),
      query.cursor,
      {
        status: query.status,
        since: optionalDate(query.since),
        until: optionalDate(query.until),
        topic: query.topic,
      },
    );
    return { data: page.data.map(toDeliveryDto), nextCursor: page.nextCursor };
  }

  @Get('endpoints/:id/stats')
  @RequirePermission('WEBHOOK.READ')
  @PortalAccessible()
  @ApiOperation({
    summary:
      'Delivery attempts of an endpoint per minute, hour or day: counts, success rate and response times, every bucket present',
  })
  @ApiOkResponse({ type: EndpointStatsDto })
  @ApiProblemResponse(
    422,
    '`until` is before `since`, or the range holds more than 500 buckets (`RANGE_INVALID`).',
  )
  @ApiNotFoundIn('endpoint')
  async stats(
    @OrgId() org: string,
    @Auth() auth: AuthContext | undefined,
    @Param('id', ObjectIdPipe) id: string,
    @Query() query: StatsQueryDto,
  ): Promise<EndpointStatsDto> {
    const stats = await this.log.stats(
      org,
      scopeOf(auth),
      id,
      { since: optionalDate(query.since), until: optionalDate(query.until), bucket: query.bucket },
      new Date(),
    );
    return { bucket: stats.bucket, data: stats.data.map(toStatsBucketDto) };
  }

  @Post('endpoints/:id/test')
  @HttpCode(200)
  @RequirePermission('WEBHOOK.UPDATE')
  @PortalAccessible()
  @ApiOperation({
    summary:
      'Send a test message now and return what the receiver answered (never counts toward health); it carries `X-Hookyard-Test: true`',
  })
  @ApiOkResponse({ type: TestSendResultDto })
  @ApiProblemResponse(
    403,
    '`TEST_SEND_NOT_ALLOWED`: another topic than `webhook.test`, or any `data`, without EVENT.PUBLISH.',
  )
  @ApiProblemResponse(422, '`topic` is not in the catalogue (`TOPIC_UNKNOWN`).')
  @ApiNotFoundIn('endpoint')
  test(
    @OrgId() org: string,
    @Auth() auth: AuthContext | undefined,
    @Param('id', ObjectIdPipe) id: string,
    @Body() body: TestSendDto,
  ): Promise<TestSendResult> {
    return this.tests.send(
      org,
      id,
      body,
      scopeOf(auth),
      grants(auth?.permissions ?? [], 'EVENT.PUBLISH'),
    );
  }

  @Post('endpoints/:id/recover')
  @HttpCode(202)
  @RequirePermission('WEBHOOK.UPDATE')
  @PortalAccessible()
  @ApiOperation({ summary: 'Requeue the endpoint’s failed deliveries since a time' })
  @ApiAcceptedResponse({ type: RecoveredDto })
  @ApiNotFoundIn('endpoint')
  async recover(
    @OrgId() org: string,
    @Auth() auth: AuthContext | undefined,
    @Param('id', ObjectIdPipe) id: string,
    @Body() body: RecoverDto,
  ): Promise<RecoveredDto> {
    return { recovered: await this.log.recover(org, scopeOf(auth), id, new Date(body.since)) };
  }

  @Post('deliveries/:id/retry')
  @HttpCode(202)
  @RequirePermission('WEBHOOK.UPDATE')
  @PortalAccessible()
  @ApiOperation({ summary: 'Send a delivery again now (same webhook-id)' })
  @ApiAcceptedResponse({ type: RetriedDto })
  @ApiNotFoundIn('delivery')
  @ApiProblemResponse(
    409,
    'The endpoint is not active (reactivate it first), or the delivery is being sent right now (`CONFLICT`).',
  )
  async retry(
    @OrgId() org: string,
    @Auth() auth: AuthContext | undefined,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<RetriedDto> {
    const delivery = await this.log.retry(org, scopeOf(auth), id);
    return { id: delivery.id, status: 'pending' };
  }

  @Get('events/:id')
  @RequirePermission('EVENT.READ')
  @PortalAccessible()
  @ApiOperation({ summary: 'Get an event' })
  @ApiOkResponse({ type: EventDto })
  @ApiNotFoundIn('event')
  async event(
    @OrgId() org: string,
    @Auth() auth: AuthContext | undefined,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<EventDto> {
    return toEventDto(await this.log.event(org, scopeOf(auth), id));
  }

  @Get('events/:id/deliveries')
  @RequirePermission('EVENT.READ')
  @PortalAccessible()
  @ApiOperation({ summary: 'The deliveries of an event, one per endpoint' })
  @ApiOkResponse({ type: DeliveryListDto })
  @ApiNotFoundIn('event')
  async eventDeliveries(
    @OrgId() org: string,
    @Auth() auth: AuthContext | undefined,
    @Param('id', ObjectIdPipe) id: string,
  ): Promise<DeliveryListDto> {
    return { data: (await this.log.deliveriesOfEvent(org, scopeOf(auth), id)).map(toDeliveryDto) };
  }
}

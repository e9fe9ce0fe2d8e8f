import {
  Body,
  Controller,
  createParamDecorator,
  type ExecutionContext,
  HttpCode,
  Inject,
  Post,
} from '@nestjs/common';
import { type Request } from 'express';
import {
  ApiAcceptedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { OrgId } from '../auth/auth-context';
import { PortalAccessible, RequirePermission } from '../auth/guards';
import { ApiProblemResponse } from '../common/problem-response';
import { MAX_BATCH_EVENTS, PublishedBatchDto, PublishEventBatchDto } from './dto/event-batch.dto';
import { PublishedEventDto, PublishEventDto } from './dto/event.dto';
import { EventsService } from './events.service';
import { traceIngest, traceIngestBatch } from './ingest-span';
import { ActsForOrganization } from '../tenancy/acting-for.interceptor';

/**
 * The optional `Idempotency-Key` header. Read through its own decorator, not `@Headers()`, which the
 * OpenAPI plugin would document as a second, required header beside the one `@ApiHeader` describes.
 */
const IdempotencyKey = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined => {
    const value = context.switchToHttp().getRequest<Request>().headers['idempotency-key'];
    return typeof value === 'string' ? value : undefined;
  },
);

@ApiTags('events')
@ActsForOrganization()
@Controller('v1/events')
export class EventsController {
  constructor(@Inject(EventsService) private readonly events: EventsService) {}

  @Post()
  @HttpCode(202)
  @RequirePermission('EVENT.PUBLISH')
  @PortalAccessible({ wholeOrganization: true })
  @ApiOperation({ summary: 'Publish an event to every endpoint subscribed to its topic' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Replays return the first result; another body with the same key is a 422.',
  })
  @ApiAcceptedResponse({ type: PublishedEventDto })
  @ApiProblemResponse(
    409,
    'A request with the same `Idempotency-Key` is still running (`CONFLICT`): retry it.',
  )
  @ApiProblemResponse(
    422,
    'The topic is not in the catalogue (`TOPIC_UNKNOWN`), or `Idempotency-Key` was used with another body (`IDEMPOTENCY_KEY_REUSED`).',
  )
  publish(
    @OrgId() organizationId: string,
    @Body() body: PublishEventDto,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<PublishedEventDto> {
    return traceIngest(() => this.events.publish(organizationId, { ...body, idempotencyKey }));
  }

  /**
   * Answers `200` with one result per event, like EventBridge's `PutEvents` (Svix, Convoy and Hook0
   * have no batch ingest to follow): an event that fails its own checks (unknown topic, bad or reused
   * key) is answered `{index, error}` while the rest are committed, so a client retries only those.
   * A malformed request (not 1 to 100 events, a missing or mistyped field) is a 400 for the whole.
   */
  @Post('batch')
  @HttpCode(200)
  @RequirePermission('EVENT.PUBLISH')
  @PortalAccessible({ wholeOrganization: true })
  @ApiOperation({
    summary: `Publish up to ${MAX_BATCH_EVENTS} events in one request, each answered on its own`,
    description:
      'Each event is treated as `POST /v1/events` would treat it, with `idempotencyKey` in place of ' +
      'the header. The events that pass their checks are committed together before the answer; one ' +
      'that does not is answered with `{index, error}` (the status and problem code the single ' +
      'route would have answered) and does not hold the others back. Within one request the first ' +
      'event with a key takes it; later ones with that key replay it. A body that is not 1 to ' +
      `${MAX_BATCH_EVENTS} well-formed events is a 400 and stores nothing; the body limit ` +
      '(`HOOKYARD_MAX_BODY_BYTES`, 1 MB by default) holds for the whole batch (413).',
  })
  @ApiOkResponse({
    type: PublishedBatchDto,
    description: 'One result per event, in request order; the accepted events are committed.',
  })
  async publishBatch(
    @OrgId() organizationId: string,
    @Body() body: PublishEventBatchDto,
  ): Promise<PublishedBatchDto> {
    return {
      data: await traceIngestBatch(() => this.events.publishBatch(organizationId, body.events)),
    };
  }
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type AttemptEntity, type DeliveryEntity, type EventEntity } from '@hookyard/data-access';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString } from 'class-validator';

export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Page size (1-200, default 50).', example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export class DeliveryPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only deliveries in this status.',
    enum: ['pending', 'succeeded', 'failed'],
  })
  @IsOptional()
  @IsIn(['pending', 'succeeded', 'failed'])
  status?: 'pending' | 'succeeded' | 'failed';
}

export class RecoverDto {
  @ApiProperty({
    description: 'Requeue failed deliveries created at or after this time (ISO 8601).',
    example: '2026-11-24T00:00:00Z',
  })
  @IsISO8601({ strict: true })
  since!: string;
}

export class AttemptDto {
  @ApiProperty({ description: '24-hex id.' }) id!: string;
  @ApiProperty({ description: 'The endpoint the attempt went to.' }) endpointId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Null for test sends.' }) deliveryId!:
    string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The event (the `webhook-id`); null for test sends.',
  })
  eventId!: string | null;
  @ApiProperty({
    enum: ['scheduled', 'manual', 'test'],
    description: 'What made the attempt: the schedule, a manual retry, or a test send.',
  })
  trigger!: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'HTTP status; null when no response came.',
  })
  statusCode!: number | null;
  @ApiProperty({
    description: 'Milliseconds from the request to the end of the response (or the error).',
  })
  durationMs!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Why it failed: timeout, connect, dns, tls, ssrf_blocked, protocol, http_status, or internal (Hookyard could not prepare the request; nothing was sent); null on success.',
  })
  errorClass!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'What went wrong; null on success.' })
  errorMessage!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The start of the response body.' })
  responseExcerpt!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Request headers, credentials redacted.',
  })
  requestHeaders!: Record<string, string>;
  @ApiProperty({ description: 'When the attempt was made.' }) createdAt!: string;
}

export class AttemptPageDto {
  @ApiProperty({ type: [AttemptDto], description: 'Newest first.' }) data!: AttemptDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}

export class DeliveryDto {
  @ApiProperty({ description: '24-hex id.' }) id!: string;
  @ApiProperty({ description: 'The event delivered (the `webhook-id`).' }) eventId!: string;
  @ApiProperty({ description: 'The endpoint it goes to.' }) endpointId!: string;
  @ApiProperty({
    enum: ['pending', 'succeeded', 'failed'],
    description: 'Pending until an attempt succeeds or the delivery fails for good.',
  })
  status!: string;
  @ApiProperty({ description: 'Attempts made so far.' }) attemptCount!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'When the next attempt is due, while the delivery is pending.',
  })
  nextAttemptAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'When the last attempt was made; null before the first.',
  })
  lastAttemptAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'When the delivery succeeded or failed for good; null while pending.',
  })
  completedAt!: string | null;
  @ApiProperty({ description: 'Creation time.' }) createdAt!: string;
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto], description: 'Newest first.' }) data!: DeliveryDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}

export class DeliveryListDto {
  @ApiProperty({ type: [DeliveryDto], description: 'One delivery per endpoint.' })
  data!: DeliveryDto[];
}

export class EventDto {
  @ApiProperty({ description: 'Also the `webhook-id` of its deliveries.' }) id!: string;
  @ApiProperty({ description: 'The topic it was published to.' }) topic!: string;
  @ApiProperty({ description: 'The event data.' }) data!: unknown;
  @ApiProperty({ nullable: true, description: 'The previous data, if given.' })
  previousData!: unknown;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The `Idempotency-Key` it was published with, if any.',
  })
  idempotencyKey!: string | null;
  @ApiProperty({ description: 'When it was published.' }) createdAt!: string;
}

export class RetriedDto {
  @ApiProperty({ description: 'The delivery sent again.' }) id!: string;
  @ApiProperty({ enum: ['pending'], description: 'Always `pending`: the next attempt is due now.' })
  status!: 'pending';
}

export class RecoveredDto {
  @ApiProperty({ description: 'Failed deliveries requeued.' }) recovered!: number;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function toAttemptDto(attempt: AttemptEntity): AttemptDto {
  return {
    id: attempt.id,
    endpointId: attempt.endpointId,
    deliveryId: attempt.deliveryId,
    eventId: attempt.eventId,
    trigger: attempt.trigger,
    statusCode: attempt.statusCode,
    durationMs: attempt.durationMs,
    errorClass: attempt.errorClass,
    errorMessage: attempt.errorMessage,
    responseExcerpt: attempt.responseExcerpt,
    requestHeaders: attempt.requestHeaders,
    createdAt: attempt.createdAt.toISOString(),
  };
}

export function toDeliveryDto(delivery: DeliveryEntity): DeliveryDto {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    endpointId: delivery.endpointId,
    status: delivery.status,
    attemptCount: delivery.attemptCount,
    nextAttemptAt: iso(delivery.nextAttemptAt),
    lastAttemptAt: iso(delivery.lastAttemptAt),
    completedAt: iso(delivery.completedAt),
    createdAt: delivery.createdAt.toISOString(),
  };
}

export function toEventDto(event: EventEntity): EventDto {
  return {
    id: event.id,
    topic: event.topic,
    data: event.data,
    previousData: event.previousData ?? null,
    idempotencyKey: event.idempotencyKey,
    createdAt: event.createdAt.toISOString(),
  };
}

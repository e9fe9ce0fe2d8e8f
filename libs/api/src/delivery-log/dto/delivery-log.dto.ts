import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type AttemptBucket, type AttemptEntity, type EventEntity } from '@hookyard/data-access';
import { isTopicName, REDACTED, redactHeaders } from '@hookyard/webhook-core';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, ValidateBy } from 'class-validator';
import { type ListedDelivery } from '../delivery-log.service';
import { MAX_STATS_BUCKETS, STATS_BUCKETS, type StatsBucket } from '../stats-window';

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

  @ApiPropertyOptional({
    description: 'Only deliveries created at or after this time (ISO 8601).',
    example: '2026-11-24T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({
    description:
      'Only deliveries created at or before this time (ISO 8601); not before `since` (422).',
    example: '2026-11-25T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;

  @ApiPropertyOptional({
    description: 'Only deliveries of events with exactly this topic.',
    example: 'post.created',
  })
  @IsOptional()
  @ValidateBy({
    name: 'isTopicName',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isTopicName(value),
      defaultMessage: () => 'must be a topic name, e.g. post.created',
    },
  })
  topic?: string;
}

export class StatsQueryDto {
  @ApiPropertyOptional({
    description:
      'Start of the range (ISO 8601); the first bucket is the one holding it. Default: a day before `until`.',
    example: '2026-11-24T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({
    description:
      'End of the range (ISO 8601), not before `since` (422); the last bucket is the one holding it. Default: now.',
    example: '2026-11-25T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;

  @ApiPropertyOptional({
    description: `Bucket width, aligned to UTC (default \`hour\`); at most ${MAX_STATS_BUCKETS} buckets in the range (422).`,
    enum: STATS_BUCKETS,
  })
  @IsOptional()
  @IsIn(STATS_BUCKETS)
  bucket?: StatsBucket;
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
    description:
      'The request headers sent, with the values of credentials and signatures shown as `[redacted]`.',
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

export class StatsBucketDto {
  @ApiProperty({ description: 'Start of the bucket (ISO 8601).' }) start!: string;
  @ApiProperty({ description: 'Delivery attempts made in the bucket (test sends left out).' })
  attempts!: number;
  @ApiProperty({ description: 'Attempts answered with a 2xx.' }) successes!: number;
  @ApiProperty({ description: 'Attempts that failed: another status, or no answer.' })
  failures!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Successes over attempts, from 0 to 1; null without attempts.',
  })
  successRate!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Median attempt duration in milliseconds; null without attempts.',
  })
  p50Ms!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: '95th percentile of the attempt durations in milliseconds; null without attempts.',
  })
  p95Ms!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Mean attempt duration in milliseconds; null without attempts.',
  })
  avgMs!: number | null;
}

export class EndpointStatsDto {
  @ApiProperty({ enum: STATS_BUCKETS, description: 'The bucket width.' }) bucket!: StatsBucket;
  @ApiProperty({
    type: [StatsBucketDto],
    description: 'Every bucket of the range, oldest first; empty ones with 0 attempts.',
  })
  data!: StatsBucketDto[];
}

export class DeliveryDto {
  @ApiProperty({ description: '24-hex id.' }) id!: string;
  @ApiProperty({ description: 'The event delivered (the `webhook-id`).' }) eventId!: string;
  @ApiProperty({ description: 'The topic of the event.', example: 'post.created' }) topic!: string;
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
    requestHeaders: shownHeaders(attempt.requestHeaders),
    createdAt: attempt.createdAt.toISOString(),
  };
}

/**
 * The request headers of an attempt as the API shows them: the attempt log stores them with
 * credentials redacted; signatures are redacted here too (they stay valid for a while after sending).
 */
function shownHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const redacted = redactHeaders(headers);
  for (const name of Object.keys(redacted)) {
    if (name.toLowerCase().includes('signature')) redacted[name] = REDACTED;
  }
  return redacted;
}

export function toStatsBucketDto(bucket: AttemptBucket): StatsBucketDto {
  return {
    start: bucket.start.toISOString(),
    attempts: bucket.attempts,
    successes: bucket.successes,
    failures: bucket.failures,
    successRate: bucket.attempts === 0 ? null : bucket.successes / bucket.attempts,
    p50Ms: bucket.p50Ms,
    p95Ms: bucket.p95Ms,
    avgMs: bucket.avgMs,
  };
}

export function toDeliveryDto({ delivery, topic }: ListedDelivery): DeliveryDto {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    topic,
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

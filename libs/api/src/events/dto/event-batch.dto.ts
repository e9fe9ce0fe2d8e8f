import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  IsString,
  ValidateNested,
} from 'class-validator';
import { FieldErrorDto } from '../../common/dto/problem.dto';
import { PublishEventDto } from './event.dto';

/** The most events one `POST /v1/events/batch` takes. */
export const MAX_BATCH_EVENTS = 100;

export class BatchEventDto extends PublishEventDto {
  @ApiPropertyOptional({
    description:
      'This event’s idempotency key (what `Idempotency-Key` is to `POST /v1/events`, and the same keys): ' +
      'a repeat answers the first result; another body with the key answers that item `IDEMPOTENCY_KEY_REUSED`. ' +
      'No key, or `null`, makes a new event every time.',
    type: String,
    nullable: true,
    maxLength: 255,
    example: 'post-p_1-created',
  })
  @IsOptional()
  @IsString()
  idempotencyKey?: string | null;
}

export class PublishEventBatchDto {
  @ApiProperty({
    description: `The events, 1 to ${MAX_BATCH_EVENTS}; each is answered on its own, at its index.`,
    type: [BatchEventDto],
    minItems: 1,
    maxItems: MAX_BATCH_EVENTS,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_EVENTS)
  @ValidateNested({ each: true })
  @Type(() => BatchEventDto)
  events!: BatchEventDto[];
}

export class BatchItemErrorDto {
  @ApiProperty({
    description: 'The status `POST /v1/events` would have answered for this event alone.',
    example: 422,
  })
  status!: number;

  @ApiProperty({
    description:
      'The problem code, as on a problem document: `TOPIC_UNKNOWN`, `VALIDATION_FAILED`, ' +
      '`IDEMPOTENCY_KEY_REUSED`, or `CONFLICT` (the key is held by a request still running: retry it).',
    example: 'TOPIC_UNKNOWN',
  })
  code!: string;

  @ApiProperty({ description: 'A human-readable explanation.' }) detail!: string;

  @ApiProperty({ description: 'The fields at fault.', type: [FieldErrorDto] })
  errors!: FieldErrorDto[];
}

export class BatchItemResultDto {
  @ApiProperty({ description: 'The event’s index in the request’s `events`.', example: 0 })
  index!: number;

  @ApiPropertyOptional({
    description: 'Event id (also the `webhook-id` of every delivery); absent when `error` is set.',
  })
  id?: string;

  @ApiPropertyOptional({
    description: 'Deliveries made, one per matching endpoint; absent when `error` is set.',
  })
  deliveries?: number;

  @ApiPropertyOptional({
    description: 'Why this event was not accepted; nothing of it was stored.',
    type: BatchItemErrorDto,
  })
  error?: BatchItemErrorDto;
}

export class PublishedBatchDto {
  @ApiProperty({
    description:
      'One result per event, in request order: `{index, id, deliveries}` or `{index, error}`.',
    type: [BatchItemResultDto],
  })
  data!: BatchItemResultDto[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ description: 'The field, e.g. `events.3.topic`.' }) path!: string;
  @ApiProperty({ description: 'What is wrong with it.' }) message!: string;
  @ApiPropertyOptional({ description: 'A field-level code, e.g. `TOPIC_UNKNOWN`.' }) code?: string;
}

/** The body of every native error answer: an RFC 9457 problem document (`application/problem+json`). */
export class ProblemDto {
  @ApiProperty({
    description: 'A URI naming the problem type, one per code.',
    example: 'https://hookyard.dev/problems/validation-failed',
  })
  type!: string;

  @ApiProperty({ description: 'The HTTP status’s reason phrase.', example: 'Bad Request' })
  title!: string;

  @ApiProperty({ description: 'The HTTP status.', example: 400 })
  status!: number;

  @ApiProperty({ description: 'A human-readable explanation.', example: 'url: must be a URL' })
  detail!: string;

  @ApiProperty({
    description:
      'What went wrong, for programs: `VALIDATION_FAILED`, `NOT_FOUND`, `RATE_LIMITED`, …',
    example: 'VALIDATION_FAILED',
  })
  code!: string;

  @ApiProperty({ description: 'The fields at fault; empty when none is.', type: [FieldErrorDto] })
  errors!: FieldErrorDto[];

  @ApiPropertyOptional({
    description:
      'The request’s id, as in the logs; absent for a request refused before one was given (a body that is not JSON).',
  })
  requestId?: string;

  @ApiPropertyOptional({
    description:
      '`PORTAL_SESSION_EXPIRED` only: where to get a new portal session, if the session named one.',
    type: String,
    nullable: true,
  })
  refreshUrl?: string | null;
}

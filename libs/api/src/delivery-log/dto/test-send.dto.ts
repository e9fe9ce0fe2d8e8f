import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

export class TestSendDto {
  @ApiPropertyOptional({
    description:
      'Topic of the test message (default `webhook.test`); another topic needs EVENT.PUBLISH.',
    example: 'webhook.test',
  })
  @IsOptional()
  @IsString()
  topic?: string;

  @ApiPropertyOptional({
    description: 'Data of the test message (default a short greeting); needs EVENT.PUBLISH.',
  })
  @IsOptional()
  data?: unknown;
}

export class TestSendResultDto {
  @ApiProperty({ description: 'Whether the receiver answered 2xx.' }) success!: boolean;
  @ApiPropertyOptional({ description: 'The receiver’s HTTP status.' }) status?: number;
  @ApiProperty({
    description: 'Milliseconds from the request to the end of the response (or the error).',
  })
  durationMs!: number;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'The receiver’s response headers; absent when its address is not public (reached through an outbound allow-list or local mode).',
  })
  headers?: Record<string, string>;
  @ApiPropertyOptional({
    description:
      'The start of the receiver’s body; absent when its address is not public (reached through an outbound allow-list or local mode).',
  })
  body?: string;
  @ApiPropertyOptional({ description: 'Why no response came: `{class, message}`.' }) error?: {
    class: string;
    message: string;
  };
}

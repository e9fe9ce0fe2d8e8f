import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

export class TestSendDto {
  @ApiPropertyOptional({
    description: 'Topic of the test message (default `webhook.test`).',
    example: 'webhook.test',
  })
  @IsOptional()
  @IsString()
  topic?: string;

  @ApiPropertyOptional({ description: 'Data of the test message (default a short greeting).' })
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
    description: 'The receiver’s response headers.',
  })
  headers?: Record<string, string>;
  @ApiPropertyOptional({ description: 'The start of the receiver’s body.' }) body?: string;
  @ApiPropertyOptional({ description: 'Why no response came: `{class, message}`.' }) error?: {
    class: string;
    message: string;
  };
}

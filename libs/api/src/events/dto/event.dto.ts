import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString } from 'class-validator';

export class PublishEventDto {
  @ApiProperty({ description: 'A topic of the catalogue.', example: 'post.created' })
  @IsString()
  topic!: string;

  @ApiProperty({
    description: 'The event data (any JSON value).',
    example: { id: 'p_1', title: 'Hello' },
  })
  @IsDefined()
  data!: unknown;

  @ApiPropertyOptional({
    description: 'The resource as it was before the change (sent to endpoints that ask for it).',
  })
  @IsOptional()
  previousData?: unknown;
}

export class PublishedEventDto {
  @ApiProperty({ description: 'Event id; also the `webhook-id` of every delivery.' }) id!: string;
  @ApiProperty({ description: 'Deliveries made, one per matching endpoint.' }) deliveries!: number;
}

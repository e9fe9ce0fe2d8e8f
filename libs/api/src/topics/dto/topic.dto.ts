import { ApiProperty } from '@nestjs/swagger';

export class TopicListDto {
  @ApiProperty({ type: [String], description: 'Every topic an endpoint may subscribe to.' })
  data!: string[];
}

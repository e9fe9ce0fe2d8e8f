import { ApiProperty } from '@nestjs/swagger';
import { type OrganizationEntity } from '@hookyard/data-access';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, MaxLength } from 'class-validator';
import { MAX_PORTAL_ORIGINS } from '../portal-origins.util';

export class OrganizationDto {
  @ApiProperty({ description: '24-hex id.' }) id!: string;
  @ApiProperty({ description: 'The organization’s name.' }) name!: string;
  @ApiProperty({
    description:
      'Origins that may embed the tenant portal in an iframe (its `frame-ancestors`); empty = none.',
    type: [String],
  })
  portalAllowedOrigins!: string[];
}

export class UpdateOrganizationDto {
  @ApiProperty({
    description: `Origins that may embed the tenant portal in an iframe, at most ${MAX_PORTAL_ORIGINS}: each \`https://host[:port]\` (http only for localhost, 127.0.0.1 or [::1]), as a browser writes it. Replaces the list.`,
    type: [String],
    example: ['https://app.example.com'],
  })
  @IsArray()
  @ArrayMaxSize(MAX_PORTAL_ORIGINS)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  portalAllowedOrigins!: string[];
}

export function toOrganizationDto(entity: OrganizationEntity): OrganizationDto {
  return {
    id: entity.id,
    name: entity.name,
    portalAllowedOrigins: [...entity.portalAllowedOrigins],
  };
}

import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type OrganizationEntity } from '@hookyard/data-access';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { MAX_OUTBOUND_ALLOW } from '../outbound-allow.util';
import { MAX_PORTAL_ORIGINS } from '../portal-origins.util';

const OUTBOUND_ALLOW_DESCRIPTION =
  'Outbound allow-list entries for this organization alone, beside the deployment’s `HOOKYARD_OUTBOUND_ALLOW` and in its syntax (a CIDR, an IP address or a host name): deliveries and test sends of this organization may reach those addresses.';

export class OrganizationDto {
  @ApiProperty({ description: '24-hex id.' }) id!: string;
  @ApiProperty({ description: 'The organization’s name.' }) name!: string;
  @ApiProperty({
    description:
      'Origins that may embed the tenant portal in an iframe (its `frame-ancestors`); empty = none.',
    type: [String],
  })
  portalAllowedOrigins!: string[];
  @ApiProperty({ description: OUTBOUND_ALLOW_DESCRIPTION, type: [String] })
  outboundAllow!: string[];
}

/** An optional list of at most `max` distinct strings of up to 300 characters. */
function StringListField(
  max: number,
  description: string,
  example: readonly string[],
): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, type: [String], example }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(max),
    ArrayUnique(),
    IsString({ each: true }),
    MaxLength(300, { each: true }),
  );
}

/** The origins that may embed the tenant portal, as a body field. */
export const PortalOriginsField = (description: string): PropertyDecorator =>
  StringListField(MAX_PORTAL_ORIGINS, description, ['https://app.example.com']);

/** An organization's own outbound allowance, as a body field. */
export const OutboundAllowField = (description: string): PropertyDecorator =>
  StringListField(MAX_OUTBOUND_ALLOW, description, ['10.1.0.0/16', 'hooks.internal']);

export class UpdateOrganizationDto {
  @PortalOriginsField(
    `Origins that may embed the tenant portal in an iframe, at most ${MAX_PORTAL_ORIGINS}: each \`https://host[:port]\` (http only for localhost, 127.0.0.1 or [::1]), as a browser writes it. Replaces the list.`,
  )
  portalAllowedOrigins?: string[];

  @OutboundAllowField(
    `${OUTBOUND_ALLOW_DESCRIPTION} At most ${MAX_OUTBOUND_ALLOW}; replaces the list. Operator keys only (403 \`OPERATOR_ONLY\` for a tenant key).`,
  )
  outboundAllow?: string[];
}

export function toOrganizationDto(entity: OrganizationEntity): OrganizationDto {
  return {
    id: entity.id,
    name: entity.name,
    portalAllowedOrigins: [...entity.portalAllowedOrigins],
    outboundAllow: [...entity.outboundAllow],
  };
}

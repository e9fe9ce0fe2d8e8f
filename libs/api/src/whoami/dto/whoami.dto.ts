import { ApiProperty } from '@nestjs/swagger';
import { type PortalSessionEntity } from '@hookyard/data-access';
import { type AuthContext } from '../../auth/auth-context';
import { PortalThemeResponseDto } from '../../portal-sessions/dto/portal-session.dto';

export class WhoamiPortalDto {
  @ApiProperty({ description: '24-hex id of the portal session.' }) sessionId!: string;
  @ApiProperty({ description: 'When the session ends (ISO 8601).' }) expiresAt!: string;
  @ApiProperty({ description: 'How the portal looks.', type: PortalThemeResponseDto })
  theme!: PortalThemeResponseDto;
  @ApiProperty({
    description: 'Where to get a new session once this one has expired; null when none was given.',
    type: String,
    nullable: true,
  })
  refreshUrl!: string | null;
}

export class WhoamiDto {
  @ApiProperty({
    description:
      'The organization acted for; null for an operator key that names none (`X-Hookyard-Organization`).',
    type: String,
    nullable: true,
  })
  organizationId!: string | null;

  @ApiProperty({
    description: 'The API key calling; null for a portal session.',
    type: String,
    nullable: true,
  })
  keyId!: string | null;

  @ApiProperty({ description: 'The caller’s permissions (`*` for all).', type: [String] })
  permissions!: string[];

  @ApiProperty({
    description: 'The only endpoints the caller sees; null for every endpoint of the organization.',
    type: [String],
    nullable: true,
  })
  endpointIds!: string[] | null;

  @ApiProperty({
    description: 'The portal session behind the request; null for an API key.',
    type: WhoamiPortalDto,
    nullable: true,
  })
  portal!: WhoamiPortalDto | null;
}

export function toWhoamiDto(auth: AuthContext, session: PortalSessionEntity | null): WhoamiDto {
  return {
    organizationId: auth.organizationId,
    keyId: auth.keyId,
    permissions: [...auth.permissions],
    endpointIds: auth.endpointIds === null ? null : [...auth.endpointIds],
    portal:
      session === null
        ? null
        : {
            sessionId: session.id,
            expiresAt: session.expiresAt.toISOString(),
            theme: { ...session.theme },
            refreshUrl: session.refreshUrl,
          },
  };
}

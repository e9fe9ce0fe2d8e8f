import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context';
import { PortalAccessible, RequireAuthentication } from '../auth/guards';
import { PortalSessionsService } from '../portal-sessions/portal-sessions.service';
import { toWhoamiDto, WhoamiDto } from './dto/whoami.dto';
import { ActsForOrganization } from '../tenancy/acting-for.interceptor';

/** `GET /v1/whoami`: what the caller may do, so a client (the console) can shape itself to it. */
@ApiTags('whoami')
@ActsForOrganization()
@Controller('v1/whoami')
export class WhoamiController {
  constructor(@Inject(PortalSessionsService) private readonly sessions: PortalSessionsService) {}

  @Get()
  @RequireAuthentication()
  @PortalAccessible()
  @ApiOperation({ summary: 'Describe the caller: organization, permissions, portal session' })
  @ApiOkResponse({ type: WhoamiDto })
  async whoami(@Auth() auth: AuthContext): Promise<WhoamiDto> {
    return toWhoamiDto(auth, await this.sessions.sessionOf(auth));
  }
}

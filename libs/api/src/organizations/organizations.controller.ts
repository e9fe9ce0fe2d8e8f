import { Body, Controller, Get, Inject, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, OrgId } from '../auth/auth-context';
import { PortalAccessible, RequirePermission } from '../auth/guards';
import { ApiProblemResponse } from '../common/problem-response';
import { OrganizationDto, toOrganizationDto, UpdateOrganizationDto } from './dto/organization.dto';
import { OrganizationsService } from './organizations.service';
import { ActsForOrganization } from '../tenancy/acting-for.interceptor';

/** `/v1/organization`: the caller's organization and its settings. */
@ApiTags('organization')
@ActsForOrganization()
@Controller('v1/organization')
export class OrganizationsController {
  constructor(@Inject(OrganizationsService) private readonly organizations: OrganizationsService) {}

  @Get()
  @RequirePermission('WEBHOOK.READ')
  @PortalAccessible()
  @ApiOperation({ summary: 'Get the caller’s organization' })
  @ApiOkResponse({ type: OrganizationDto })
  async get(@OrgId() organizationId: string): Promise<OrganizationDto> {
    return toOrganizationDto(await this.organizations.get(organizationId));
  }

  @Patch()
  @RequirePermission('ORGANIZATION.MANAGE')
  @ApiOperation({
    summary:
      'Change the organization’s settings (the portal’s allowed origins; its outbound allowance, operator keys only)',
  })
  @ApiOkResponse({ type: OrganizationDto })
  @ApiProblemResponse(403, '`OPERATOR_ONLY`: a tenant key sent `outboundAllow`.')
  async update(
    @OrgId() organizationId: string,
    @Auth() auth: AuthContext | undefined,
    @Body() body: UpdateOrganizationDto,
  ): Promise<OrganizationDto> {
    return toOrganizationDto(
      await this.organizations.update(organizationId, body, auth?.operator === true),
    );
  }
}

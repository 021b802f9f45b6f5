import { Body, Controller, Get, Patch, UseGuards } from '@nestjs/common';
import { UpdateOrganizationSettingsBody } from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { OrganizationSettingsService, type OrganizationView } from './organization-settings.service';

/** The caller's own organization and its settings (the time zone its local days, e.g. birthdays, follow). */
@Controller('connect/organization')
@UseGuards(ConnectAuthGuard)
export class OrganizationController {
  constructor(private readonly settings: OrganizationSettingsService) {}

  @Get()
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
  ): Promise<OrganizationView> {
    return this.settings.get(principal, request);
  }

  @Patch()
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: UpdateOrganizationSettingsBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<OrganizationView> {
    return this.settings.update(principal, dto, request);
  }
}

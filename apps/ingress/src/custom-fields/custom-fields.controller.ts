import { Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import { type CustomField, CreateCustomFieldBody } from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { CustomFieldsService } from './custom-fields.service';

@Controller('connect/custom_fields')
@UseGuards(ConnectAuthGuard)
export class CustomFieldsController {
  constructor(private readonly fields: CustomFieldsService) {}

  @Post()
  @RequireScope('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateCustomFieldBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<CustomField> {
    return this.fields.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
  ): Promise<CustomField[]> {
    return this.fields.list(principal, request);
  }
}

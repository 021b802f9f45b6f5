import { Body, Controller, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { type CustomField, CreateCustomFieldBody, UpdateCustomFieldBody } from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
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

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<CustomField> {
    return this.fields.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateCustomFieldBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<CustomField> {
    return this.fields.update(principal, id, dto, request);
  }
}

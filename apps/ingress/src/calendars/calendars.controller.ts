import { Body, Controller, Get, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { type Calendar, CreateCalendarBody, type Page, UpdateCalendarBody } from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { PageQuery } from '../http/page.query';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { CalendarsService } from './calendars.service';

@Controller('connect/calendars')
@UseGuards(ConnectAuthGuard)
export class CalendarsController {
  constructor(private readonly calendars: CalendarsService) {}

  @Post()
  @RequireScope('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateCalendarBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Calendar> {
    return this.calendars.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<Calendar>> {
    return this.calendars.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Calendar> {
    return this.calendars.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateCalendarBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Calendar> {
    return this.calendars.update(principal, id, dto, request);
  }
}

import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import { type Calendar, CreateCalendarBody } from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
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

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Calendar> {
    return this.calendars.get(principal, id, request);
  }
}

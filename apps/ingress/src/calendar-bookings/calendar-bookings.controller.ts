import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  COMMANDS,
  type Booking,
  type Page,
  CreateBookingBody,
  UpdateBookingBody,
} from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { ListBookingsQuery } from './dto/list-bookings.query';
import { CalendarBookingsService } from './calendar-bookings.service';

@Controller('connect/calendar_bookings')
@UseGuards(ConnectAuthGuard)
export class CalendarBookingsController {
  constructor(private readonly bookings: CalendarBookingsService) {}

  @Post()
  @RequireScope('write')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateBookingBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Booking> {
    return this.bookings.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListBookingsQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<Booking>> {
    return this.bookings.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Booking> {
    return this.bookings.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('write')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateBookingBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Booking> {
    return this.bookings.update(principal, id, dto, request);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScope('write')
  cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Booking> {
    return this.bookings.act(principal, id, COMMANDS.bookingsCancel, request);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @RequireScope('write')
  complete(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Booking> {
    return this.bookings.act(principal, id, COMMANDS.bookingsComplete, request);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('write')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<void> {
    await this.bookings.act(principal, id, COMMANDS.bookingsDelete, request);
  }
}

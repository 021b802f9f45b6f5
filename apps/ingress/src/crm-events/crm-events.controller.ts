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
  CreateCrmEventBody,
  type CrmEvent,
  type EventRegistration,
  type Page,
  UpdateCrmEventBody,
} from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { PageQuery } from '../http/page.query';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { ListRegistrationsQuery } from './dto/list-registrations.query';
import { CrmEventsService } from './crm-events.service';

/** CRM events contacts register for: admin shapes them, read reads them and their registrations. */
@Controller('connect/events')
@UseGuards(ConnectAuthGuard)
export class CrmEventsController {
  constructor(private readonly events: CrmEventsService) {}

  @Post()
  @RequireScope('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateCrmEventBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<CrmEvent> {
    return this.events.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<CrmEvent>> {
    return this.events.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<CrmEvent> {
    return this.events.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateCrmEventBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<CrmEvent> {
    return this.events.update(principal, id, dto, request);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<void> {
    await this.events.remove(principal, id, request);
  }

  /** The event's registrations (RSVP and Eventbrite), oldest first. */
  @Get(':id/registrations')
  @RequireScope('read')
  registrations(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Query() query: ListRegistrationsQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<EventRegistration>> {
    return this.events.registrations(principal, id, query, request);
  }
}

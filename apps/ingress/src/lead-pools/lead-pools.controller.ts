import { Body, Controller, Get, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import {
  type LeadPool,
  type LeadState,
  type Page,
  CreateLeadPoolBody,
  CreateLeadStateBody,
  UpdateLeadPoolBody,
  UpdateLeadStateBody,
} from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { PageQuery } from '../http/page.query';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { LeadPoolsService } from './lead-pools.service';

@Controller('connect/lead_pools')
@UseGuards(ConnectAuthGuard)
export class LeadPoolsController {
  constructor(private readonly pools: LeadPoolsService) {}

  @Post()
  @RequireScope('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateLeadPoolBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<LeadPool> {
    return this.pools.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<LeadPool>> {
    return this.pools.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<LeadPool> {
    return this.pools.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateLeadPoolBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<LeadPool> {
    return this.pools.update(principal, id, dto, request);
  }

  @Post(':id/lead_states')
  @RequireScope('admin')
  createState(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: CreateLeadStateBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<LeadState> {
    return this.pools.createState(principal, id, dto, request);
  }

  @Patch(':id/lead_states/:stateId')
  @RequireScope('admin')
  updateState(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Param('stateId', UuidParam('stateId')) stateId: string,
    @Body() dto: UpdateLeadStateBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<LeadState> {
    return this.pools.updateState(principal, id, stateId, dto, request);
  }

  @Get(':id/lead_states')
  @RequireScope('read')
  listStates(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<LeadState[]> {
    return this.pools.listStates(principal, id, request);
  }
}

import { Body, Controller, Get, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { CreateDealBody, type Deal, type Page, UpdateDealBody } from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { ListDealsQuery } from './dto/list-deals.query';
import { DealsService } from './deals.service';

/** Deals of the organization's contacts: write creates and moves them, read reads them. */
@Controller('connect/deals')
@UseGuards(ConnectAuthGuard)
export class DealsController {
  constructor(private readonly deals: DealsService) {}

  @Post()
  @RequireScope('write')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateDealBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Deal> {
    return this.deals.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListDealsQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<Deal>> {
    return this.deals.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Deal> {
    return this.deals.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('write')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateDealBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<Deal> {
    return this.deals.update(principal, id, dto, request);
  }
}

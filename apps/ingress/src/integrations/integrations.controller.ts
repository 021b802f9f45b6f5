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
  CreateEventbriteConnectionBody,
  CreateStripeConnectionBody,
  type IntegrationConnection,
  type IntegrationDelivery,
  type Page,
  UpdateConnectionBody,
} from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { PageQuery } from '../http/page.query';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { ListIntegrationsQuery } from './dto/list-integrations.query';
import { IntegrationsService } from './integrations.service';

/** Stripe and Eventbrite connections: admin connects and removes them, read reads them and their webhooks. */
@Controller('connect/integrations')
@UseGuards(ConnectAuthGuard)
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationsService) {}

  @Post('stripe')
  @RequireScope('admin')
  connectStripe(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateStripeConnectionBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<IntegrationConnection> {
    return this.integrations.connectStripe(principal, dto, request);
  }

  @Post('eventbrite')
  @RequireScope('admin')
  connectEventbrite(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateEventbriteConnectionBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<IntegrationConnection> {
    return this.integrations.connectEventbrite(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListIntegrationsQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<IntegrationConnection>> {
    return this.integrations.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<IntegrationConnection> {
    return this.integrations.get(principal, id, request);
  }

  /** Replaces secrets: a Stripe endpoint's signing secret exists only once the endpoint points here. */
  @Patch(':id')
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateConnectionBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<IntegrationConnection> {
    return this.integrations.update(principal, id, dto, request);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<void> {
    await this.integrations.remove(principal, id, request);
  }

  /** The connection's inbound webhooks, newest first, with what became of each. */
  @Get(':id/deliveries')
  @RequireScope('read')
  deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Query() query: PageQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<IntegrationDelivery>> {
    return this.integrations.deliveries(principal, id, query, request);
  }
}

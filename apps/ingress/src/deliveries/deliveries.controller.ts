import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { Delivery } from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { DeliveriesService } from './deliveries.service';

/** Deliveries (webhooks, emails, SMS) of the organization; a lead's history is under table_entries. */
@Controller('connect/deliveries')
@UseGuards(ConnectAuthGuard)
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  /** 202: the new delivery is queued, not yet sent. */
  @Post(':id/resend')
  @HttpCode(202)
  @RequireScope('admin')
  resend(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Delivery> {
    return this.deliveries.resend(principal, id, request);
  }
}

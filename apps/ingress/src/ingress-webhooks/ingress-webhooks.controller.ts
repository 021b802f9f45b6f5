import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { CreateIngressWebhookDto } from './dto/create-ingress-webhook.dto';
import { IngressWebhooksService, type IngressWebhookView } from './ingress-webhooks.service';

@Controller('connect/ingress_webhooks')
@UseGuards(ConnectAuthGuard)
// Configuration changes need admin; reading the webhooks (never their tokens) needs read.
@RequireScope('admin')
export class IngressWebhooksController {
  constructor(private readonly webhooks: IngressWebhooksService) {}

  @Post()
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateIngressWebhookDto,
    @CurrentRequest() request: RequestContext,
  ): Promise<IngressWebhookView & { token: string }> {
    return this.webhooks.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(@CurrentPrincipal() principal: Principal): Promise<IngressWebhookView[]> {
    return this.webhooks.list(principal);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
  ): Promise<IngressWebhookView> {
    return this.webhooks.get(principal, id);
  }

  @Post(':id/rotate_token')
  @HttpCode(200)
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
  ): Promise<{ token: string }> {
    return this.webhooks.rotateToken(principal, id);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<void> {
    return this.webhooks.remove(principal, id);
  }
}

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
  CreateWebhookEndpointBody,
  type Delivery,
  type DeliveryAttempt,
  type Page,
  UpdateWebhookEndpointBody,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { UuidParam } from '../http/uuid-param.pipe';
import { DeliveryPageQuery } from '../deliveries/dto/delivery-page.query';
import { WebhookEndpointsService } from './webhook-endpoints.service';

/** Outgoing webhook endpoints: admin configures them, read reads them and their attempt log. */
@Controller('connect/webhook_endpoints')
@UseGuards(ConnectAuthGuard)
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @RequireScope('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateWebhookEndpointBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<WebhookEndpointWithSecret> {
    return this.endpoints.create(principal, dto, request);
  }

  @Get()
  @RequireScope('read')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: DeliveryPageQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<WebhookEndpoint>> {
    return this.endpoints.list(principal, query, request);
  }

  @Get(':id')
  @RequireScope('read')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<WebhookEndpoint> {
    return this.endpoints.get(principal, id, request);
  }

  @Patch(':id')
  @RequireScope('admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateWebhookEndpointBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<WebhookEndpoint> {
    return this.endpoints.update(principal, id, dto, request);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<void> {
    await this.endpoints.remove(principal, id, request);
  }

  /** The new secret; the previous one keeps signing for an overlap period (see DELIVERY_LIMITS). */
  @Post(':id/rotate_secret')
  @HttpCode(200)
  @RequireScope('admin')
  rotateSecret(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<{ secret: string }> {
    return this.endpoints.rotateSecret(principal, id, request);
  }

  @Get(':id/attempts')
  @RequireScope('read')
  attempts(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Query() query: DeliveryPageQuery,
    @CurrentRequest() request: RequestContext,
  ): Promise<Page<DeliveryAttempt>> {
    return this.endpoints.attempts(principal, id, query, request);
  }

  /** 202: the test delivery is queued and sent asynchronously. */
  @Post(':id/test')
  @HttpCode(202)
  @RequireScope('admin')
  test(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<Delivery> {
    return this.endpoints.test(principal, id, request);
  }
}

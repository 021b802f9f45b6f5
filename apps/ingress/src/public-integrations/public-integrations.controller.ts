import { Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { INTEGRATION_LIMITS, type WebhookReceiveResult } from '@rocketlead/contracts';
import { RawBody, RawBodyRoute } from '../http/raw-body';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { PublicIntegrationsService } from './public-integrations.service';

/**
 * The webhook URLs pasted into Stripe's and Eventbrite's dashboards: no Connect token (Stripe signs its
 * body; Eventbrite's is only a pointer integrations fetches with the connection's token). The body is kept
 * byte for byte, whatever its content type, because the signature covers those bytes.
 */
@Controller('public/integrations')
export class PublicIntegrationsController {
  constructor(private readonly webhooks: PublicIntegrationsService) {}

  @Post('stripe/:connectionId')
  @HttpCode(200)
  @RawBodyRoute(INTEGRATION_LIMITS.webhookBodyBytes)
  stripe(
    @Param('connectionId') connectionId: string,
    @RawBody() body: string,
    @Headers('stripe-signature') signature: string | undefined,
    @CurrentRequest() request: RequestContext,
  ): Promise<WebhookReceiveResult> {
    return this.webhooks.receive('stripe', connectionId, body, signature ?? null, request);
  }

  @Post('eventbrite/:connectionId')
  @HttpCode(200)
  @RawBodyRoute(INTEGRATION_LIMITS.webhookBodyBytes)
  eventbrite(
    @Param('connectionId') connectionId: string,
    @RawBody() body: string,
    @CurrentRequest() request: RequestContext,
  ): Promise<WebhookReceiveResult> {
    return this.webhooks.receive('eventbrite', connectionId, body, null, request);
  }
}

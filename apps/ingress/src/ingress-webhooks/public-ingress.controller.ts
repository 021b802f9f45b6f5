import { Body, Controller, Headers, Post, UseGuards } from '@nestjs/common';
import { type TableEntry, IngressPayloadBody } from '@rocketlead/contracts';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { CurrentWebhook, IngressWebhookGuard } from './ingress-webhook.guard';
import type { IngressWebhookEntity } from './ingress-webhook.entity';
import { IngressWebhooksService } from './ingress-webhooks.service';

/** The documented public endpoint: authenticated by the webhook's own token, not a Connect token. */
@Controller('public/ingress_webhooks')
export class PublicIngressController {
  constructor(private readonly webhooks: IngressWebhooksService) {}

  @Post(':id')
  @UseGuards(IngressWebhookGuard)
  ingest(
    @CurrentWebhook() webhook: IngressWebhookEntity,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() payload: IngressPayloadBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<TableEntry> {
    return this.webhooks.ingest(webhook, payload, idempotencyKey, request);
  }
}

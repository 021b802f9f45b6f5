import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '@rocketlead/contracts';
import { IngressWebhooksRepository } from './ingress-webhooks.repository';
import type { IngressWebhookEntity } from './ingress-webhook.entity';

interface WebhookRequest {
  params: Record<string, string | undefined>;
  headers: Record<string, string | string[] | undefined>;
  ingressWebhook?: IngressWebhookEntity;
}

/** Checks the webhook id and its token before the body is even validated (guards run before pipes). */
@Injectable()
export class IngressWebhookGuard implements CanActivate {
  constructor(private readonly webhooks: IngressWebhooksRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    const token = request.headers['x-rocketlead-ingress-token'];
    const check = await this.webhooks.verify(
      request.params.id ?? '',
      typeof token === 'string' ? token : undefined,
    );
    switch (check.result) {
      case 'not_found':
        throw new DomainError('NOT_FOUND', 'Webhook not found');
      case 'bad_token':
        throw new DomainError('UNAUTHORIZED', 'Invalid webhook token');
      case 'ok':
        request.ingressWebhook = check.webhook;
        return true;
    }
  }
}

export const CurrentWebhook = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): IngressWebhookEntity => {
    const webhook = ctx.switchToHttp().getRequest<WebhookRequest>().ingressWebhook;
    if (!webhook) throw new Error('CurrentWebhook used on a route without IngressWebhookGuard');
    return webhook;
  },
);

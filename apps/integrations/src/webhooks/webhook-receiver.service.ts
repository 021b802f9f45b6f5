import { Inject, Injectable } from '@nestjs/common';
import {
  uuidv7,
  type InboundWebhookStatus,
  type IntegrationsWebhookReceiveCommand,
  type WebhookReceiveResult,
} from '@rocketlead/contracts';
import { INTEGRATIONS_CONFIG } from '../config.token';
import type { IntegrationsConfig } from '../config';
import type { ConnectionEntity } from '../connections/connection.entity';
import { ConnectionSecretsBox } from '../connections/connection-secrets';
import { ConnectionsRepository } from '../connections/connections.repository';
import { connectionNotFound } from '../connections/connections.service';
import {
  EVENTBRITE_REGISTRATION_ACTIONS,
  STRIPE_PURCHASE_EVENTS,
  readEventbriteNotification,
  verifyStripeEvent,
} from '../providers';
import { InboundWebhooksRepository } from './inbound-webhooks.repository';

interface Received {
  externalId: string;
  eventType: string;
  status: InboundWebhookStatus;
  error: string | null;
}

/**
 * Takes a provider's webhook: verified (Stripe's signature; Eventbrite's api_url under the configured API)
 * before anything is stored, then stored with its processing timer and answered at once. Processing (which
 * calls the provider and other services) happens later, retried on failure.
 */
@Injectable()
export class WebhookReceiverService {
  constructor(
    @Inject(INTEGRATIONS_CONFIG)
    private readonly config: Pick<IntegrationsConfig, 'EVENTBRITE_API_URL'>,
    private readonly connections: ConnectionsRepository,
    private readonly secrets: ConnectionSecretsBox,
    private readonly webhooks: InboundWebhooksRepository,
  ) {}

  async receive(command: IntegrationsWebhookReceiveCommand): Promise<WebhookReceiveResult> {
    const connection = await this.connections.findForWebhook(command.connectionId);
    if (!connection || connection.provider !== command.provider) throw connectionNotFound();
    const received =
      connection.provider === 'stripe'
        ? this.stripe(connection, command.body, command.signature)
        : this.eventbrite(command.body);
    const now = this.webhooks.now();
    const ignored = received.status === 'ignored';
    const stored = await this.webhooks.store({
      id: uuidv7(now.getTime()),
      organizationId: connection.organizationId,
      connectionId: connection.id,
      provider: connection.provider,
      externalId: received.externalId,
      eventType: received.eventType,
      payload: command.body,
      status: received.status,
      attempts: 0,
      error: received.error,
      nextAttemptAt: null,
      receivedAt: now,
      processedAt: ignored ? now : null,
    });
    return { status: stored.duplicate ? 'duplicate' : 'accepted', deliveryId: stored.id };
  }

  private stripe(connection: ConnectionEntity, body: string, signature: string | null): Received {
    const secrets = this.secrets.open(connection.secrets);
    if (secrets.provider !== 'stripe') throw new Error('a Stripe connection holds no Stripe secrets');
    const event = verifyStripeEvent(body, signature, secrets.webhookSecret);
    const purchase = STRIPE_PURCHASE_EVENTS.includes(event.type);
    return {
      externalId: event.id,
      eventType: event.type,
      status: purchase ? 'pending' : 'ignored',
      error: purchase ? null : `${event.type} is not a purchase event`,
    };
  }

  private eventbrite(body: string): Received {
    const notification = readEventbriteNotification(body, this.config.EVENTBRITE_API_URL);
    const registration = EVENTBRITE_REGISTRATION_ACTIONS.includes(notification.action);
    return {
      // Eventbrite notifications carry no id; a redelivery registers nobody twice.
      externalId: `${notification.action} ${notification.apiUrl}`,
      eventType: notification.action,
      status: registration ? 'pending' : 'ignored',
      error: registration ? null : `${notification.action} registers nobody`,
    };
  }
}

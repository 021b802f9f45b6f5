import { Module, type DynamicModule } from '@nestjs/common';
import {
  HealthController,
  MessagingModule,
  MetricsController,
  natsSecurity,
  outboxProviders,
} from '@rocketlead/messaging';
import { QUEUE_GROUPS } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { SecretBox } from '@rocketlead/persistence';
import { INTEGRATIONS_CONFIG } from './config.token';
import type { IntegrationsConfig } from './config';
import { INTEGRATIONS_SCHEMA } from './database/entities';
import { integrationsDatabase } from './database/database.module';
import { IntegrationsHandlers } from './api/integrations.handlers';
import { ProductsHandlers } from './api/products.handlers';
import { CONNECTION_SECRETS_PURPOSE, ConnectionSecretsBox } from './connections/connection-secrets';
import { ConnectionsRepository } from './connections/connections.repository';
import { ConnectionsService } from './connections/connections.service';
import { CalendarGateway } from './gateways/calendar.gateway';
import { LeadsGateway } from './gateways/leads.gateway';
import { WebhookProcessingService } from './processing/webhook-processing.service';
import { WebhookProcessor } from './processing/webhook-processor';
import { ProductsRepository } from './products/products.repository';
import { ProductsService } from './products/products.service';
import { EventbriteApiClient, StripeApiClient } from './providers';
import { PurchasesRepository } from './purchases/purchases.repository';
import { InboundWebhooksRepository } from './webhooks/inbound-webhooks.repository';
import { WebhookReceiverService } from './webhooks/webhook-receiver.service';

export const SERVICE_NAME = 'integrations';

@Module({})
class ConfigHolder {}

@Module({})
export class AppModule {
  static forConfig(config: IntegrationsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        {
          module: ConfigHolder,
          global: true,
          providers: [{ provide: INTEGRATIONS_CONFIG, useValue: config }],
          exports: [INTEGRATIONS_CONFIG],
        },
        MessagingModule.forRoot({
          serviceName: SERVICE_NAME,
          queueGroup: QUEUE_GROUPS.integrations,
          natsUrl: config.NATS_URL,
          natsSecurity: natsSecurity(config),
          namespace: config.RL_NAMESPACE,
          rpcTimeoutMs: config.RPC_TIMEOUT_MS,
          commandConcurrency: config.DB_POOL_SIZE,
        }),
        integrationsDatabase.module(config),
      ],
      controllers: [HealthController, MetricsController, IntegrationsHandlers, ProductsHandlers],
      providers: [
        {
          provide: SecretBox,
          inject: [JsonLogger],
          useFactory: (logger: JsonLogger) => {
            const box = new SecretBox(config.INTEGRATIONS_ENCRYPTION_KEY, CONNECTION_SECRETS_PURPOSE);
            if (box.development)
              logger.event(
                'warn',
                'INTEGRATIONS_ENCRYPTION_KEY is not set: provider secrets use the public development key',
              );
            return box;
          },
        },
        {
          provide: StripeApiClient,
          useFactory: () =>
            new StripeApiClient({
              apiBase: config.STRIPE_API_BASE,
              timeoutMs: config.INTEGRATIONS_PROVIDER_TIMEOUT_MS,
            }),
        },
        {
          provide: EventbriteApiClient,
          useFactory: () =>
            new EventbriteApiClient({
              apiBase: config.EVENTBRITE_API_URL,
              timeoutMs: config.INTEGRATIONS_PROVIDER_TIMEOUT_MS,
            }),
        },
        ConnectionSecretsBox,
        ConnectionsRepository,
        ConnectionsService,
        ProductsRepository,
        ProductsService,
        InboundWebhooksRepository,
        WebhookReceiverService,
        PurchasesRepository,
        LeadsGateway,
        CalendarGateway,
        WebhookProcessor,
        WebhookProcessingService,
        ...outboxProviders({
          schema: INTEGRATIONS_SCHEMA,
          databaseUrl: config.DATABASE_URL,
          retention: {
            outboxMs: config.OUTBOX_RETENTION,
            inboxMs: config.INBOX_RETENTION,
            deadLetterMs: config.DEAD_LETTER_RETENTION,
          },
        }),
      ],
    };
  }
}

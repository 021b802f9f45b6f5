import { Module, type DynamicModule } from '@nestjs/common';
import {
  HealthController,
  MessagingModule,
  MetricsController,
  natsSecurity,
  outboxProviders,
} from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { deriveSecretKey, SecretBox } from '@rocketlead/persistence';
import { DELIVERY_CONFIG } from './config.token';
import type { DeliveryConfig } from './config';
import { DELIVERY_SCHEMA } from './database/entities';
import { deliveryDatabase } from './database/database.module';
import { TrackingTokens } from './email';
import { EndpointsRepository } from './endpoints/endpoints.repository';
import { EndpointsService } from './endpoints/endpoints.service';
import { DeliveriesRepository } from './deliveries/deliveries.repository';
import { DeliveriesService } from './deliveries/deliveries.service';
import { DeliveryFactory } from './deliveries/delivery-factory';
import { Dispatcher } from './deliveries/dispatcher';
import { Senders } from './deliveries/senders';
import { LeadsGateway } from './gateways/leads.gateway';
import { DeliveryIntake } from './intake/delivery-intake';
import { RetryTimersService } from './retries/retry-timers.service';
import { TrackingService } from './tracking/tracking.service';
import { DeliveryHandlers } from './api/delivery.handlers';

export const SERVICE_NAME = 'delivery';

// HKDF labels of the keys derived from DELIVERY_SECRET_KEY; changing one makes stored secrets unreadable.
const ENDPOINT_SECRETS_PURPOSE = 'rocketlead endpoint secrets';
const EMAIL_LINKS_PURPOSE = 'rocketlead email links';

@Module({})
class ConfigHolder {}

@Module({})
export class AppModule {
  static forConfig(config: DeliveryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        {
          module: ConfigHolder,
          global: true,
          providers: [{ provide: DELIVERY_CONFIG, useValue: config }],
          exports: [DELIVERY_CONFIG],
        },
        MessagingModule.forRoot({
          serviceName: SERVICE_NAME,
          natsUrl: config.NATS_URL,
          natsSecurity: natsSecurity(config),
          namespace: config.RL_NAMESPACE,
          rpcTimeoutMs: config.RPC_TIMEOUT_MS,
          commandConcurrency: config.DB_POOL_SIZE,
        }),
        deliveryDatabase.module(config),
      ],
      controllers: [HealthController, MetricsController, DeliveryHandlers],
      providers: [
        {
          provide: SecretBox,
          inject: [JsonLogger],
          useFactory: (logger: JsonLogger) => {
            const box = new SecretBox(config.DELIVERY_SECRET_KEY, ENDPOINT_SECRETS_PURPOSE);
            if (box.development)
              logger.event(
                'warn',
                'DELIVERY_SECRET_KEY is not set: endpoint secrets use the public development key',
              );
            return box;
          },
        },
        {
          // Email links are signed with a key derived from DELIVERY_SECRET_KEY.
          provide: TrackingTokens,
          useFactory: () =>
            new TrackingTokens(deriveSecretKey(config.DELIVERY_SECRET_KEY, EMAIL_LINKS_PURPOSE)),
        },
        EndpointsRepository,
        EndpointsService,
        DeliveriesRepository,
        DeliveriesService,
        DeliveryFactory,
        Dispatcher,
        Senders,
        LeadsGateway,
        TrackingService,
        DeliveryIntake,
        ...outboxProviders({
          schema: DELIVERY_SCHEMA,
          databaseUrl: config.DATABASE_URL,
          retention: {
            outboxMs: config.OUTBOX_RETENTION,
            inboxMs: config.INBOX_RETENTION,
            deadLetterMs: config.DEAD_LETTER_RETENTION,
          },
        }),
        RetryTimersService,
      ],
    };
  }
}

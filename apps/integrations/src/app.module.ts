import { Module, type DynamicModule } from '@nestjs/common';
import {
  HealthController,
  MessagingModule,
  MetricsController,
  natsSecurity,
  outboxProviders,
} from '@rocketlead/messaging';
import { QUEUE_GROUPS } from '@rocketlead/contracts';
import { INTEGRATIONS_CONFIG } from './config.token';
import type { IntegrationsConfig } from './config';
import { INTEGRATIONS_SCHEMA } from './database/entities';
import { integrationsDatabase } from './database/database.module';

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
        }),
        integrationsDatabase.module(config),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
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

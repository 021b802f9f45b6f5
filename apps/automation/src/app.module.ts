import { Module, type DynamicModule } from '@nestjs/common';
import {
  HealthController,
  MessagingModule,
  MetricsController,
  outboxProviders,
  natsSecurity,
} from '@rocketlead/messaging';
import { AUTOMATION_CONFIG } from './config.token';
import { AUTOMATION_SCHEMA } from './database/entities';
import type { AutomationConfig } from './config';
import { automationDatabase } from './database/database.module';
import { CalendarGateway, IntegrationsGateway, LeadsGateway } from './gateways';
import { API_CONTROLLERS, API_PROVIDERS } from './automations';
import { ENGINE_PROVIDERS, splitPool } from './engine';

export const SERVICE_NAME = 'automation';

@Module({})
class ConfigHolder {}

@Module({})
export class AppModule {
  static forConfig(config: AutomationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        {
          module: ConfigHolder,
          global: true,
          providers: [{ provide: AUTOMATION_CONFIG, useValue: config }],
          exports: [AUTOMATION_CONFIG],
        },
        MessagingModule.forRoot({
          serviceName: SERVICE_NAME,
          natsUrl: config.NATS_URL,
          natsSecurity: natsSecurity(config),
          namespace: config.RL_NAMESPACE,
          rpcTimeoutMs: config.RPC_TIMEOUT_MS,
          commandConcurrency: config.DB_POOL_SIZE,
        }),
        automationDatabase.module({ ...config, DB_POOL_SIZE: splitPool(config.DB_POOL_SIZE).main }),
      ],
      controllers: [HealthController, MetricsController, ...API_CONTROLLERS],
      providers: [
        LeadsGateway,
        CalendarGateway,
        IntegrationsGateway,
        ...API_PROVIDERS,
        ...ENGINE_PROVIDERS,
        ...outboxProviders({
          schema: AUTOMATION_SCHEMA,
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

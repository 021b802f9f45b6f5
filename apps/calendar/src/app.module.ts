import { Module, type DynamicModule } from '@nestjs/common';
import {
  HealthController,
  MessagingModule,
  MetricsController,
  outboxProviders,
  natsSecurity,
} from '@rocketlead/messaging';
import { CALENDAR_CONFIG } from './config.token';
import { CALENDAR_SCHEMA } from './database/entities';
import type { CalendarConfig } from './config';
import { calendarDatabase } from './database/database.module';
import { CalendarsRepository } from './calendars/calendars.repository';
import { CalendarsService } from './calendars/calendars.service';
import { CalendarsHandlers } from './calendars/calendars.handlers';
import { BookingsRepository } from './bookings/bookings.repository';
import { BookingsService } from './bookings/bookings.service';
import { BookingsHandlers } from './bookings/bookings.handlers';
import { BookingTimers } from './bookings/booking-timers';
import { LeadsGateway } from './gateways/leads.gateway';
import { CrmEventsRepository } from './crm-events/crm-events.repository';
import { CrmEventsService } from './crm-events/crm-events.service';
import { CrmEventsHandlers } from './crm-events/crm-events.handlers';
import { RegistrationsRepository } from './crm-events/registrations.repository';
import { RegistrationsService } from './crm-events/registrations.service';
import { RegistrationsHandlers } from './crm-events/registrations.handlers';
import { TimerRunnerService } from './outbox/timer-runner.service';

export const SERVICE_NAME = 'calendar';

@Module({})
class ConfigHolder {}

@Module({})
export class AppModule {
  static forConfig(config: CalendarConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        {
          module: ConfigHolder,
          global: true,
          providers: [{ provide: CALENDAR_CONFIG, useValue: config }],
          exports: [CALENDAR_CONFIG],
        },
        MessagingModule.forRoot({
          serviceName: SERVICE_NAME,
          natsUrl: config.NATS_URL,
          natsSecurity: natsSecurity(config),
          namespace: config.RL_NAMESPACE,
          rpcTimeoutMs: config.RPC_TIMEOUT_MS,
          commandConcurrency: config.DB_POOL_SIZE,
        }),
        calendarDatabase.module(config),
      ],
      controllers: [
        HealthController,
        MetricsController,
        CalendarsHandlers,
        BookingsHandlers,
        CrmEventsHandlers,
        RegistrationsHandlers,
      ],
      providers: [
        CalendarsRepository,
        CalendarsService,
        BookingsRepository,
        BookingsService,
        BookingTimers,
        LeadsGateway,
        CrmEventsRepository,
        CrmEventsService,
        RegistrationsRepository,
        RegistrationsService,
        ...outboxProviders({
          schema: CALENDAR_SCHEMA,
          databaseUrl: config.DATABASE_URL,
          retention: {
            outboxMs: config.OUTBOX_RETENTION,
            inboxMs: config.INBOX_RETENTION,
            deadLetterMs: config.DEAD_LETTER_RETENTION,
          },
        }),
        TimerRunnerService,
      ],
    };
  }
}

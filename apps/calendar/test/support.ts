import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { deleteStreams, serveCommands } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { startServiceApp, type ServiceUnderTest } from '@rocketlead/testing';
import { AppModule } from '../src/app.module';
import { loadCalendarConfig, type CalendarConfig } from '../src/config';
import { migrateCalendar } from '../src/migrate';

export type CalendarUnderTest = ServiceUnderTest<CalendarConfig, INestApplication>;

/** calendar in this process on a fresh database and namespace; `env` adds configuration. */
export function startCalendar(name: string, env: Record<string, string> = {}): Promise<CalendarUnderTest> {
  return startServiceApp<CalendarConfig, INestApplication>({
    name,
    deleteStreams,
    loadConfig: (base) => loadCalendarConfig({ ...base, ...env }),
    migrate: migrateCalendar,
    start: async (config) => {
      const app = await NestFactory.create(AppModule.forConfig(config), new FastifyAdapter(), {
        logger: new JsonLogger('calendar', 'error'),
      });
      serveCommands(app);
      await app.init();
      await app.startAllMicroservices();
      return app;
    },
  });
}

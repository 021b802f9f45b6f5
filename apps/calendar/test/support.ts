import type { INestApplication } from '@nestjs/common';
import { deleteStreams, startInProcess } from '@rocketlead/messaging';
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
    start: (config) => startInProcess(AppModule.forConfig(config), new JsonLogger('calendar', 'error')),
  });
}

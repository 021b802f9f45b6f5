import { startTelemetry } from '@rocketlead/observability';
startTelemetry('calendar');

import 'reflect-metadata';
import { serviceMain } from '@rocketlead/messaging';
import { AppModule, SERVICE_NAME } from './app.module';
import { loadCalendarConfig } from './config';
import { migrateCalendar } from './migrate';

serviceMain({
  name: SERVICE_NAME,
  loadConfig: loadCalendarConfig,
  module: (c) => AppModule.forConfig(c),
  migrate: migrateCalendar,
});

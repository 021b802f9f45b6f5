import { startTelemetry } from '@rocketlead/observability';
startTelemetry('leads');

import 'reflect-metadata';
import { serviceMain } from '@rocketlead/messaging';
import { AppModule, SERVICE_NAME } from './app.module';
import { loadLeadsConfig } from './config';
import { migrateLeads } from './migrate';

serviceMain({
  name: SERVICE_NAME,
  loadConfig: loadLeadsConfig,
  module: (c) => AppModule.forConfig(c),
  migrate: migrateLeads,
});

import { startTelemetry } from '@rocketlead/observability';
startTelemetry('automation');

import 'reflect-metadata';
import { serviceMain } from '@rocketlead/messaging';
import { AppModule, SERVICE_NAME } from './app.module';
import { loadAutomationConfig } from './config';
import { migrateAutomation } from './migrate';

serviceMain({
  name: SERVICE_NAME,
  loadConfig: loadAutomationConfig,
  module: (c) => AppModule.forConfig(c),
  migrate: migrateAutomation,
});

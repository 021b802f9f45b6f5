import { startTelemetry } from '@rocketlead/observability';
startTelemetry('integrations');

import 'reflect-metadata';
import { serviceMain } from '@rocketlead/messaging';
import { AppModule, SERVICE_NAME } from './app.module';
import { loadIntegrationsConfig } from './config';
import { migrateIntegrations } from './migrate';

serviceMain({
  name: SERVICE_NAME,
  loadConfig: loadIntegrationsConfig,
  module: (c) => AppModule.forConfig(c),
  migrate: migrateIntegrations,
});

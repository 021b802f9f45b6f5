import { startTelemetry } from '@rocketlead/observability';
startTelemetry('delivery');

import 'reflect-metadata';
import { serviceMain } from '@rocketlead/messaging';
import { AppModule, SERVICE_NAME } from './app.module';
import { loadDeliveryConfig } from './config';
import { migrateDelivery } from './migrate';

serviceMain({
  name: SERVICE_NAME,
  loadConfig: loadDeliveryConfig,
  module: (c) => AppModule.forConfig(c),
  migrate: migrateDelivery,
});

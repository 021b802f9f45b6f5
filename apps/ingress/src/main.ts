import { startTelemetry } from '@rocketlead/observability';
startTelemetry('ingress');

import 'reflect-metadata';
import { serviceMain } from '@rocketlead/messaging';
import { AppModule, SERVICE_NAME } from './app.module';
import { loadIngressConfig } from './config';
import { configureHttp } from './http/configure-http';
import { migrateIngress } from './migrate';

serviceMain({
  name: SERVICE_NAME,
  loadConfig: loadIngressConfig,
  module: (c) => AppModule.forConfig(c),
  migrate: migrateIngress,
  configure: configureHttp,
  trustProxy: (config) => config.TRUST_PROXY,
});

import { startTelemetry } from '@rocketlead/observability';
startTelemetry('ingress');

import 'reflect-metadata';
import { JsonLogger } from '@rocketlead/observability';
import { exitOnBootFailure, runService } from '@rocketlead/messaging';
import { AppModule, SERVICE_NAME } from './app.module';
import { loadIngressConfig } from './config';
import { configureHttp } from './http/configure-http';
import { migrateIngress } from './migrate';

async function main(): Promise<void> {
  const config = loadIngressConfig();
  const logger = new JsonLogger(SERVICE_NAME, config.LOG_LEVEL);
  if (process.argv.includes('migrate')) {
    logger.event('info', 'migrated', await migrateIngress(config));
    return;
  }
  await runService({
    name: SERVICE_NAME,
    module: AppModule.forConfig(config),
    port: config.PORT,
    host: config.HOST,
    logger,
    configure: (app) => configureHttp(app, logger),
  });
}

main().catch(exitOnBootFailure(new JsonLogger(SERVICE_NAME)));

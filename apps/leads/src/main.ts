import { startTelemetry } from '@rocketlead/observability';
startTelemetry('leads');

import 'reflect-metadata';
import { JsonLogger } from '@rocketlead/observability';
import { exitOnBootFailure, runService } from '@rocketlead/messaging';
import { AppModule, SERVICE_NAME } from './app.module';
import { loadLeadsConfig } from './config';
import { migrateLeads } from './migrate';

async function main(): Promise<void> {
  const config = loadLeadsConfig();
  const logger = new JsonLogger(SERVICE_NAME, config.LOG_LEVEL);
  if (process.argv.includes('migrate')) {
    logger.event('info', 'migrated', await migrateLeads(config));
    return;
  }
  await runService({
    name: SERVICE_NAME,
    module: AppModule.forConfig(config),
    port: config.PORT,
    host: config.HOST,
    logger,
  });
}

main().catch(exitOnBootFailure(new JsonLogger(SERVICE_NAME)));

import { migrateStreams } from '@rocketlead/messaging';
import { migrate } from '@rocketlead/persistence';
import type { IntegrationsConfig } from './config';
import { integrationsDatabase } from './database/database.module';

/** Applies the integrations schema migrations and ensures the streams integrations publishes to. */
export async function migrateIntegrations(
  config: IntegrationsConfig,
): Promise<{ migrations: string[]; streams: string[] }> {
  const migrations = await migrate(integrationsDatabase.dataSource({ ...config, DB_POOL_SIZE: 2 }));
  const streams = await migrateStreams(config, 'integrations', ['PRODUCTS', 'DEAD_LETTER']);
  return { migrations, streams };
}

import { TRIGGER_STREAMS } from '@rocketlead/contracts';
import { migrateStreams } from '@rocketlead/messaging';
import { migrate } from '@rocketlead/persistence';
import type { AutomationConfig } from './config';
import { automationDatabase } from './database/database.module';

/**
 * Applies the automation schema migrations and ensures the streams it publishes to and consumes from (so its
 * consumers can be made before the other services have started).
 */
export async function migrateAutomation(
  config: AutomationConfig,
): Promise<{ migrations: string[]; streams: string[] }> {
  const migrations = await migrate(automationDatabase.dataSource({ ...config, DB_POOL_SIZE: 2 }));
  const streams = await migrateStreams(config, 'automation', [
    ...TRIGGER_STREAMS,
    'AUTOMATION',
    // Delivery outcomes come back to the run steps that asked for them.
    'DELIVERY',
    'DEAD_LETTER',
  ]);
  return { migrations, streams };
}

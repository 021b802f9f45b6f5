import { migrateStreams } from '@rocketlead/messaging';
import { migrate } from '@rocketlead/persistence';
import type { LeadsConfig } from './config';
import { leadsDatabase } from './database/database.module';

/** Applies the leads schema migrations and ensures the streams leads publishes to. */
export async function migrateLeads(
  config: LeadsConfig,
): Promise<{ migrations: string[]; streams: string[] }> {
  const migrations = await migrate(leadsDatabase.dataSource({ ...config, DB_POOL_SIZE: 2 }));
  const streams = await migrateStreams(config, 'leads', [
    'LEADS',
    'DEALS',
    'FORMS',
    'NOTIFICATIONS',
    'DEAD_LETTER',
  ]);
  return { migrations, streams };
}

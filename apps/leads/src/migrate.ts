import { WireNames } from '@rocketlead/contracts';
import { connectNats, ensureStreams } from '@rocketlead/messaging';
import { migrate } from '@rocketlead/persistence';
import type { LeadsConfig } from './config';
import { leadsDatabase } from './database/database.module';

/** Applies the leads schema migrations and ensures the streams leads publishes to. */
export async function migrateLeads(
  config: LeadsConfig,
): Promise<{ migrations: string[]; streams: string[] }> {
  const migrations = await migrate(leadsDatabase.dataSource({ ...config, DB_POOL_SIZE: 2 }));
  const nc = await connectNats({ url: config.NATS_URL, name: 'leads-migrate' });
  try {
    const streams = await ensureStreams(nc, new WireNames(config.RL_NAMESPACE), ['LEADS', 'DEAD_LETTER']);
    return { migrations, streams };
  } finally {
    await nc.drain();
  }
}

import { WireNames } from '@rocketlead/contracts';
import { connectNats, ensureStreams, natsSecurity } from '@rocketlead/messaging';
import { migrate } from '@rocketlead/persistence';
import type { LeadsConfig } from './config';
import { leadsDatabase } from './database/database.module';

/** Applies the leads schema migrations and ensures the streams leads publishes to. */
export async function migrateLeads(
  config: LeadsConfig,
): Promise<{ migrations: string[]; streams: string[] }> {
  const migrations = await migrate(leadsDatabase.dataSource({ ...config, DB_POOL_SIZE: 2 }));
  // A migration job with a rejected credential fails at once instead of waiting for a fixed secret.
  const nc = await connectNats({
    url: config.NATS_URL,
    name: 'leads-migrate',
    ...natsSecurity(config),
    failOnAuthError: true,
  });
  try {
    const streams = await ensureStreams(nc, new WireNames(config.RL_NAMESPACE), ['LEADS', 'DEAD_LETTER']);
    return { migrations, streams };
  } finally {
    await nc.drain();
  }
}

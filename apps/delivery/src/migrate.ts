import { TRIGGER_STREAMS, WireNames } from '@rocketlead/contracts';
import { connectNats, ensureStreams, natsSecurity } from '@rocketlead/messaging';
import { migrate } from '@rocketlead/persistence';
import type { DeliveryConfig } from './config';
import { deliveryDatabase } from './database/database.module';

/** Applies the delivery schema migrations and ensures the streams delivery publishes to and reads. */
export async function migrateDelivery(
  config: DeliveryConfig,
): Promise<{ migrations: string[]; streams: string[] }> {
  const migrations = await migrate(deliveryDatabase.dataSource({ ...config, DB_POOL_SIZE: 2 }));
  // A migration job with a rejected credential fails at once instead of waiting for a fixed secret.
  const nc = await connectNats({
    url: config.NATS_URL,
    name: 'delivery-migrate',
    ...natsSecurity(config),
    failOnAuthError: true,
  });
  try {
    const streams = await ensureStreams(nc, new WireNames(config.RL_NAMESPACE), [
      ...TRIGGER_STREAMS,
      'AUTOMATION',
      'DELIVERY',
      'DEAD_LETTER',
    ]);
    return { migrations, streams };
  } finally {
    await nc.drain();
  }
}

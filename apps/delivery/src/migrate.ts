import { TRIGGER_STREAMS } from '@rocketlead/contracts';
import { migrateStreams } from '@rocketlead/messaging';
import { migrate } from '@rocketlead/persistence';
import type { DeliveryConfig } from './config';
import { deliveryDatabase } from './database/database.module';

/** Applies the delivery schema migrations and ensures the streams delivery publishes to and reads. */
export async function migrateDelivery(
  config: DeliveryConfig,
): Promise<{ migrations: string[]; streams: string[] }> {
  const migrations = await migrate(deliveryDatabase.dataSource({ ...config, DB_POOL_SIZE: 2 }));
  const streams = await migrateStreams(config, 'delivery', [
    ...TRIGGER_STREAMS,
    'AUTOMATION',
    'NOTIFICATIONS',
    'DELIVERY',
    'DEAD_LETTER',
  ]);
  return { migrations, streams };
}

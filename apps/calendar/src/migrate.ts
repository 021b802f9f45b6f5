import { WireNames } from '@rocketlead/contracts';
import { connectNats, ensureStreams, natsSecurity } from '@rocketlead/messaging';
import { migrate } from '@rocketlead/persistence';
import type { CalendarConfig } from './config';
import { calendarDatabase } from './database/database.module';

/** Applies the calendar schema migrations and ensures the streams calendar publishes to. */
export async function migrateCalendar(
  config: CalendarConfig,
): Promise<{ migrations: string[]; streams: string[] }> {
  const migrations = await migrate(calendarDatabase.dataSource({ ...config, DB_POOL_SIZE: 2 }));
  // A migration job with a rejected credential fails at once instead of waiting for a fixed secret.
  const nc = await connectNats({
    url: config.NATS_URL,
    name: 'calendar-migrate',
    ...natsSecurity(config),
    failOnAuthError: true,
  });
  try {
    const streams = await ensureStreams(nc, new WireNames(config.RL_NAMESPACE), ['CALENDAR', 'DEAD_LETTER']);
    return { migrations, streams };
  } finally {
    await nc.drain();
  }
}

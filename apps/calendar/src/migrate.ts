import { migrateStreams } from '@rocketlead/messaging';
import { migrate } from '@rocketlead/persistence';
import type { CalendarConfig } from './config';
import { calendarDatabase } from './database/database.module';

/** Applies the calendar schema migrations and ensures the streams calendar publishes to. */
export async function migrateCalendar(
  config: CalendarConfig,
): Promise<{ migrations: string[]; streams: string[] }> {
  const migrations = await migrate(calendarDatabase.dataSource({ ...config, DB_POOL_SIZE: 2 }));
  const streams = await migrateStreams(config, 'calendar', ['CALENDAR', 'CRM_EVENTS', 'DEAD_LETTER']);
  return { migrations, streams };
}

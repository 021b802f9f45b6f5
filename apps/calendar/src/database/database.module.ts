import { defineServiceDatabase } from '@rocketlead/persistence';
import { CALENDAR_MIGRATIONS } from '../migrations';
import { CALENDAR_ENTITIES, CALENDAR_SCHEMA } from './entities';

export const calendarDatabase = defineServiceDatabase({
  schema: CALENDAR_SCHEMA,
  entities: CALENDAR_ENTITIES,
  migrations: CALENDAR_MIGRATIONS,
  applicationName: 'calendar',
});

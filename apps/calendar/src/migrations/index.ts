import { messagingMigrations } from '@rocketlead/messaging';
import { timersMigrations } from '@rocketlead/timers';
import { CALENDAR_SCHEMA } from '../database/entities';
import { CalendarInit1795391928824 } from './1795391928824-CalendarInit';
import { CrmEvents1795502549372 } from './1795502549372-CrmEvents';
import { RegistrationPools1795507374876 } from './1795507374876-RegistrationPools';

/**
 * Every migration of the calendar schema, in order. Generated; never edit one that has landed. The outbox,
 * inbox, dead-letter and timers tables come from @rocketlead/messaging and @rocketlead/timers (CalendarInit
 * made the first ones before that existed).
 */
export const CALENDAR_MIGRATIONS = [
  CalendarInit1795391928824,
  ...messagingMigrations(CALENDAR_SCHEMA),
  ...timersMigrations(CALENDAR_SCHEMA),
  CrmEvents1795502549372,
  RegistrationPools1795507374876,
];

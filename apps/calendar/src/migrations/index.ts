import { CalendarInit1795391928824 } from './1795391928824-CalendarInit';

/** Every migration of the calendar schema, in order. Generated; never edit one that has landed. */
export const CALENDAR_MIGRATIONS = [CalendarInit1795391928824];

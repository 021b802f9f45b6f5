import { InboxEntity, OutboxEntity } from '@rocketlead/messaging';
import { TimerEntity } from '@rocketlead/timers';
import { CalendarEntity } from '../calendars/calendar.entity';
import { BookingEntity } from '../bookings/booking.entity';

export const CALENDAR_SCHEMA = 'calendar';
export const CALENDAR_ENTITIES = [CalendarEntity, BookingEntity, OutboxEntity, InboxEntity, TimerEntity];

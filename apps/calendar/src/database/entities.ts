import { InboxEntity, OutboxEntity } from '@rocketlead/messaging';
import { TimerEntity } from '@rocketlead/timers';
import { CalendarEntity } from '../calendars/calendar.entity';
import { BookingEntity } from '../bookings/booking.entity';
import { CrmEventEntity } from '../crm-events/crm-event.entity';
import { EventRegistrationEntity } from '../crm-events/event-registration.entity';

export const CALENDAR_SCHEMA = 'calendar';
export const CALENDAR_ENTITIES = [
  CalendarEntity,
  BookingEntity,
  CrmEventEntity,
  EventRegistrationEntity,
  OutboxEntity,
  InboxEntity,
  TimerEntity,
];

import { COMMANDS } from '../names';
import type { Actor, Attendee, Booking, Calendar, Page } from '../models';
import { CHANNELS } from '../models';
import { s, type Schema } from '../validation';

// Request and response contracts of the `calendar` service.

export interface CalendarsCreateRequest {
  organizationId: string;
  name: string;
  timezone: string;
  exclusive: boolean;
}
export interface CalendarsGetRequest {
  organizationId: string;
  id: string;
}
export interface BookingsCreateRequest {
  actor: Actor;
  calendarId: string;
  startDateTime: string;
  endDateTime: string;
  tableEntryId?: string;
  title?: string;
  attendees?: Attendee[];
}
export interface BookingsGetRequest {
  organizationId: string;
  id: string;
}
export interface BookingsListRequest {
  organizationId: string;
  calendarId?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}
export interface BookingsUpdateRequest {
  actor: Actor;
  id: string;
  startDateTime?: string;
  endDateTime?: string;
  title?: string;
}
export interface BookingsActionRequest {
  actor: Actor;
  id: string;
}

export interface CalendarCommandMap {
  [COMMANDS.calendarsCreate]: [CalendarsCreateRequest, Calendar];
  [COMMANDS.calendarsGet]: [CalendarsGetRequest, Calendar];
  [COMMANDS.bookingsCreate]: [BookingsCreateRequest, Booking];
  [COMMANDS.bookingsGet]: [BookingsGetRequest, Booking];
  [COMMANDS.bookingsList]: [BookingsListRequest, Page<Booking>];
  [COMMANDS.bookingsUpdate]: [BookingsUpdateRequest, Booking];
  [COMMANDS.bookingsCancel]: [BookingsActionRequest, Booking];
  [COMMANDS.bookingsComplete]: [BookingsActionRequest, Booking];
  [COMMANDS.bookingsDelete]: [BookingsActionRequest, Booking];
}

const actor = s.object({
  organizationId: s.uuid(),
  channel: s.literal(...CHANNELS),
  apiTokenId: s.nullable(s.uuid()),
  memberId: s.nullable(s.string()),
  correlationId: s.string({ min: 1, max: 200 }),
  traceparent: s.nullable(s.string({ max: 200 })),
});
const attendee = s.object(
  {
    name: s.optional(s.string({ max: 200 })),
    email: s.optional(s.string({ max: 320 })),
    phone: s.optional(s.string({ max: 50 })),
  },
  { strict: true },
);
const action = s.object({ actor, id: s.uuid() });

export const CALENDAR_COMMAND_SCHEMAS: { [K in keyof CalendarCommandMap]: Schema<unknown> } = {
  [COMMANDS.calendarsCreate]: s.object({
    organizationId: s.uuid(),
    name: s.string({ min: 1, max: 200 }),
    timezone: s.string({ min: 1, max: 100 }),
    exclusive: s.boolean(),
  }),
  [COMMANDS.calendarsGet]: s.object({ organizationId: s.uuid(), id: s.uuid() }),
  [COMMANDS.bookingsCreate]: s.object({
    actor,
    calendarId: s.uuid(),
    startDateTime: s.string({ min: 1, max: 64 }),
    endDateTime: s.string({ min: 1, max: 64 }),
    tableEntryId: s.optional(s.uuid()),
    title: s.optional(s.string({ max: 500 })),
    attendees: s.optional(s.array(attendee, { max: 100 })),
  }),
  [COMMANDS.bookingsGet]: s.object({ organizationId: s.uuid(), id: s.uuid() }),
  [COMMANDS.bookingsList]: s.object({
    organizationId: s.uuid(),
    calendarId: s.optional(s.uuid()),
    from: s.optional(s.string({ max: 64 })),
    to: s.optional(s.string({ max: 64 })),
    limit: s.number({ int: true, min: 1, max: 100 }),
    cursor: s.optional(s.string({ max: 500 })),
  }),
  [COMMANDS.bookingsUpdate]: s.object({
    actor,
    id: s.uuid(),
    startDateTime: s.optional(s.string({ min: 1, max: 64 })),
    endDateTime: s.optional(s.string({ min: 1, max: 64 })),
    title: s.optional(s.string({ max: 500 })),
  }),
  [COMMANDS.bookingsCancel]: action,
  [COMMANDS.bookingsComplete]: action,
  [COMMANDS.bookingsDelete]: action,
};

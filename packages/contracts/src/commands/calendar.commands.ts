import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { COMMANDS } from '../names';
import type { Attendee, Booking, Calendar, Page } from '../models';
import { IsRequired, NestedMessage } from '../message-validation';
import { ActorMessage } from './actor.message';
import { ByIdQuery } from './leads.commands';
import { OrganizationScoped, PageCommand } from './page.command';

// Messages of the `calendar` service: HTTP bodies defined once, commands extend them.

export const BOOKINGS_LIMIT_MAX = 100;

// ---- HTTP bodies (Connect API) ----

/** A calendar's fields; every one may change (`PATCH`): `exclusive: true` is refused while booked appointments overlap. */
export class UpdateCalendarBody {
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  /** An IANA time zone name; checked by the calendar service. */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  timezone?: string;

  @IsOptional()
  @IsBoolean()
  exclusive?: boolean;
}

export class CreateCalendarBody extends UpdateCalendarBody {
  @IsRequired()
  override name: string;
}

export class AttendeeBody implements Attendee {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(50)
  phone?: string;
}

export class CreateBookingBody {
  @IsUUID()
  calendarId: string;

  /** ISO 8601 with an offset; parsed and compared by the calendar service. */
  @IsString()
  @Length(1, 64)
  startDateTime: string;

  @IsString()
  @Length(1, 64)
  endDateTime: string;

  @IsOptional()
  @IsUUID()
  tableEntryId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  title?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @NestedMessage(() => AttendeeBody, { each: true })
  attendees?: AttendeeBody[];
}

export class UpdateBookingBody {
  @IsOptional()
  @IsString()
  @Length(1, 64)
  startDateTime?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  endDateTime?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  title?: string;
}

// ---- Commands ----

/** Ingress fills the defaults (UTC, not exclusive), so the command carries every field. */
export class CalendarsCreateCommand extends CreateCalendarBody {
  @IsUUID()
  organizationId: string;

  @IsRequired()
  override timezone: string;

  @IsRequired()
  override exclusive: boolean;
}

export class CalendarsGetCommand extends ByIdQuery {}

export class CalendarsListCommand extends PageCommand {}

export class CalendarsUpdateCommand extends UpdateCalendarBody {
  @IsUUID()
  organizationId: string;

  @IsUUID()
  id: string;
}

export class BookingsCreateCommand extends CreateBookingBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  /**
   * Set by leads only (never from HTTP): `tableEntryId` is an entry leads is about to store in this request (a
   * form's new contact), so calendar does not ask whether it exists yet. Leads removes the booking if the
   * entry then cannot be stored.
   */
  @IsOptional()
  @IsBoolean()
  entryVouched?: boolean;
}

export class BookingsGetCommand extends ByIdQuery {}

export class BookingsListCommand extends OrganizationScoped {
  @IsOptional()
  @IsUUID()
  calendarId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  from?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  to?: string;

  @IsInt()
  @Min(1)
  @Max(BOOKINGS_LIMIT_MAX)
  limit: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class BookingsUpdateCommand extends UpdateBookingBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  id: string;
}

export class BookingsActionCommand {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  id: string;
}

// Request type names the services were written against.
export type CalendarsCreateRequest = CalendarsCreateCommand;
export type CalendarsGetRequest = CalendarsGetCommand;
export type CalendarsListRequest = CalendarsListCommand;
export type CalendarsUpdateRequest = CalendarsUpdateCommand;
export type BookingsCreateRequest = BookingsCreateCommand;
export type BookingsGetRequest = BookingsGetCommand;
export type BookingsListRequest = BookingsListCommand;
export type BookingsUpdateRequest = BookingsUpdateCommand;
export type BookingsActionRequest = BookingsActionCommand;

export interface CalendarCommandMap {
  [COMMANDS.calendarsCreate]: [CalendarsCreateCommand, Calendar];
  [COMMANDS.calendarsGet]: [CalendarsGetCommand, Calendar];
  [COMMANDS.calendarsList]: [CalendarsListCommand, Page<Calendar>];
  [COMMANDS.calendarsUpdate]: [CalendarsUpdateCommand, Calendar];
  [COMMANDS.bookingsCreate]: [BookingsCreateCommand, Booking];
  [COMMANDS.bookingsGet]: [BookingsGetCommand, Booking];
  [COMMANDS.bookingsList]: [BookingsListCommand, Page<Booking>];
  [COMMANDS.bookingsUpdate]: [BookingsUpdateCommand, Booking];
  [COMMANDS.bookingsCancel]: [BookingsActionCommand, Booking];
  [COMMANDS.bookingsComplete]: [BookingsActionCommand, Booking];
  [COMMANDS.bookingsDelete]: [BookingsActionCommand, Booking];
}

export const CALENDAR_COMMAND_CLASSES = {
  [COMMANDS.calendarsCreate]: CalendarsCreateCommand,
  [COMMANDS.calendarsGet]: CalendarsGetCommand,
  [COMMANDS.calendarsList]: CalendarsListCommand,
  [COMMANDS.calendarsUpdate]: CalendarsUpdateCommand,
  [COMMANDS.bookingsCreate]: BookingsCreateCommand,
  [COMMANDS.bookingsGet]: BookingsGetCommand,
  [COMMANDS.bookingsList]: BookingsListCommand,
  [COMMANDS.bookingsUpdate]: BookingsUpdateCommand,
  [COMMANDS.bookingsCancel]: BookingsActionCommand,
  [COMMANDS.bookingsComplete]: BookingsActionCommand,
  [COMMANDS.bookingsDelete]: BookingsActionCommand,
} satisfies { [K in keyof CalendarCommandMap]: new () => CalendarCommandMap[K][0] };

import {
  IsIn,
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
import type {
  CrmEvent,
  EventRegistration,
  Page,
  PublicCrmEvent,
  RegistrationResult,
  RsvpResult,
} from '../models';
import { IsNullable, NestedMessage } from '../message-validation';
import { ActorMessage } from './actor.message';
import { PageCommand } from './page.command';
import { ByIdQuery, NAME_MAX } from './leads.commands';
import { PublicRequestMessage } from './forms.commands';

// Messages of CRM events and their registrations, which `calendar` owns.

/** Bounds of CRM events (README, "Limits"). */
export const CRM_EVENT_LIMITS = {
  eventsPerOrganization: 1000,
  capacityMax: 1_000_000,
  eventbriteEventIdLength: 100,
  emailLength: 254,
  nameLength: 200,
  phoneLength: 50,
  externalOrderIdLength: 200,
  /**
   * RSVPs and cancellations of one event one client IP may make in a minute. Higher than a form's 10: the
   * people of one office, behind one address, register for the same event.
   */
  rsvpsPerMinute: 60,
} as const;

// ---- HTTP bodies (Connect API and the public RSVP) ----

class CrmEventSettingsBody {
  /** ISO 8601 with an offset, after `startsAt`. */
  @IsOptional()
  @IsNullable()
  @IsString()
  @Length(1, 64)
  endsAt?: string | null;

  /** Most active registrations an RSVP may fill (Eventbrite ones count too); null or absent = unlimited. */
  @IsOptional()
  @IsNullable()
  @IsInt()
  @Min(1)
  @Max(CRM_EVENT_LIMITS.capacityMax)
  capacity?: number | null;

  /** The Eventbrite event whose orders register contacts here; unique within the organization. */
  @IsOptional()
  @IsNullable()
  @IsString()
  @Length(1, CRM_EVENT_LIMITS.eventbriteEventIdLength)
  eventbriteEventId?: string | null;
}

export class CreateCrmEventBody extends CrmEventSettingsBody {
  @IsString()
  @Length(1, NAME_MAX)
  name: string;

  @IsUUID()
  tableId: string;

  /** ISO 8601 with an offset. */
  @IsString()
  @Length(1, 64)
  startsAt: string;
}

export class UpdateCrmEventBody extends CrmEventSettingsBody {
  @IsOptional()
  @IsString()
  @Length(1, NAME_MAX)
  name?: string;

  @IsOptional()
  @IsUUID()
  tableId?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  startsAt?: string;
}

export class RsvpBody {
  /** Checked as an email address and normalised by leads (contact matching). */
  @IsString()
  @Length(3, CRM_EVENT_LIMITS.emailLength)
  email: string;

  @IsOptional()
  @IsString()
  @Length(1, CRM_EVENT_LIMITS.nameLength)
  name?: string;

  @IsOptional()
  @IsString()
  @Length(1, CRM_EVENT_LIMITS.phoneLength)
  phone?: string;
}

export class RsvpCancelBody {
  @IsString()
  @Length(3, CRM_EVENT_LIMITS.emailLength)
  email: string;
}

// ---- Commands ----

export class CrmEventsCreateCommand extends CreateCrmEventBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;
}

export class CrmEventsListCommand extends PageCommand {}

export class CrmEventsGetCommand extends ByIdQuery {}

export class CrmEventsUpdateCommand extends UpdateCrmEventBody {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  id: string;
}

export class CrmEventsDeleteCommand {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  id: string;
}

export class CrmEventsPublicGetCommand {
  @IsUUID()
  id: string;
}

export class CrmEventsByEventbriteIdCommand {
  @IsUUID()
  organizationId: string;

  @IsString()
  @Length(1, CRM_EVENT_LIMITS.eventbriteEventIdLength)
  eventbriteEventId: string;
}

/** The registrations of event `id`, oldest first. */
export class RegistrationsListCommand extends PageCommand {
  @IsUUID()
  id: string;

  @IsOptional()
  @IsIn(['active', 'cancelled'])
  status?: 'active' | 'cancelled';
}

export class RegistrationsRsvpCommand extends RsvpBody {
  @IsUUID()
  eventId: string;

  @IsObject()
  @NestedMessage(() => PublicRequestMessage)
  request: PublicRequestMessage;
}

export class RegistrationsRsvpCancelCommand extends RsvpCancelBody {
  @IsUUID()
  eventId: string;

  @IsObject()
  @NestedMessage(() => PublicRequestMessage)
  request: PublicRequestMessage;
}

/**
 * Registers a contact integrations already resolved (Eventbrite): created, re-activated, or left as it is
 * when active (then no event). Capacity refuses RSVPs only: a sold ticket is a place already given.
 */
export class RegistrationsRegisterCommand {
  @IsObject()
  @NestedMessage(() => ActorMessage)
  actor: ActorMessage;

  @IsUUID()
  eventId: string;

  @IsUUID()
  entryId: string;

  /** The attendee's address as the provider gave it (a later RSVP cancel by email finds the registration). */
  @IsString()
  @Length(3, CRM_EVENT_LIMITS.emailLength)
  email: string;

  /** The pool the contact lives in (the connection's), carried by the event; default the CRM event's pool. */
  @IsOptional()
  @IsUUID()
  tableId?: string;

  @IsIn(['eventbrite'])
  source: 'eventbrite';

  @IsOptional()
  @IsNullable()
  @IsString()
  @MaxLength(CRM_EVENT_LIMITS.externalOrderIdLength)
  externalOrderId?: string | null;
}

/** Maps each command to its request class and response type, so callers and handlers agree. */
export interface CrmEventsCommandMap {
  [COMMANDS.crmEventsCreate]: [CrmEventsCreateCommand, CrmEvent];
  [COMMANDS.crmEventsList]: [CrmEventsListCommand, Page<CrmEvent>];
  [COMMANDS.crmEventsGet]: [CrmEventsGetCommand, CrmEvent];
  [COMMANDS.crmEventsUpdate]: [CrmEventsUpdateCommand, CrmEvent];
  [COMMANDS.crmEventsDelete]: [CrmEventsDeleteCommand, CrmEvent];
  [COMMANDS.crmEventsPublicGet]: [CrmEventsPublicGetCommand, PublicCrmEvent];
  [COMMANDS.crmEventsByEventbriteId]: [CrmEventsByEventbriteIdCommand, CrmEvent];
  [COMMANDS.registrationsList]: [RegistrationsListCommand, Page<EventRegistration>];
  [COMMANDS.registrationsRsvp]: [RegistrationsRsvpCommand, RsvpResult];
  [COMMANDS.registrationsRsvpCancel]: [RegistrationsRsvpCancelCommand, EventRegistration];
  [COMMANDS.registrationsRegister]: [RegistrationsRegisterCommand, RegistrationResult];
}

export const CRM_EVENTS_COMMAND_CLASSES = {
  [COMMANDS.crmEventsCreate]: CrmEventsCreateCommand,
  [COMMANDS.crmEventsList]: CrmEventsListCommand,
  [COMMANDS.crmEventsGet]: CrmEventsGetCommand,
  [COMMANDS.crmEventsUpdate]: CrmEventsUpdateCommand,
  [COMMANDS.crmEventsDelete]: CrmEventsDeleteCommand,
  [COMMANDS.crmEventsPublicGet]: CrmEventsPublicGetCommand,
  [COMMANDS.crmEventsByEventbriteId]: CrmEventsByEventbriteIdCommand,
  [COMMANDS.registrationsList]: RegistrationsListCommand,
  [COMMANDS.registrationsRsvp]: RegistrationsRsvpCommand,
  [COMMANDS.registrationsRsvpCancel]: RegistrationsRsvpCancelCommand,
  [COMMANDS.registrationsRegister]: RegistrationsRegisterCommand,
} satisfies { [K in keyof CrmEventsCommandMap]: new () => CrmEventsCommandMap[K][0] };

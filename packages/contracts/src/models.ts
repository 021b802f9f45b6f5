// Wire shapes of the documented RocketLead data model.

export const FIELD_TYPES = ['string', 'number', 'boolean', 'string[]'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export type TableSchema = Record<string, FieldType>;

export type EntryValue = string | number | boolean | string[] | null;
export type EntryData = Record<string, EntryValue>;

/** Data fields that identify a contact in a pool (duplicate detection); off when null. */
export interface DedupeConfig {
  /** Data keys compared; `email`-like values trimmed and case-insensitively, phone-like ones as E.164. */
  keys: string[];
  /** ISO 3166 region of phone numbers written without a country code (`DE`); null: such numbers never match. */
  phoneRegion: string | null;
}

export interface LeadPool {
  id: string;
  organizationId: string;
  name: string;
  defaultLeadStateId: string | null;
  tableSchema: TableSchema;
  dedupe: DedupeConfig | null;
  /** The data key holding a contact's birthday (`YYYY-MM-DD` or `MM-DD`); null: no birthday events. */
  birthdayField: string | null;
  createdAt: string;
}

/** Progress milestones a lead state may mark (Lead Actions "Validated" … "Closed"); each fires once per lead. */
export const MILESTONES = [
  'validated',
  'invalidated',
  'contacted',
  'qualified',
  'converted',
  'closed',
] as const;
export type Milestone = (typeof MILESTONES)[number];

export interface LeadState {
  id: string;
  tableId: string;
  name: string;
  isDefault: boolean;
  milestone: Milestone | null;
}

export interface CustomField {
  id: string;
  name: string;
  type: FieldType;
}

/** A tag as an entry shows it. */
export interface EntryTag {
  id: string;
  name: string;
}

export interface TableEntry {
  id: string;
  tableId: string;
  organizationId: string;
  data: EntryData;
  customFieldData: Record<string, EntryValue>;
  leadStateId: string;
  /** The member the lead is assigned to; null when unassigned. */
  assignedMemberId: string | null;
  /** The earliest entry of the pool this one duplicates (duplicate detection); null for an original. */
  duplicateOfId: string | null;
  /** Ordered by name. */
  tags: EntryTag[];
  createdAt: string;
  updatedAt: string;
}

/** A person of the organization leads are assigned to and who is notified. */
export interface Member {
  id: string;
  name: string;
  email: string;
  /** A deactivated member is never picked nor assigned. */
  active: boolean;
  groupIds: string[];
  createdAt: string;
}

export interface MemberGroup {
  id: string;
  name: string;
  memberIds: string[];
  createdAt: string;
}

export interface Tag {
  id: string;
  name: string;
  color: string | null;
}

export const ASSIGN_STRATEGIES = ['round_robin', 'random'] as const;
export type AssignStrategy = (typeof ASSIGN_STRATEGIES)[number];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const CHANNELS = [
  'connect_api',
  'ingress_webhook',
  'form',
  'console',
  'automation',
  'integration',
  'system',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Who caused a change; travels with commands and ends up in the event's extension attributes. */
export interface Actor {
  organizationId: string;
  channel: Channel;
  apiTokenId: string | null;
  memberId: string | null;
  correlationId: string;
  traceparent: string | null;
}

export interface Calendar {
  id: string;
  organizationId: string;
  name: string;
  timezone: string;
  exclusive: boolean;
  createdAt: string;
}

export const BOOKING_STATUSES = ['booked', 'cancelled', 'completed'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export interface Attendee {
  name?: string;
  email?: string;
  phone?: string;
}

export interface Booking {
  id: string;
  calendarId: string;
  organizationId: string;
  tableEntryId: string | null;
  title: string | null;
  attendees: Attendee[];
  startDateTime: string;
  endDateTime: string;
  status: BookingStatus;
  createdAt: string;
  updatedAt: string;
}

/** A sales pipeline: ordered stages a deal moves through. */
export interface PipelineStage {
  id: string;
  name: string;
  /** 0-based order in the pipeline. */
  position: number;
}

export interface Pipeline {
  id: string;
  name: string;
  stages: PipelineStage[];
  createdAt: string;
  updatedAt: string;
}

export const DEAL_STATUSES = ['open', 'won', 'lost'] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];

export interface Deal {
  id: string;
  entryId: string;
  pipelineId: string;
  stageId: string;
  title: string;
  value: number | null;
  /** ISO 4217 code (`EUR`); null without a value. */
  currency: string | null;
  status: DealStatus;
  createdAt: string;
  updatedAt: string;
}

/** Settings of an organization that services other than ingress read (its local day, for birthdays). */
export interface OrganizationSettings {
  /** IANA time zone; UTC by default. */
  timezone: string;
}

export const FORM_FIELD_TYPES = [
  'string',
  'email',
  'phone',
  'number',
  'boolean',
  'date',
  'select',
  'booking',
] as const;
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];

/** One input of a form; its value is stored under `key` in the entry's data. */
export interface FormField {
  key: string;
  label: string;
  type: FormFieldType;
  required: boolean;
  /** The choices of a `select` field; null for other types. */
  options: string[] | null;
  /** The length of the appointment a `booking` field books; null for other types. */
  durationMinutes: number | null;
}

/** A form (the RocketLead form widget): its submissions create or update contacts of one lead pool. */
export interface Form {
  id: string;
  name: string;
  tableId: string;
  fields: FormField[];
  /** The field whose normalised value identifies an existing contact of the pool. */
  dedupeKey: string;
  doubleOptIn: boolean;
  bookingCalendarId: string | null;
  redirectUrl: string | null;
  webhookUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What anyone may read of a form to render it: nothing internal. */
export interface PublicForm {
  id: string;
  name: string;
  fields: {
    key: string;
    label: string;
    type: FormFieldType;
    required: boolean;
    options?: string[];
    durationMinutes?: number;
  }[];
}

/** The answer to a submission: applied at once (`accepted`) or staged until the contact confirms by email. */
export type FormSubmitResult = { status: 'accepted'; entryId: string } | { status: 'pending_verification' };

/** A followed verification link: where to send the browser, or null for the confirmation page. */
export interface FormVerifyResult {
  formName: string;
  redirectUrl: string | null;
}

// ---- Integrations (Stripe, Eventbrite), products, CRM events ----

export const INTEGRATION_PROVIDERS = ['stripe', 'eventbrite'] as const;
export type IntegrationProvider = (typeof INTEGRATION_PROVIDERS)[number];

/** A provider connection; its secrets are stored encrypted and never returned. */
export interface IntegrationConnection {
  id: string;
  provider: IntegrationProvider;
  /** The lead pool where matched or new contacts live. */
  tableId: string;
  /** The path (under the platform's public address) to paste into the provider's dashboard. */
  webhookUrl: string;
  /** Stripe: whether line items can be fetched (an API key was given). */
  hasApiKey: boolean;
  createdAt: string;
}

export const INBOUND_WEBHOOK_STATUSES = ['pending', 'succeeded', 'ignored', 'failed'] as const;
/**
 * `pending`: stored, being processed or waiting for a retry; `succeeded`: processed; `ignored`: nothing to do
 * (unpaid, no linked product, unknown Eventbrite event, ...); `failed`: retries exhausted or a permanent error.
 */
export type InboundWebhookStatus = (typeof INBOUND_WEBHOOK_STATUSES)[number];

/** One inbound provider webhook and what became of it (`GET /connect/integrations/:id/deliveries`). */
export interface IntegrationDelivery {
  id: string;
  connectionId: string;
  provider: IntegrationProvider;
  /** Stripe: the event id (`evt_…`); Eventbrite: the action and `api_url`. Redeliveries share it. */
  externalId: string;
  /** Stripe: the event type; Eventbrite: `config.action`. */
  eventType: string;
  status: InboundWebhookStatus;
  attempts: number;
  /** Why it failed or was ignored (the last attempt's error while pending). */
  error: string | null;
  nextAttemptAt: string | null;
  receivedAt: string;
  processedAt: string | null;
}

/** The answer to a provider's webhook: always 200 once verified and stored (a redelivery is `duplicate`). */
export interface WebhookReceiveResult {
  status: 'accepted' | 'duplicate';
  deliveryId: string;
}

export interface Product {
  id: string;
  name: string;
  stripeProductId: string | null;
  stripePriceId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A CRM event contacts register for (Gordon CRM "events"), natively (RSVP) or through Eventbrite. */
export interface CrmEvent {
  id: string;
  name: string;
  /** The lead pool where RSVP contacts are matched or created. */
  tableId: string;
  startsAt: string;
  endsAt: string | null;
  /** Most active registrations (any source) an RSVP may fill; null = unlimited. */
  capacity: number | null;
  eventbriteEventId: string | null;
  /** Active registrations now. */
  registeredCount: number;
  createdAt: string;
  updatedAt: string;
}

/** What anyone may read of a CRM event (the RSVP page). */
export interface PublicCrmEvent {
  id: string;
  name: string;
  startsAt: string;
  endsAt: string | null;
  /** Places left for RSVPs; null = unlimited. */
  spotsLeft: number | null;
}

export const REGISTRATION_SOURCES = ['rsvp', 'eventbrite'] as const;
export type RegistrationSource = (typeof REGISTRATION_SOURCES)[number];

export interface EventRegistration {
  id: string;
  eventId: string;
  entryId: string;
  source: RegistrationSource;
  status: 'active' | 'cancelled';
  /** Eventbrite: the order that registered the contact. */
  externalOrderId: string | null;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
}

/** A registration and whether this request created or re-activated it (false: it was already active). */
export interface RegistrationResult {
  registration: EventRegistration;
  created: boolean;
}

/** The answer to a public RSVP: 201 `registered`, 200 `already_registered`. */
export interface RsvpResult {
  status: 'registered' | 'already_registered';
  registrationId: string;
  entryId: string;
}

/** A contact found by normalised email in a pool, or created there. */
export interface ContactResolution {
  entryId: string;
  created: boolean;
}

// Wire shapes of the documented RocketLead data model.

export const FIELD_TYPES = ['string', 'number', 'boolean', 'string[]'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export type TableSchema = Record<string, FieldType>;

export type EntryValue = string | number | boolean | string[] | null;
export type EntryData = Record<string, EntryValue>;

export interface LeadPool {
  id: string;
  organizationId: string;
  name: string;
  defaultLeadStateId: string | null;
  tableSchema: TableSchema;
  createdAt: string;
}

export interface LeadState {
  id: string;
  tableId: string;
  name: string;
  isDefault: boolean;
}

export interface CustomField {
  id: string;
  name: string;
  type: FieldType;
}

export interface TableEntry {
  id: string;
  tableId: string;
  organizationId: string;
  data: EntryData;
  customFieldData: Record<string, EntryValue>;
  leadStateId: string;
  createdAt: string;
  updatedAt: string;
}

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

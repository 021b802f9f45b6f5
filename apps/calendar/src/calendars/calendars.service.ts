import { Injectable } from '@nestjs/common';
import {
  DomainError,
  type Calendar,
  type CalendarsCreateRequest,
  type CalendarsGetRequest,
  type CalendarsListRequest,
  type Page,
} from '@rocketlead/contracts';
import { clientCursor, pageOf } from '@rocketlead/persistence';
import { isValidTimeZone } from '../bookings/date-time';
import { CalendarsRepository, toCalendar } from './calendars.repository';

// Lower-cased name → IANA spelling of every zone ICU lists, plus `UTC` (which it lists as an alias).
let spellings: Map<string, string> | undefined;

/** `Word/Word_Word`: the conventional IANA capitalisation a client may already have used for an alias. */
const conventional = (zone: string): string =>
  zone.toLowerCase().replace(/(^|[/_-])([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase());

/**
 * The stored spelling of a valid zone: `utc` → `UTC`, `europe/berlin` → `Europe/Berlin`. A zone ICU lists is
 * spelled as listed; an alias it does not list (`Asia/Kolkata`) is kept when conventionally capitalised and
 * otherwise replaced by the zone it links to (`us/pacific` → `America/Los_Angeles`).
 */
export function canonicalTimeZone(zone: string): string {
  spellings ??= new Map(['UTC', ...Intl.supportedValuesOf('timeZone')].map((z) => [z.toLowerCase(), z]));
  const listed = spellings.get(zone.toLowerCase());
  if (listed) return listed;
  if (zone === conventional(zone)) return zone;
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}

export const calendarNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Calendar not found');

@Injectable()
export class CalendarsService {
  constructor(private readonly calendars: CalendarsRepository) {}

  async create(request: CalendarsCreateRequest): Promise<Calendar> {
    if (!isValidTimeZone(request.timezone)) {
      throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
        errors: [{ field: 'timezone', message: `unknown IANA time zone "${request.timezone}"` }],
      });
    }
    const timezone = canonicalTimeZone(request.timezone);
    return toCalendar(
      await this.calendars.insert(request.organizationId, request.name, timezone, request.exclusive),
    );
  }

  async get(request: CalendarsGetRequest): Promise<Calendar> {
    const row = await this.calendars.find(request.organizationId, request.id);
    if (!row) throw calendarNotFound();
    return toCalendar(row);
  }

  async list(request: CalendarsListRequest): Promise<Page<Calendar>> {
    const after = clientCursor(request.cursor || undefined);
    // One extra row tells whether another page exists.
    const rows = await this.calendars.list(request.organizationId, request.limit + 1, after);
    const page = pageOf(rows, request.limit, (row) => ({ at: row.createdAt.toISOString(), id: row.id }));
    return { items: page.items.map(toCalendar), nextCursor: page.nextCursor };
  }
}

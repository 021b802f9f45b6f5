import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  type Calendar,
  type CalendarsCreateRequest,
  type CalendarsGetRequest,
  type CalendarsListRequest,
  type CalendarsUpdateRequest,
  type Page,
} from '@rocketlead/contracts';
import { clientCursor, pageOf, TRANSACTION, type Transactional } from '@rocketlead/persistence';
import { isValidTimeZone } from '../bookings/date-time';
import { isOverlap } from '../bookings/bookings.repository';
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

/** The stored spelling of a zone a client sent; an unknown one is a 400 naming `timezone`. */
function checkedTimeZone(zone: string): string {
  if (!isValidTimeZone(zone)) {
    throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
      errors: [{ field: 'timezone', message: `unknown IANA time zone "${zone}"` }],
    });
  }
  return canonicalTimeZone(zone);
}

export const calendarNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Calendar not found');

@Injectable()
export class CalendarsService {
  constructor(
    private readonly calendars: CalendarsRepository,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  async create(request: CalendarsCreateRequest): Promise<Calendar> {
    const timezone = checkedTimeZone(request.timezone);
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

  /**
   * Renames, moves to another zone (booked times stay the instants they are), or turns exclusivity on or off.
   * Turning it on while booked appointments overlap is a 409 naming two of them; nothing changes then.
   */
  async update(request: CalendarsUpdateRequest): Promise<Calendar> {
    const { organizationId, id } = request;
    // A field sent as null is kept, as in every PATCH of the Connect API.
    const changes = {
      ...(request.name != null ? { name: request.name } : {}),
      ...(request.timezone != null ? { timezone: checkedTimeZone(request.timezone) } : {}),
      ...(request.exclusive != null ? { exclusive: request.exclusive } : {}),
    };
    try {
      return await this.transaction(async (manager) => {
        const row = await this.calendars.lockForChange(manager, organizationId, id);
        if (!row) throw calendarNotFound();
        if (Object.keys(changes).length === 0) return toCalendar(row);
        if (changes.exclusive !== undefined && changes.exclusive !== row.exclusive)
          await this.calendars.setBookingsExclusive(manager, organizationId, id, changes.exclusive);
        return toCalendar(await this.calendars.update(manager, row, changes));
      });
    } catch (error) {
      if (!isOverlap(error)) throw error;
      // Read after the rollback; the pair is null only if one of them moved away meanwhile.
      const pair = await this.calendars.overlappingPair(organizationId, id);
      throw new DomainError(
        'CONFLICT',
        pair
          ? `Booking ${pair[0]} overlaps booking ${pair[1]}: the calendar cannot be exclusive`
          : 'Booked appointments overlap: the calendar cannot be exclusive',
        { conflictingBookingIds: pair ?? [] },
      );
    }
  }
}

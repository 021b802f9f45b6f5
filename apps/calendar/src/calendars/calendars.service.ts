import { Injectable } from '@nestjs/common';
import {
  DomainError,
  type Calendar,
  type CalendarsCreateRequest,
  type CalendarsGetRequest,
} from '@rocketlead/contracts';
import { isValidTimeZone } from '../bookings/date-time';
import { CalendarsRepository, toCalendar } from './calendars.repository';

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
    return toCalendar(
      await this.calendars.insert(request.organizationId, request.name, request.timezone, request.exclusive),
    );
  }

  async get(request: CalendarsGetRequest): Promise<Calendar> {
    const row = await this.calendars.find(request.organizationId, request.id);
    if (!row) throw calendarNotFound();
    return toCalendar(row);
  }
}

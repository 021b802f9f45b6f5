import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type Calendar } from '@rocketlead/contracts';
import { newestFirst, type CursorPosition } from '@rocketlead/persistence';
import { CalendarEntity } from './calendar.entity';

export const toCalendar = (row: CalendarEntity): Calendar => ({
  id: row.id,
  organizationId: row.organizationId,
  name: row.name,
  timezone: row.timezone,
  exclusive: row.exclusive,
  createdAt: row.createdAt.toISOString(),
});

// The columns under the entity's property names, so a listed row is read like a found one.
const LISTED =
  'id, organization_id AS "organizationId", name, timezone, exclusive, created_at AS "createdAt"';

@Injectable()
export class CalendarsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(CalendarEntity);
  }

  insert(
    organizationId: string,
    name: string,
    timezone: string,
    exclusive: boolean,
  ): Promise<CalendarEntity> {
    return this.repo().save(this.repo().create({ id: uuidv7(), organizationId, name, timezone, exclusive }));
  }

  find(organizationId: string, id: string, manager?: EntityManager): Promise<CalendarEntity | null> {
    return this.repo(manager).findOneBy({ organizationId, id });
  }

  /** Newest first, after `after`; `limit` rows at most. */
  list(organizationId: string, limit: number, after?: CursorPosition): Promise<CalendarEntity[]> {
    return newestFirst<CalendarEntity>(
      this.dataSource,
      'calendar.calendars',
      LISTED,
      organizationId,
      limit,
      after,
    );
  }

  /** The calendar under a row lock that bookings being placed on it wait for (see `exclusiveForPlacing`). */
  lockForChange(manager: EntityManager, organizationId: string, id: string): Promise<CalendarEntity | null> {
    return this.repo(manager)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.organization_id = :organizationId AND c.id = :id', { organizationId, id })
      .getOne();
  }

  /**
   * Whether a booking placed now is exclusive, read under a share lock held to the commit: a change of the
   * flag waits for the booking, or the booking for the change, so no booking copies a flag already replaced.
   */
  async exclusiveForPlacing(
    manager: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<boolean | null> {
    const rows = (await manager.query(
      'SELECT exclusive FROM calendar.calendars WHERE organization_id = $1 AND id = $2 FOR SHARE',
      [organizationId, id],
    )) as { exclusive: boolean }[];
    return rows[0]?.exclusive ?? null;
  }

  async update(
    manager: EntityManager,
    row: CalendarEntity,
    changes: Partial<Pick<CalendarEntity, 'name' | 'timezone' | 'exclusive'>>,
  ): Promise<CalendarEntity> {
    await this.repo(manager).update({ organizationId: row.organizationId, id: row.id }, changes);
    return Object.assign(row, changes);
  }

  /** Copies the calendar's flag to its bookings, where the no-overlap constraint reads it. */
  async setBookingsExclusive(
    manager: EntityManager,
    organizationId: string,
    calendarId: string,
    exclusive: boolean,
  ): Promise<void> {
    await manager.query(
      `UPDATE calendar.bookings SET exclusive = $3
       WHERE organization_id = $1 AND calendar_id = $2 AND exclusive <> $3`,
      [organizationId, calendarId, exclusive],
    );
  }

  /** Two booked appointments of the calendar that overlap, earliest first; null when none do. */
  async overlappingPair(organizationId: string, calendarId: string): Promise<[string, string] | null> {
    const rows = (await this.dataSource.query(
      `SELECT a.id AS first, b.id AS second FROM calendar.bookings a
       JOIN calendar.bookings b ON b.organization_id = a.organization_id AND b.calendar_id = a.calendar_id
         AND b.status = 'booked' AND b.id <> a.id
         AND tstzrange(b.start_at, b.end_at, '[)') && tstzrange(a.start_at, a.end_at, '[)')
         AND (b.start_at, b.id) > (a.start_at, a.id)
       WHERE a.organization_id = $1 AND a.calendar_id = $2 AND a.status = 'booked'
       ORDER BY a.start_at, a.id, b.start_at, b.id LIMIT 1`,
      [organizationId, calendarId],
    )) as { first: string; second: string }[];
    return rows[0] ? [rows[0].first, rows[0].second] : null;
  }
}

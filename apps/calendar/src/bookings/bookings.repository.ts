import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { uuidv7, type Attendee, type Booking, type BookingStatus } from '@rocketlead/contracts';
import type { CursorPosition } from '@rocketlead/persistence';
import { BookingEntity, NO_OVERLAP_CONSTRAINT } from './booking.entity';

export const toBooking = (row: BookingEntity): Booking => ({
  id: row.id,
  calendarId: row.calendarId,
  organizationId: row.organizationId,
  tableEntryId: row.tableEntryId,
  title: row.title,
  attendees: row.attendees,
  startDateTime: row.startAt.toISOString(),
  endDateTime: row.endAt.toISOString(),
  status: row.status,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export interface NewBooking {
  organizationId: string;
  calendarId: string;
  exclusive: boolean;
  tableEntryId: string | null;
  title: string | null;
  attendees: Attendee[];
  startAt: Date;
  endAt: Date;
}

export type BookingChanges = Partial<Pick<BookingEntity, 'startAt' | 'endAt' | 'title' | 'status'>>;

const EXCLUSION_VIOLATION = '23P01';

/** True for the violation of the no-overlap constraint (a TypeORM QueryFailedError or a pg error). */
export function isOverlap(error: unknown): boolean {
  const e = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  return (
    (e.code ?? e.driverError?.code) === EXCLUSION_VIOLATION &&
    (e.constraint ?? e.driverError?.constraint) === NO_OVERLAP_CONSTRAINT
  );
}

const DEADLOCK_DETECTED = '40P01';

/** True when Postgres aborted the transaction to break a deadlock (its changes are rolled back). */
export function isDeadlock(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return (e.code ?? e.driverError?.code) === DEADLOCK_DETECTED;
}

interface BookingRow {
  id: string;
  organization_id: string;
  calendar_id: string;
  table_entry_id: string | null;
  title: string | null;
  attendees: Attendee[];
  start_at: Date;
  end_at: Date;
  status: BookingStatus;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, organization_id, calendar_id, table_entry_id, title, attendees, start_at, end_at, status, created_at, updated_at';

const fromRow = (r: BookingRow): Booking => ({
  id: r.id,
  calendarId: r.calendar_id,
  organizationId: r.organization_id,
  tableEntryId: r.table_entry_id,
  title: r.title,
  attendees: r.attendees,
  startDateTime: r.start_at.toISOString(),
  endDateTime: r.end_at.toISOString(),
  status: r.status,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

@Injectable()
export class BookingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(BookingEntity);
  }

  /**
   * Takes the calendar's placing lock until the transaction ends. Concurrent inserts checked only by the
   * exclusion constraint wait on each other's uncommitted rows and can deadlock in chains; one at a time per
   * exclusive calendar, each sees the previous outcome and the constraint answers plainly.
   */
  async lockPlacing(manager: EntityManager, calendarId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('calendar.placing:' || $1, 0))`, [
      calendarId,
    ]);
  }

  /** Inserts a new booking; on an exclusive calendar an overlap fails with the error `isOverlap` recognizes. */
  async insert(manager: EntityManager, booking: NewBooking): Promise<BookingEntity> {
    const now = new Date();
    const row = this.repo(manager).create({
      ...booking,
      id: uuidv7(now.getTime()),
      status: 'booked',
      createdAt: now,
      updatedAt: now,
    });
    await this.repo(manager).insert(row);
    return row;
  }

  find(organizationId: string, id: string, manager?: EntityManager): Promise<BookingEntity | null> {
    return this.repo(manager).findOneBy({ organizationId, id });
  }

  /** Bookings by id, across organizations (callers check the organization of each). */
  findMany(ids: string[], manager?: EntityManager): Promise<BookingEntity[]> {
    return this.repo(manager).findBy({ id: In(ids) });
  }

  /** The booking under a row lock, for changes that must see its latest state. */
  lock(manager: EntityManager, organizationId: string, id: string): Promise<BookingEntity | null> {
    return this.repo(manager)
      .createQueryBuilder('b')
      .setLock('pessimistic_write')
      .where('b.organization_id = :organizationId AND b.id = :id', { organizationId, id })
      .getOne();
  }

  /** Applies the changes to a locked row; may fail with an overlap when the times move. */
  async update(manager: EntityManager, row: BookingEntity, changes: BookingChanges): Promise<BookingEntity> {
    const applied = { ...changes, updatedAt: new Date() };
    await this.repo(manager).update({ organizationId: row.organizationId, id: row.id }, applied);
    return Object.assign(row, applied);
  }

  async remove(manager: EntityManager, row: BookingEntity): Promise<void> {
    await this.repo(manager).delete({ organizationId: row.organizationId, id: row.id });
  }

  /** An active booking of an exclusive calendar overlapping [start, end), other than `exceptId`. */
  async findOverlapping(
    organizationId: string,
    calendarId: string,
    start: Date,
    end: Date,
    exceptId?: string,
  ): Promise<string | null> {
    // Same predicate as the exclusion constraint, so its gist index answers this.
    const rows = (await this.dataSource.query(
      `SELECT id FROM calendar.bookings
       WHERE organization_id = $1 AND calendar_id = $2 AND exclusive AND status = 'booked'
         AND tstzrange(start_at, end_at, '[)') && tstzrange($3, $4, '[)')
         AND ($5::uuid IS NULL OR id <> $5::uuid)
       ORDER BY start_at, id LIMIT 1`,
      [organizationId, calendarId, start, end, exceptId ?? null],
    )) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  /** Ordered by start time then id; `after` continues past the given position, so pages never overlap. */
  async list(
    organizationId: string,
    filter: { calendarId?: string; from?: Date; to?: Date },
    limit: number,
    after?: CursorPosition,
  ): Promise<Booking[]> {
    const params: unknown[] = [organizationId];
    const where = ['organization_id = $1'];
    const add = (sql: (n: number) => string, ...values: unknown[]): void => {
      params.push(...values);
      where.push(sql(params.length));
    };
    if (filter.calendarId) add((n) => `calendar_id = $${n}`, filter.calendarId);
    // Bookings overlapping [from, to): they end after `from` and start before `to`.
    if (filter.from) add((n) => `end_at > $${n}`, filter.from);
    if (filter.to) add((n) => `start_at < $${n}`, filter.to);
    if (after) add((n) => `(start_at, id) > ($${n - 1}::timestamptz, $${n}::uuid)`, after.at, after.id);
    params.push(limit);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM calendar.bookings WHERE ${where.join(' AND ')}
       ORDER BY start_at, id LIMIT $${params.length}`,
      params,
    )) as BookingRow[];
    return rows.map(fromRow);
  }
}

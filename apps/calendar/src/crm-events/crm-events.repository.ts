import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type CrmEvent } from '@rocketlead/contracts';
import type { CursorPosition } from '@rocketlead/persistence';
import { CrmEventEntity, EVENTBRITE_EVENT_UNIQUE } from './crm-event.entity';

/** A CRM event as stored, with its active registrations counted. */
export interface StoredCrmEvent {
  id: string;
  organizationId: string;
  name: string;
  tableId: string;
  startsAt: Date;
  endsAt: Date | null;
  capacity: number | null;
  eventbriteEventId: string | null;
  registeredCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export type CrmEventFields = Pick<
  CrmEventEntity,
  'organizationId' | 'name' | 'tableId' | 'startsAt' | 'endsAt' | 'capacity' | 'eventbriteEventId'
>;

export type CrmEventChanges = Partial<
  Pick<CrmEventEntity, 'name' | 'tableId' | 'startsAt' | 'endsAt' | 'capacity' | 'eventbriteEventId'>
>;

export const toCrmEvent = (row: StoredCrmEvent): CrmEvent => ({
  id: row.id,
  name: row.name,
  tableId: row.tableId,
  startsAt: row.startsAt.toISOString(),
  endsAt: row.endsAt?.toISOString() ?? null,
  capacity: row.capacity,
  eventbriteEventId: row.eventbriteEventId,
  registeredCount: row.registeredCount,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const UNIQUE_VIOLATION = '23505';

/** True when the change linked an Eventbrite event another CRM event of the organization already links. */
export function isEventbriteConflict(error: unknown): boolean {
  const e = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  return (
    (e.code ?? e.driverError?.code) === UNIQUE_VIOLATION &&
    (e.constraint ?? e.driverError?.constraint) === EVENTBRITE_EVENT_UNIQUE
  );
}

interface CrmEventRow {
  id: string;
  organization_id: string;
  name: string;
  table_id: string;
  starts_at: Date;
  ends_at: Date | null;
  capacity: number | null;
  eventbrite_event_id: string | null;
  registered_count: number;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `SELECT e.id, e.organization_id, e.name, e.table_id, e.starts_at, e.ends_at, e.capacity,
    e.eventbrite_event_id, e.created_at, e.updated_at,
    (SELECT count(*)::int FROM calendar.event_registrations r
      WHERE r.event_id = e.id AND r.status = 'active') AS registered_count
  FROM calendar.crm_events e`;

const fromRow = (r: CrmEventRow): StoredCrmEvent => ({
  id: r.id,
  organizationId: r.organization_id,
  name: r.name,
  tableId: r.table_id,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  capacity: r.capacity,
  eventbriteEventId: r.eventbrite_event_id,
  registeredCount: r.registered_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

@Injectable()
export class CrmEventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager: EntityManager) {
    return manager.getRepository(CrmEventEntity);
  }

  private async select(where: string, params: unknown[], manager?: EntityManager): Promise<StoredCrmEvent[]> {
    const rows = (await (manager ?? this.dataSource.manager).query(
      `${SELECT} WHERE ${where}`,
      params,
    )) as CrmEventRow[];
    return rows.map(fromRow);
  }

  /**
   * How many events the organization has, counted after serializing (until commit) the transactions that add
   * to them: there is no organization row to lock, and the count must stay exact under concurrent creates.
   */
  async lockAndCount(manager: EntityManager, organizationId: string): Promise<number> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('calendar.crm_events:' || $1, 0))`, [
      organizationId,
    ]);
    const rows = (await manager.query(
      'SELECT count(*)::int AS n FROM calendar.crm_events WHERE organization_id = $1',
      [organizationId],
    )) as { n: number }[];
    return rows[0]?.n ?? 0;
  }

  /** Fails with the error `isEventbriteConflict` recognizes when the Eventbrite event is linked already. */
  async insert(manager: EntityManager, fields: CrmEventFields): Promise<StoredCrmEvent> {
    const now = new Date();
    const row = this.repo(manager).create({
      ...fields,
      id: uuidv7(now.getTime()),
      createdAt: now,
      updatedAt: now,
    });
    await this.repo(manager).insert(row);
    return { ...row, registeredCount: 0 };
  }

  async find(organizationId: string, id: string): Promise<StoredCrmEvent | null> {
    return (await this.select('e.organization_id = $1 AND e.id = $2', [organizationId, id]))[0] ?? null;
  }

  /** The event whatever its organization: only for what anyone may see or do (the RSVP page and form). */
  async findPublic(id: string): Promise<StoredCrmEvent | null> {
    return (await this.select('e.id = $1', [id]))[0] ?? null;
  }

  async findByEventbriteId(
    organizationId: string,
    eventbriteEventId: string,
  ): Promise<StoredCrmEvent | null> {
    const found = await this.select('e.organization_id = $1 AND e.eventbrite_event_id = $2', [
      organizationId,
      eventbriteEventId,
    ]);
    return found[0] ?? null;
  }

  /**
   * The event under a row lock until commit: changes to it, and registrations for it, are taken one at a
   * time, so a capacity check and the insert it allows cannot interleave with another's.
   */
  async lock(manager: EntityManager, organizationId: string, id: string): Promise<StoredCrmEvent | null> {
    await manager.query(
      'SELECT 1 FROM calendar.crm_events WHERE organization_id = $1 AND id = $2 FOR UPDATE',
      [organizationId, id],
    );
    return (
      (await this.select('e.organization_id = $1 AND e.id = $2', [organizationId, id], manager))[0] ?? null
    );
  }

  /** Applies the changes to a locked event; may fail with an Eventbrite conflict. */
  async update(
    manager: EntityManager,
    row: StoredCrmEvent,
    changes: CrmEventChanges,
  ): Promise<StoredCrmEvent> {
    const applied = { ...changes, updatedAt: new Date() };
    await this.repo(manager).update({ organizationId: row.organizationId, id: row.id }, applied);
    return { ...row, ...applied };
  }

  /** Hard delete; the registrations go with it (foreign key `ON DELETE CASCADE`). */
  async delete(manager: EntityManager, row: StoredCrmEvent): Promise<void> {
    await this.repo(manager).delete({ organizationId: row.organizationId, id: row.id });
  }

  /** By start time then id; `after` continues past the given position, so pages never overlap. */
  async list(organizationId: string, limit: number, after?: CursorPosition): Promise<StoredCrmEvent[]> {
    const params: unknown[] = [organizationId];
    let where = 'e.organization_id = $1';
    if (after) {
      params.push(after.at, after.id);
      where += ' AND (e.starts_at, e.id) > ($2::timestamptz, $3::uuid)';
    }
    params.push(limit);
    return this.select(`${where} ORDER BY e.starts_at, e.id LIMIT $${params.length}`, params);
  }
}

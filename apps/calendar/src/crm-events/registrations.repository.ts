import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { uuidv7, type EventRegistration, type RegistrationSource } from '@rocketlead/contracts';
import type { CursorPosition } from '@rocketlead/persistence';
import { EventRegistrationEntity, type RegistrationStatus } from './event-registration.entity';

export const toRegistration = (row: EventRegistrationEntity): EventRegistration => ({
  id: row.id,
  eventId: row.eventId,
  entryId: row.entryId,
  source: row.source,
  status: row.status,
  externalOrderId: row.externalOrderId,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  cancelledAt: row.cancelledAt?.toISOString() ?? null,
});

/** Who registers and how: an RSVP, or an Eventbrite order. `email` is normalised. */
export interface Registrant {
  entryId: string;
  /** The contact's pool; null = the CRM event's. */
  tableId: string | null;
  email: string;
  source: RegistrationSource;
  externalOrderId: string | null;
}

@Injectable()
export class RegistrationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(EventRegistrationEntity);
  }

  findByEntry(
    manager: EntityManager,
    organizationId: string,
    eventId: string,
    entryId: string,
  ): Promise<EventRegistrationEntity | null> {
    return this.repo(manager).findOneBy({ organizationId, eventId, entryId });
  }

  hasActiveByEmail(organizationId: string, eventId: string, email: string): Promise<boolean> {
    return this.repo().existsBy({ organizationId, eventId, email, status: 'active' });
  }

  async insert(
    manager: EntityManager,
    organizationId: string,
    eventId: string,
    registrant: Registrant,
  ): Promise<EventRegistrationEntity> {
    const now = new Date();
    const row = this.repo(manager).create({
      ...registrant,
      id: uuidv7(now.getTime()),
      organizationId,
      eventId,
      status: 'active',
      createdAt: now,
      updatedAt: now,
      cancelledAt: null,
    });
    await this.repo(manager).insert(row);
    return row;
  }

  /** A cancelled registration active again, as this registrant's (its source and order are theirs now). */
  async reactivate(
    manager: EntityManager,
    row: EventRegistrationEntity,
    registrant: Registrant,
  ): Promise<EventRegistrationEntity> {
    const applied = {
      email: registrant.email,
      tableId: registrant.tableId,
      source: registrant.source,
      externalOrderId: registrant.externalOrderId,
      status: 'active' as const,
      cancelledAt: null,
      updatedAt: new Date(),
    };
    await this.repo(manager).update({ organizationId: row.organizationId, id: row.id }, applied);
    return Object.assign(row, applied);
  }

  /** Cancels the event's active registrations with this (normalised) email; the latest first. */
  async cancelActiveByEmail(
    manager: EntityManager,
    organizationId: string,
    eventId: string,
    email: string,
  ): Promise<EventRegistrationEntity[]> {
    const rows = await this.repo(manager).find({
      where: { organizationId, eventId, email, status: 'active' },
      order: { createdAt: 'DESC', id: 'DESC' },
      lock: { mode: 'pessimistic_write' },
    });
    if (!rows.length) return [];
    const now = new Date();
    const applied = { status: 'cancelled' as const, cancelledAt: now, updatedAt: now };
    await this.repo(manager).update({ organizationId, id: In(rows.map((row) => row.id)) }, applied);
    return rows.map((row) => Object.assign(row, applied));
  }

  /** Oldest first; `after` continues past the given position, so pages never overlap. */
  list(
    organizationId: string,
    eventId: string,
    status: RegistrationStatus | undefined,
    limit: number,
    after?: CursorPosition,
  ): Promise<EventRegistrationEntity[]> {
    const query = this.repo()
      .createQueryBuilder('r')
      .where('r.organization_id = :organizationId AND r.event_id = :eventId', { organizationId, eventId });
    if (status) query.andWhere('r.status = :status', { status });
    if (after)
      query.andWhere('(r.created_at, r.id) > (:at::timestamptz, :id::uuid)', { at: after.at, id: after.id });
    return query.orderBy('r.created_at', 'ASC').addOrderBy('r.id', 'ASC').limit(limit).getMany();
  }
}

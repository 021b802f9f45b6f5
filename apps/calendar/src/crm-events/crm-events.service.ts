import { Inject, Injectable } from '@nestjs/common';
import {
  validationFailed,
  CRM_EVENT_LIMITS,
  type Actor,
  type CrmEvent,
  type CrmEventsByEventbriteIdCommand,
  type CrmEventsCreateCommand,
  type CrmEventsDeleteCommand,
  type CrmEventsGetCommand,
  type CrmEventsListCommand,
  type CrmEventsPublicGetCommand,
  type CrmEventsUpdateCommand,
  type Page,
  type PublicCrmEvent,
} from '@rocketlead/contracts';
import { clientCursor, pageOf, TRANSACTION, type Transactional } from '@rocketlead/persistence';
import { LeadsGateway } from '../gateways/leads.gateway';
import { checkTimeOrder, parseDateTimes } from '../bookings/date-time';
import { eventbriteLinked, eventNotFound, spotsLeft } from './crm-event-rules';
import {
  CrmEventsRepository,
  isEventbriteConflict,
  toCrmEvent,
  type CrmEventChanges,
} from './crm-events.repository';

const TIME_FIELDS = { start: 'startsAt', end: 'endsAt' };

/** CRM events of an organization (Connect API), and what anyone or integrations may read of them. */
@Injectable()
export class CrmEventsService {
  constructor(
    private readonly events: CrmEventsRepository,
    private readonly leads: LeadsGateway,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  async create(command: CrmEventsCreateCommand): Promise<CrmEvent> {
    const { actor } = command;
    const times = parseDateTimes({ startsAt: command.startsAt, endsAt: command.endsAt });
    const startsAt = times.startsAt!;
    const endsAt = times.endsAt ?? null;
    if (endsAt) checkTimeOrder(startsAt, endsAt, TIME_FIELDS);
    await this.checkPool(actor, command.tableId);
    const row = await this.linking(actor.organizationId, command.eventbriteEventId, () =>
      this.transaction(async (manager) => {
        const count = await this.events.lockAndCount(manager, actor.organizationId);
        const limit = CRM_EVENT_LIMITS.eventsPerOrganization;
        if (count >= limit)
          throw validationFailed([
            { field: 'name', message: `an organization has at most ${limit} events; this one is full` },
          ]);
        return this.events.insert(manager, {
          organizationId: actor.organizationId,
          name: command.name,
          tableId: command.tableId,
          startsAt,
          endsAt,
          capacity: command.capacity ?? null,
          eventbriteEventId: command.eventbriteEventId ?? null,
        });
      }),
    );
    return toCrmEvent(row);
  }

  async list(command: CrmEventsListCommand): Promise<Page<CrmEvent>> {
    const after = clientCursor(command.cursor);
    // One extra row tells whether another page exists.
    const rows = await this.events.list(command.organizationId, command.limit + 1, after);
    const page = pageOf(rows, command.limit, (row) => ({ at: row.startsAt.toISOString(), id: row.id }));
    return { items: page.items.map(toCrmEvent), nextCursor: page.nextCursor };
  }

  async get(command: CrmEventsGetCommand): Promise<CrmEvent> {
    const row = await this.events.find(command.organizationId, command.id);
    if (!row) throw eventNotFound();
    return toCrmEvent(row);
  }

  /** Any of the fields; null clears `endsAt`, `capacity` and `eventbriteEventId`. The result is checked whole. */
  async update(command: CrmEventsUpdateCommand): Promise<CrmEvent> {
    const { actor } = command;
    const requested = parseDateTimes({ startsAt: command.startsAt, endsAt: command.endsAt });
    // name and tableId sent as null are kept, as in every PATCH of the Connect API (the columns are required).
    if (command.tableId != null) await this.checkPool(actor, command.tableId);
    const row = await this.linking(actor.organizationId, command.eventbriteEventId, () =>
      this.transaction(async (manager) => {
        const current = await this.events.lock(manager, actor.organizationId, command.id);
        if (!current) throw eventNotFound();
        // The times a PATCH leaves out are the event's current ones, read under the lock.
        const startsAt = requested.startsAt ?? current.startsAt;
        const endsAt = command.endsAt === undefined ? current.endsAt : (requested.endsAt ?? null);
        if (endsAt) checkTimeOrder(startsAt, endsAt, TIME_FIELDS);
        const changes: CrmEventChanges = {
          ...(command.name != null ? { name: command.name } : {}),
          ...(command.tableId != null ? { tableId: command.tableId } : {}),
          ...(requested.startsAt ? { startsAt } : {}),
          ...(command.endsAt !== undefined ? { endsAt } : {}),
          ...(command.capacity !== undefined ? { capacity: command.capacity } : {}),
          ...(command.eventbriteEventId !== undefined
            ? { eventbriteEventId: command.eventbriteEventId }
            : {}),
        };
        if (Object.keys(changes).length === 0) return current;
        return this.events.update(manager, current, changes);
      }),
    );
    return toCrmEvent(row);
  }

  /** Hard delete, with the event's registrations; answers the event as it was. */
  async delete(command: CrmEventsDeleteCommand): Promise<CrmEvent> {
    const row = await this.transaction(async (manager) => {
      const current = await this.events.lock(manager, command.actor.organizationId, command.id);
      if (!current) throw eventNotFound();
      await this.events.delete(manager, current);
      return current;
    });
    return toCrmEvent(row);
  }

  async publicGet(command: CrmEventsPublicGetCommand): Promise<PublicCrmEvent> {
    const row = await this.events.findPublic(command.id);
    if (!row) throw eventNotFound();
    return {
      id: row.id,
      name: row.name,
      startsAt: row.startsAt.toISOString(),
      endsAt: row.endsAt?.toISOString() ?? null,
      spotsLeft: spotsLeft(row.capacity, row.registeredCount),
    };
  }

  async byEventbriteId(command: CrmEventsByEventbriteIdCommand): Promise<CrmEvent> {
    const row = await this.events.findByEventbriteId(command.organizationId, command.eventbriteEventId);
    if (!row) throw eventNotFound();
    return toCrmEvent(row);
  }

  /** Pools belong to leads: ask it, scoped to the caller's organization. */
  private async checkPool(actor: Actor, tableId: string): Promise<void> {
    if (!(await this.leads.pool(actor.organizationId, tableId, actor.traceparent)))
      throw validationFailed([{ field: 'tableId', message: 'is not a lead pool of this organization' }]);
  }

  /**
   * Runs a change that may link an Eventbrite event. The unique index decides (two concurrent requests
   * cannot both link one); its violation becomes a 409 naming the event that holds the link.
   */
  private async linking<T>(
    organizationId: string,
    eventbriteEventId: string | null | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!eventbriteEventId || !isEventbriteConflict(error)) throw error;
      // Read after the rollback: the holder has committed, so it is visible now.
      const holder = await this.events.findByEventbriteId(organizationId, eventbriteEventId);
      throw eventbriteLinked(holder?.id ?? null);
    }
  }
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '@rocketlead/persistence';
import type { AutomationStatus } from '@rocketlead/contracts';
import { AUTOMATION_COLUMNS, toAutomation, type AutomationRow } from '../engine/engine.repository';
import type { ActiveAutomation } from '../engine/matcher';
import type { ReminderState } from './reminder.entity';
import type { PlannedReminder, ReminderId } from './reminder-plan';

const S = 'automation';

/** A reminder as the firing reads it (locked). */
export interface ReminderRow extends ReminderId {
  organizationId: string;
  calendarId: string;
  eventType: string;
  dueAt: Date;
  state: ReminderState;
}

/** How a firing settles a reminder. */
export interface ReminderOutcome extends ReminderId {
  state: ReminderState;
  reason: string | null;
  runId: string | null;
}

interface Row {
  automation_id: string;
  booking_id: string;
  offset: string;
  organization_id: string;
  calendar_id: string;
  event_type: string;
  due_at: Date;
  state: ReminderState;
}

const toId = (r: Pick<Row, 'automation_id' | 'booking_id' | 'offset'>): ReminderId => ({
  automationId: r.automation_id,
  bookingId: r.booking_id,
  offset: r.offset,
});

/** Reminders whose booking ended never come back; cancelled ones do when their cause goes away. */
const PLANNABLE = "reminders.state IN ('planned', 'cancelled')";

/** The appointment reminders (automation.reminders); every statement is scoped by organization. */
@Injectable()
export class RemindersRepository {
  /**
   * Plans the reminders (new, or moved), except those that fired or ended and those planned from a newer copy
   * of their booking. Returns the ones it planned: their timers are (re)scheduled by the caller.
   */
  async plan(manager: EntityManager, reminders: PlannedReminder[]): Promise<PlannedReminder[]> {
    if (reminders.length === 0) return [];
    const rows = (await manager.query(
      `INSERT INTO ${S}.reminders AS reminders (automation_id, booking_id, "offset", organization_id, calendar_id,
         event_type, due_at, booking_updated_at, state)
       SELECT t.*, 'planned' FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::text[],
         $7::timestamptz[], $8::timestamptz[]) AS t
       ON CONFLICT (automation_id, booking_id, "offset") DO UPDATE SET calendar_id = EXCLUDED.calendar_id,
         event_type = EXCLUDED.event_type, due_at = EXCLUDED.due_at, booking_updated_at = EXCLUDED.booking_updated_at,
         state = 'planned', reason = NULL, updated_at = now()
       WHERE ${PLANNABLE} AND reminders.organization_id = EXCLUDED.organization_id
         AND reminders.booking_updated_at <= EXCLUDED.booking_updated_at
       RETURNING automation_id, booking_id, "offset"`,
      [
        reminders.map((r) => r.automationId),
        reminders.map((r) => r.bookingId),
        reminders.map((r) => r.offset),
        reminders.map((r) => r.organizationId),
        reminders.map((r) => r.calendarId),
        reminders.map((r) => r.eventType),
        reminders.map((r) => r.dueAt),
        reminders.map((r) => r.bookingUpdatedAt),
      ],
    )) as Row[];
    const planned = new Set(rows.map((r) => `${r.automation_id}|${r.booking_id}|${r.offset}`));
    return reminders.filter((r) => planned.has(`${r.automationId}|${r.bookingId}|${r.offset}`));
  }

  /**
   * Cancels planned reminders (`cancelled`, or `ended` for a booking that ended, which also closes cancelled
   * ones for good); returns those that were planned, whose timers go. `bookingUpdatedAt` keeps an older copy of
   * the booking from planning them again.
   */
  async cancel(
    manager: EntityManager,
    organizationId: string,
    where: { bookingId: string; automationIds?: string[] } | { automationId: string },
    change: { state: 'cancelled' | 'ended'; reason: string; bookingUpdatedAt?: Date },
  ): Promise<ReminderId[]> {
    const params: unknown[] = [organizationId, change.state, change.reason, change.bookingUpdatedAt ?? null];
    const conditions = ['organization_id = $1'];
    const add = (sql: (n: number) => string, value: unknown): void => {
      params.push(value);
      conditions.push(sql(params.length));
    };
    if ('automationId' in where) add((n) => `automation_id = $${n}`, where.automationId);
    else {
      add((n) => `booking_id = $${n}`, where.bookingId);
      if (where.automationIds) add((n) => `automation_id = ANY($${n}::uuid[])`, where.automationIds);
    }
    // A booking moved past a reminder's time, as an older copy of it says: not if a newer copy planned it.
    if (change.state === 'cancelled' && change.bookingUpdatedAt) conditions.push('booking_updated_at <= $4');
    const states = change.state === 'ended' ? ['planned', 'cancelled'] : ['planned'];
    add((n) => `state = ANY($${n}::text[])`, states);
    const rows = returnedRows<Row>(
      await manager.query(
        // The subquery returns each row's state before this change: only planned ones have a timer to remove.
        `UPDATE ${S}.reminders r SET state = $2, reason = $3, updated_at = now(),
         booking_updated_at = greatest(r.booking_updated_at, coalesce($4::timestamptz, r.booking_updated_at))
       FROM (SELECT automation_id, booking_id, "offset", state FROM ${S}.reminders
             WHERE ${conditions.join(' AND ')} FOR UPDATE) AS old
       WHERE r.automation_id = old.automation_id AND r.booking_id = old.booking_id AND r."offset" = old."offset"
       RETURNING old.automation_id, old.booking_id, old."offset", old.state`,
        params,
      ),
    );
    return rows.filter((r) => r.state === 'planned').map(toId);
  }

  /**
   * Locks the reminders of firing timers, without waiting: one that is being planned again right now makes the
   * firing fail and retry shortly (rather than wait for a lock in the opposite order of the planner's).
   */
  async lockForFiring(manager: EntityManager, ids: ReminderId[]): Promise<ReminderRow[]> {
    if (ids.length === 0) return [];
    const rows = (await manager.query(
      `SELECT automation_id, booking_id, "offset", organization_id, calendar_id, event_type, due_at, state
       FROM ${S}.reminders
       WHERE (automation_id, booking_id, "offset") IN (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[]))
       FOR UPDATE NOWAIT`,
      [ids.map((r) => r.automationId), ids.map((r) => r.bookingId), ids.map((r) => r.offset)],
    )) as Row[];
    return rows.map((r) => ({
      ...toId(r),
      organizationId: r.organization_id,
      calendarId: r.calendar_id,
      eventType: r.event_type,
      dueAt: r.due_at,
      state: r.state,
    }));
  }

  /** Records what the firing did with each reminder (fired with its run, skipped, cancelled, ended). */
  async settle(manager: EntityManager, organizationId: string, outcomes: ReminderOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await manager.query(
      `UPDATE ${S}.reminders r SET state = o.state, reason = o.reason, run_id = o.run_id, updated_at = now()
       FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::uuid[])
         AS o(automation_id, booking_id, "offset", state, reason, run_id)
       WHERE r.organization_id = $1 AND r.automation_id = o.automation_id AND r.booking_id = o.booking_id
         AND r."offset" = o."offset"`,
      [
        organizationId,
        outcomes.map((o) => o.automationId),
        outcomes.map((o) => o.bookingId),
        outcomes.map((o) => o.offset),
        outcomes.map((o) => o.state),
        outcomes.map((o) => o.reason),
        outcomes.map((o) => o.runId),
      ],
    );
  }

  /**
   * The automations as they are now (any status): a firing checks its automation still reminds as planned.
   * `share` keeps them from changing until the transaction ends.
   */
  async automations(
    manager: EntityManager,
    organizationId: string,
    ids: string[],
    options: { share?: boolean } = {},
  ): Promise<Map<string, ActiveAutomation & { status: AutomationStatus }>> {
    const rows = (await manager.query(
      `SELECT ${AUTOMATION_COLUMNS}
       FROM ${S}.automations WHERE organization_id = $1 AND id = ANY($2::uuid[])
       ${options.share ? 'FOR SHARE' : ''}`,
      [organizationId, ids],
    )) as AutomationRow[];
    return new Map(rows.map((r) => [r.id, toAutomation(r)]));
  }
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  createEvent,
  uuidv7,
  type Booking,
  type BookingReminderData,
  type TableEntry,
} from '@rocketlead/contracts';
import type { FiredTimer } from '@rocketlead/timers';
import { evaluateCriteria } from '../conditions/conditions';
import { AutomationIndexService } from '../engine/automation-index';
import type { ActiveAutomation } from '../engine/matcher';
import { EVENT_SOURCE, buildSnapshot, runContext } from '../engine/run-context';
import { RunFactory } from '../engine/run-factory';
import { TriggerNames } from '../engine/trigger-names';
import { CalendarGateway } from '../gateways/calendar.gateway';
import { LeadsGateway } from '../gateways/leads.gateway';
import type { TimerKindHandler } from '../timers/timer-kind';
import { mapLimit } from './map-limit';
import {
  REMINDER_DUE,
  REMINDER_SYNC,
  coversCalendar,
  reminderDue,
  reminderTrigger,
  reminderTriggerKey,
  type ReminderTrigger,
} from './reminder-plan';
import { ReminderPlanner, type ReminderPayload } from './reminder-planner';
import { RemindersRepository, type ReminderOutcome, type ReminderRow } from './reminders.repository';

// Calls to calendar and leads in flight at once for a burst of reminders due together.
const LOOKUPS_IN_FLIGHT = 16;
// Fired later than this after its time (the service was down, or its booking's lookup failed a while): late.
const LATE_AFTER_MS = 2_000;

/** A reminder whose automation still reminds as planned. */
interface Candidate {
  reminder: ReminderRow;
  timer: FiredTimer;
  automation: ActiveAutomation;
  trigger: ReminderTrigger;
}

/** A candidate whose booking is still booked at that time: it fires. */
interface Ready extends Candidate {
  booking: Booking;
}

const outcome = (
  reminder: ReminderRow,
  state: ReminderOutcome['state'],
  reason: string | null,
  runId: string | null = null,
): ReminderOutcome => ({
  automationId: reminder.automationId,
  bookingId: reminder.bookingId,
  offset: reminder.offset,
  state,
  reason,
  runId,
});

/**
 * Appointment reminder timers, in the transaction that marks them fired: a reminder re-checks its automation
 * (still active, same trigger) and its booking (still there, booked, at that time) and records its run with a
 * calendar.appointment.before / after event, returned for execution after the commit; a sync timer plans a
 * page of an activated automation's existing bookings.
 */
@Injectable()
export class ReminderTimers implements TimerKindHandler {
  readonly kinds = [REMINDER_DUE, REMINDER_SYNC] as const;

  constructor(
    private readonly reminders: RemindersRepository,
    private readonly planner: ReminderPlanner,
    private readonly index: AutomationIndexService,
    private readonly calendars: CalendarGateway,
    private readonly leads: LeadsGateway,
    private readonly names: TriggerNames,
    private readonly factory: RunFactory,
  ) {}

  async fire(timers: FiredTimer[], manager: EntityManager): Promise<string[]> {
    const runIds = await this.fireDue(
      timers.filter((t) => t.kind === REMINDER_DUE),
      manager,
    );
    for (const timer of timers.filter((t) => t.kind === REMINDER_SYNC))
      await this.planner.syncPage(manager, timer);
    return runIds;
  }

  private async fireDue(timers: FiredTimer[], manager: EntityManager): Promise<string[]> {
    if (timers.length === 0) return [];
    const timerOf = new Map(timers.map((t) => [idOf(t.payload as ReminderPayload), t]));
    const rows = await this.reminders.lockForFiring(
      manager,
      timers.map((t) => t.payload as ReminderPayload),
    );
    // Not planned any more (cancelled, ended): its timer was left behind; nothing to do.
    const planned = rows.filter((r) => r.state === 'planned');
    const byOrganization = new Map<string, ReminderRow[]>();
    for (const r of planned)
      byOrganization.set(r.organizationId, [...(byOrganization.get(r.organizationId) ?? []), r]);
    const runIds: string[] = [];
    for (const [organizationId, group] of byOrganization) {
      const withTimers = group.map((reminder) => ({ reminder, timer: timerOf.get(idOf(reminder))! }));
      runIds.push(...(await this.fireOrganization(manager, organizationId, withTimers)));
    }
    return runIds;
  }

  private async fireOrganization(
    manager: EntityManager,
    organizationId: string,
    due: { reminder: ReminderRow; timer: FiredTimer }[],
  ): Promise<string[]> {
    const outcomes: ReminderOutcome[] = [];
    const candidates = await this.stillReminding(manager, organizationId, due, outcomes);
    const ready = await this.stillBooked(manager, organizationId, candidates, outcomes);
    // The lead and the trigger's name, looked up together for the whole burst.
    const lookups = await mapLimit(ready, LOOKUPS_IN_FLIGHT, async ({ reminder, booking, timer }) => ({
      entry: booking.tableEntryId
        ? await this.leads.entry(organizationId, booking.tableEntryId, timer.traceparent)
        : null,
      triggerName: await this.names.resolve(organizationId, { type: reminder.eventType, data: booking }),
    }));
    const orgSandbox = await this.index.sandbox(organizationId, manager);
    const runIds: string[] = [];
    for (const [i, candidate] of ready.entries()) {
      const { entry, triggerName } = lookups[i]!;
      const result = await this.start(manager, candidate, entry, triggerName, orgSandbox);
      outcomes.push(result.outcome);
      if (result.runId) runIds.push(result.runId);
    }
    await this.reminders.settle(manager, organizationId, outcomes);
    return runIds;
  }

  /** The reminders whose automation is still active with the same trigger; the others are cancelled. */
  private async stillReminding(
    manager: EntityManager,
    organizationId: string,
    due: { reminder: ReminderRow; timer: FiredTimer }[],
    outcomes: ReminderOutcome[],
  ): Promise<Candidate[]> {
    const automations = await this.reminders.automations(manager, organizationId, [
      ...new Set(due.map((d) => d.reminder.automationId)),
    ]);
    const candidates: Candidate[] = [];
    for (const { reminder, timer } of due) {
      const automation = automations.get(reminder.automationId);
      if (!automation || automation.status !== 'active') {
        outcomes.push(outcome(reminder, 'cancelled', `automation ${automation?.status ?? 'deleted'}`));
        continue;
      }
      const trigger = reminderTrigger(automation.trigger);
      if (
        !trigger ||
        trigger.event !== reminder.eventType ||
        trigger.offset !== reminder.offset ||
        !coversCalendar(trigger, reminder.calendarId)
      ) {
        outcomes.push(outcome(reminder, 'cancelled', 'automation trigger changed'));
        continue;
      }
      candidates.push({ reminder, timer, automation, trigger });
    }
    return candidates;
  }

  /**
   * The reminders whose booking still exists, is booked and still gives this time. A booking that ended ends its
   * reminder; one moved to a later time gets its reminder moved (its booking.updated event may not be here yet);
   * one moved so that the time has passed cancels it.
   */
  private async stillBooked(
    manager: EntityManager,
    organizationId: string,
    candidates: Candidate[],
    outcomes: ReminderOutcome[],
  ): Promise<Ready[]> {
    const bookings = await mapLimit(candidates, LOOKUPS_IN_FLIGHT, ({ reminder, timer }) =>
      this.calendars.booking(organizationId, reminder.bookingId, timer.traceparent),
    );
    const ready: Ready[] = [];
    for (const [i, candidate] of candidates.entries()) {
      const { reminder, timer, trigger } = candidate;
      const booking = bookings[i];
      if (!booking) {
        outcomes.push(outcome(reminder, 'ended', 'booking deleted'));
        continue;
      }
      if (booking.status !== 'booked') {
        outcomes.push(outcome(reminder, 'ended', `booking ${booking.status}`));
        continue;
      }
      const dueAt = reminderDue(booking, trigger);
      if (dueAt.getTime() !== reminder.dueAt.getTime()) {
        if (dueAt.getTime() > timer.firedAt.getTime()) {
          const { automationId, bookingId, offset, organizationId: org, calendarId, eventType } = reminder;
          const [moved] = await this.reminders.plan(manager, [
            {
              automationId,
              bookingId,
              offset,
              organizationId: org,
              calendarId,
              eventType,
              dueAt,
              bookingUpdatedAt: new Date(booking.updatedAt),
            },
          ]);
          if (moved) await this.planner.schedule(manager, [moved]);
        } else outcomes.push(outcome(reminder, 'cancelled', 'booking moved past the reminder time'));
        continue;
      }
      ready.push({ ...candidate, booking });
    }
    return ready;
  }

  /** The reminder's run (unless the trigger's conditions are not met), with its calendar.appointment.* event. */
  private async start(
    manager: EntityManager,
    { reminder, timer, automation, booking }: Ready,
    entry: TableEntry | null,
    triggerName: string | null,
    orgSandbox: boolean,
  ): Promise<{ outcome: ReminderOutcome; runId: string | null }> {
    const data: BookingReminderData = {
      ...booking,
      scheduledFor: reminder.dueAt.toISOString(),
      firedAt: timer.firedAt.toISOString(),
      late: timer.late || timer.firedAt.getTime() - reminder.dueAt.getTime() > LATE_AFTER_MS,
      offset: reminder.offset,
    };
    const event = createEvent({
      type: reminder.eventType,
      source: EVENT_SOURCE,
      subject: booking.id,
      data,
      // Caused by the clock: its own chain, and the firing's own trace.
      actor: {
        organizationId: booking.organizationId,
        channel: 'system',
        apiTokenId: null,
        memberId: null,
        correlationId: uuidv7(),
        traceparent: timer.traceparent,
      },
      time: timer.firedAt,
    });
    const snapshot = buildSnapshot(event, entry, booking);
    const context = runContext(snapshot, {
      id: automation.id,
      name: automation.name,
      version: automation.version,
    });
    const criteria = evaluateCriteria(automation.trigger, context as unknown as Record<string, unknown>);
    if (!criteria.matched)
      return { outcome: outcome(reminder, 'skipped', criteria.reason ?? null), runId: null };
    const run = await this.factory.create(manager, {
      automation,
      triggerKey: reminderTriggerKey(booking.id, reminder.offset),
      snapshot,
      entryId: booking.tableEntryId,
      depth: 0,
      sandbox: automation.sandbox || orgSandbox,
      triggerName,
      causationId: event.id,
    });
    if (!run.created) return { outcome: outcome(reminder, 'fired', 'its run already exists'), runId: null };
    return {
      outcome: outcome(reminder, 'fired', run.reason, run.runId),
      runId: run.status === 'running' ? run.runId : null,
    };
  }
}

const idOf = (r: { automationId: string; bookingId: string; offset: string }): string =>
  `${r.automationId}|${r.bookingId}|${r.offset}`;

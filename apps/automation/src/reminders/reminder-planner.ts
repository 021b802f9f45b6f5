import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AutomationStatus, AutomationTrigger, Booking } from '@rocketlead/contracts';
import type { FiredTimer } from '@rocketlead/timers';
import { AutomationIndexService } from '../engine/automation-index';
import { CalendarGateway } from '../gateways/calendar.gateway';
import { AutomationTimers } from '../timers/automation-timers';
import {
  REMINDER_DUE,
  REMINDER_SYNC,
  bookingsFrom,
  planBooking,
  reminderKey,
  reminderScope,
  reminderTrigger,
  remindersOf,
  type PlannedReminder,
  type ReminderId,
} from './reminder-plan';
import { RemindersRepository } from './reminders.repository';

/** What a reminder's timer carries: the reminder it fires. */
export interface ReminderPayload extends ReminderId {
  organizationId: string;
}

/** One page of planning an activated automation's existing bookings. */
export interface SyncPayload {
  organizationId: string;
  automationId: string;
  /** The automation's version that started this sync: its pages' timer keys. */
  version: number;
  /** reminderScope of the automation when it was activated: a later change stops this sync. */
  scope: string;
  /** When it was activated: reminders due from then on are planned. */
  since: string;
  cursor: string | null;
  page: number;
}

/** The automation's fields that decide its reminders. */
export interface ReminderAutomation {
  id: string;
  organizationId: string;
  status: AutomationStatus;
  trigger: AutomationTrigger;
  version: number;
}

// Timers due sooner than this wake the runners (which otherwise look again within a second).
const NOTIFY_WITHIN_MS = 5_000;

const syncKey = (automationId: string, version: number, page: number): string =>
  `reminder-sync:${automationId}:${version}:${page}`;

/**
 * Plans appointment reminders: for a booking when it is booked or moved, for the existing bookings when an
 * automation starts reminding, and cancels them when a booking ends or the automation stops. Every change to a
 * reminder and its timer happens in the caller's transaction (reminder rows first, then timers).
 */
@Injectable()
export class ReminderPlanner {
  constructor(
    private readonly reminders: RemindersRepository,
    private readonly timers: AutomationTimers,
    private readonly index: AutomationIndexService,
    private readonly calendars: CalendarGateway,
  ) {}

  /**
   * A booking booked or moved (at `since`): each active automation reminding of its calendar gets its reminder
   * planned or moved, unless that reminder's time was already past then (it never fires).
   */
  async bookingChanged(manager: EntityManager, booking: Booking, since: Date): Promise<void> {
    if (booking.status !== 'booked') return this.bookingEnded(manager, booking);
    const index = await this.index.index(booking.organizationId, manager);
    const { due, passed } = planBooking(booking, remindersOf(index, booking.calendarId), since);
    await this.schedule(manager, await this.reminders.plan(manager, due));
    if (passed.length === 0) return;
    const cancelled = await this.reminders.cancel(
      manager,
      booking.organizationId,
      { bookingId: booking.id, automationIds: passed.map((r) => r.automationId) },
      {
        state: 'cancelled',
        reason: 'booking moved past the reminder time',
        bookingUpdatedAt: new Date(booking.updatedAt),
      },
    );
    await this.remove(manager, cancelled);
  }

  /** A booking cancelled, completed or deleted: its reminders end for good. */
  async bookingEnded(
    manager: EntityManager,
    booking: Booking,
    reason = `booking ${booking.status}`,
  ): Promise<void> {
    const ended = await this.reminders.cancel(
      manager,
      booking.organizationId,
      { bookingId: booking.id },
      { state: 'ended', reason, bookingUpdatedAt: new Date(booking.updatedAt) },
    );
    await this.remove(manager, ended);
  }

  /**
   * An automation created or changed (in that transaction): when it stops reminding, or reminds differently
   * (event, calendar, offset), its planned reminders are cancelled; when it starts reminding, its existing
   * bookings are planned, a page at a time, by REMINDER_SYNC timers.
   */
  async automationChanged(
    manager: EntityManager,
    previous: ReminderAutomation | null,
    next: ReminderAutomation,
  ): Promise<void> {
    const before = previous ? reminderScope(previous) : null;
    const after = reminderScope(next);
    if (before === after) return;
    if (before !== null) {
      const reason = after === null ? `automation ${next.status}` : 'automation trigger changed';
      const cancelled = await this.reminders.cancel(
        manager,
        next.organizationId,
        { automationId: next.id },
        { state: 'cancelled', reason },
      );
      await this.remove(manager, cancelled);
    }
    if (after === null) return;
    const payload: SyncPayload = {
      organizationId: next.organizationId,
      automationId: next.id,
      version: next.version,
      scope: after,
      since: new Date().toISOString(),
      cursor: null,
      page: 0,
    };
    await this.timers.schedule(manager, {
      key: syncKey(next.id, next.version, 0),
      kind: REMINDER_SYNC,
      dueAt: new Date(),
      payload,
    });
  }

  /**
   * One page of an activated automation's existing bookings planned; the next page is the next timer. The
   * automation row is share-locked meanwhile, so pausing it waits for the page and then cancels what it planned.
   */
  async syncPage(manager: EntityManager, timer: FiredTimer): Promise<void> {
    const p = timer.payload as SyncPayload;
    const automation = (
      await this.reminders.automations(manager, p.organizationId, [p.automationId], { share: true })
    ).get(p.automationId);
    // Paused or changed since: that change cancelled or planned on its own.
    if (!automation || reminderScope(automation) !== p.scope) return;
    const trigger = reminderTrigger(automation.trigger)!;
    const since = new Date(p.since);
    const page = await this.calendars.bookings(
      p.organizationId,
      { calendarId: trigger.calendarId, from: bookingsFrom(trigger, since), cursor: p.cursor },
      timer.traceparent,
    );
    if (!page) return; // its calendar is gone
    const due = page.items
      .filter((booking) => booking.status === 'booked')
      .flatMap((booking) => planBooking(booking, [{ automation, trigger }], since).due);
    await this.schedule(manager, await this.reminders.plan(manager, due));
    if (!page.nextCursor) return;
    const next: SyncPayload = { ...p, cursor: page.nextCursor, page: p.page + 1 };
    await this.timers.schedule(manager, {
      key: syncKey(p.automationId, p.version, next.page),
      kind: REMINDER_SYNC,
      dueAt: new Date(),
      payload: next,
    });
  }

  /** Schedules (or moves) the timers of planned reminders. */
  async schedule(manager: EntityManager, planned: PlannedReminder[]): Promise<void> {
    const soon = Date.now() + NOTIFY_WITHIN_MS;
    await this.timers.scheduleMany(
      manager,
      planned.map((r) => {
        const payload: ReminderPayload = {
          organizationId: r.organizationId,
          automationId: r.automationId,
          bookingId: r.bookingId,
          offset: r.offset,
        };
        return { key: reminderKey(r), kind: REMINDER_DUE, dueAt: r.dueAt, payload };
      }),
      { notify: planned.some((r) => r.dueAt.getTime() < soon) },
    );
  }

  /** Removes the timers of cancelled reminders (the reminder rows keep their history). */
  private remove(manager: EntityManager, ids: ReminderId[]): Promise<void> {
    return this.timers.remove(manager, ids.map(reminderKey));
  }
}

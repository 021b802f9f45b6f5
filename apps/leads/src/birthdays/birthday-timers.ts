import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { nextTimeOfDay } from '@rocketlead/contracts';
import { Timers, type FiredTimer } from '@rocketlead/timers';
import { LEADS_SCHEMA } from '../database/entities';
import { PoolsRepository } from '../pools/pools.repository';
import { addDays, localDate } from './birthday-dates';
import { BirthdaySweepService } from './birthday-sweep.service';

export const BIRTHDAY_TIMER_KIND = 'leads.birthdays.sweep';
/** Local time of the daily sweep: shortly after midnight, so the day has begun everywhere in the zone. */
export const BIRTHDAY_SWEEP_TIME = '00:05';
/** Days a late timer sweeps after its own (an outage longer than this skips the days in between). */
export const MAX_CATCH_UP_DAYS = 31;

// One key per organization: planning again replaces its timer, never adds a second one.
export const birthdayTimerKey = (organizationId: string): string => `birthday:${organizationId}`;

export interface BirthdayTimerPayload {
  organizationId: string;
  /** The local date this firing sweeps. */
  date: string;
}

/** The next sweep after `after`: the next 00:05 on the zone's clock, and the local date it is for. */
export function nextSweep(after: Date, timezone: string): { dueAt: Date; date: string } {
  const dueAt = nextTimeOfDay(after, BIRTHDAY_SWEEP_TIME, timezone);
  return { dueAt, date: localDate(dueAt, timezone) };
}

/**
 * The daily birthday sweep of each organization with a pool that has a birthdayField: one durable timer
 * (fires once across replicas, and late after downtime), planned again each time it fires.
 */
@Injectable()
export class BirthdayTimers {
  private readonly timers = new Timers(LEADS_SCHEMA);

  constructor(
    private readonly pools: PoolsRepository,
    private readonly sweeps: BirthdaySweepService,
  ) {}

  /** After a pool's birthdayField changed: a sweep when some pool has one (kept if planned), none otherwise. */
  async sync(manager: EntityManager, organizationId: string, now = new Date()): Promise<void> {
    const key = birthdayTimerKey(organizationId);
    if (!(await this.pools.hasBirthdayField(organizationId, manager))) {
      await this.timers.cancel(manager, key);
      return;
    }
    if (await this.timers.pending(manager, key)) return;
    await this.schedule(
      manager,
      organizationId,
      nextSweep(now, await this.sweeps.timezone(organizationId, manager)),
    );
  }

  /**
   * After the organization's time zone changed from `previous`: the sweep moves to the new local midnight.
   * A day planned but not swept yet is not skipped: it is swept at once.
   */
  async replan(
    manager: EntityManager,
    organizationId: string,
    previous: string,
    timezone: string,
    now = new Date(),
  ): Promise<void> {
    if (!(await this.pools.hasBirthdayField(organizationId, manager))) return;
    const next = nextSweep(now, timezone);
    const pending = await this.timers.pending(manager, birthdayTimerKey(organizationId));
    const planned = pending ? localDate(pending.dueAt, previous) : null;
    await this.schedule(
      manager,
      organizationId,
      planned !== null && planned < next.date ? { dueAt: now, date: planned } : next,
    );
  }

  private schedule(
    manager: EntityManager,
    organizationId: string,
    sweep: { dueAt: Date; date: string },
  ): Promise<void> {
    const payload: BirthdayTimerPayload = { organizationId, date: sweep.date };
    return this.timers.schedule(manager, {
      key: birthdayTimerKey(organizationId),
      kind: BIRTHDAY_TIMER_KIND,
      dueAt: sweep.dueAt,
      payload,
    });
  }

  /**
   * Sweeps the day the timer was due for (not "now": a timer late after downtime sweeps its own day), then
   * the days since up to the local today, and plans the next one. The sweeps commit on their own
   * (each once per entry and year, so a retried firing emits nothing twice).
   */
  async fire(timer: FiredTimer, manager: EntityManager): Promise<void> {
    if (timer.kind !== BIRTHDAY_TIMER_KIND) return;
    const { organizationId, date } = timer.payload as BirthdayTimerPayload;
    if (!(await this.pools.hasBirthdayField(organizationId, manager))) return;
    const timezone = await this.sweeps.timezone(organizationId, manager);
    const today = localDate(timer.firedAt, timezone);
    const last = [today, addDays(date, MAX_CATCH_UP_DAYS)].sort()[0]!;
    let swept: string | null = null;
    for (let day = date; day <= last; day = addDays(day, 1)) {
      await this.sweeps.sweep(organizationId, day);
      swept = day;
    }
    // The next day not swept yet; strictly later than the firing, so it stays pending.
    let next = nextSweep(timer.firedAt, timezone);
    if (swept !== null && next.date <= swept) next = nextSweep(next.dueAt, timezone);
    await this.schedule(manager, organizationId, next);
  }
}

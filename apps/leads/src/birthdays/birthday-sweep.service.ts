import type { EntityManager } from 'typeorm';
import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  TABLE_ENTRY_BIRTHDAY,
  uuidv7,
  type Actor,
  type BirthdaySweepCommand,
  type BirthdaySweepResult,
  type TableEntryBirthdayData,
} from '@rocketlead/contracts';
import { ServiceOutbox } from '@rocketlead/messaging';
import { TRANSACTION, type Transactional } from '@rocketlead/persistence';
import { entryEvent } from '../entries/entry-events';
import { OrganizationSettingsRepository } from '../organizations/organization-settings.repository';
import { birthdayMonthDays, isBirthdayOn, isCalendarDate, localDate, yearOf } from './birthday-dates';
import { BirthdaysRepository } from './birthdays.repository';

// Candidates per transaction: bounds the work (and locks) of one step of a large organization's sweep.
export const SWEEP_BATCH = 1000;

/**
 * Emits `table.entry.birthday` for the entries whose birthday is on a local date, once per entry and year:
 * each event is written to the outbox in the transaction that records it in `birthdays_emitted`.
 */
@Injectable()
export class BirthdaySweepService {
  constructor(
    private readonly birthdays: BirthdaysRepository,
    private readonly settings: OrganizationSettingsRepository,
    private readonly outbox: ServiceOutbox,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  /** The organization's time zone (UTC when it never set one); read in `manager`'s transaction when given. */
  async timezone(organizationId: string, manager?: EntityManager): Promise<string> {
    return this.settings.timezoneOrDefault(organizationId, manager);
  }

  /** `leads.birthdays.sweep`: the given date, or the organization's local today. */
  async sweepCommand(request: BirthdaySweepCommand): Promise<BirthdaySweepResult> {
    if (request.date !== undefined && !isCalendarDate(request.date)) {
      throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
        errors: [{ field: 'date', message: 'must be a calendar date YYYY-MM-DD' }],
      });
    }
    const date = request.date ?? localDate(new Date(), await this.timezone(request.organizationId));
    return this.sweep(request.organizationId, date);
  }

  /** Sweeps one local date (`YYYY-MM-DD`) of an organization, page by page. */
  async sweep(organizationId: string, date: string): Promise<BirthdaySweepResult> {
    const monthDays = birthdayMonthDays(date);
    const year = yearOf(date);
    // Caused by the clock (or an operator's sweep), not by a caller's change.
    const actor: Actor = {
      organizationId,
      channel: 'system',
      apiTokenId: null,
      memberId: null,
      correlationId: uuidv7(),
      traceparent: null,
    };
    let afterId: string | null = null;
    let emitted = 0;
    for (;;) {
      const cursor: string | null = afterId;
      const page = await this.transaction(async (manager) => {
        const rows = await this.birthdays.candidates(manager, organizationId, monthDays, cursor, SWEEP_BATCH);
        // The SQL already filters; this keeps the rule in one tested place.
        const due = rows.filter((row) => isBirthdayOn(row.value, date));
        const recorded = await this.birthdays.markEmitted(
          manager,
          organizationId,
          due.map((row) => row.entryId),
          year,
          date,
        );
        const events = due
          .filter((row) => recorded.has(row.entryId))
          .map((row) =>
            entryEvent<TableEntryBirthdayData>(actor, TABLE_ENTRY_BIRTHDAY, row.entryId, {
              entryId: row.entryId,
              tableId: row.tableId,
              date,
            }),
          );
        if (events.length > 0) await this.outbox.append(manager, events);
        return { count: rows.length, lastId: rows.at(-1)?.entryId ?? null, emitted: events.length };
      });
      if (page.emitted > 0) this.outbox.committed();
      emitted += page.emitted;
      if (page.count < SWEEP_BATCH || page.lastId === null) break;
      afterId = page.lastId;
    }
    return { date, emitted };
  }
}

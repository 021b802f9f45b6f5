import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Subscription } from 'nats';
import { Client } from 'pg';
import {
  COMMANDS,
  DomainError,
  uuidv7,
  type Actor,
  type EntriesGetRequest,
  type RpcReply,
  type TableEntry,
  validateEvent,
} from '@rocketlead/contracts';
import {
  commandSender,
  eventually,
  failure,
  withContext,
  type CommandSender,
  type EventCollector,
} from '@rocketlead/testing';
import { startCalendar, type CalendarUnderTest } from './support';

const HAS_STARTED = 'calendar.appointment.hasStarted';
const HAS_ENDED = 'calendar.appointment.hasEnded';

describe('calendar service (real Postgres and NATS)', () => {
  let calendarService: CalendarUnderTest;
  let send: CommandSender;
  let collector: EventCollector;
  let pg: Client;
  let leadsStub: Subscription;
  // What the stand-in for leads knows: entry id -> organization; and which organizations asked.
  const entries = new Map<string, string>();
  const entryLookups: EntriesGetRequest[] = [];
  const org = uuidv7();
  const actor: Actor = {
    organizationId: org,
    channel: 'connect_api',
    apiTokenId: uuidv7(),
    memberId: null,
    correlationId: 'int',
    traceparent: null,
  };

  const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();
  const of = (bookingId: string, type?: string) =>
    collector.events.filter((e) => e.body.subject === bookingId && (!type || e.body.type === type));
  const waitFor = (bookingId: string, type: string, timeoutMs = 10_000) =>
    collector
      .waitFor((e) => e.body.subject === bookingId && e.body.type === type, timeoutMs)
      .then((found) => found[0]!);

  function entry(id: string, organizationId: string): TableEntry {
    const now = new Date().toISOString();
    return {
      id,
      tableId: uuidv7(),
      organizationId,
      data: {},
      customFieldData: {},
      leadStateId: uuidv7(),
      assignedMemberId: null,
      duplicateOfId: null,
      tags: [],
      createdAt: now,
      updatedAt: now,
    };
  }

  /** State of a booking's timers in the calendar schema, by event type. */
  async function timerStates(bookingId: string): Promise<Record<string, string>> {
    const { rows } = await pg.query<{ kind: string; state: string }>(
      'SELECT kind, state FROM calendar.timers WHERE key LIKE $1',
      [`booking:${bookingId}:%`],
    );
    return Object.fromEntries(rows.map((r) => [r.kind, r.state]));
  }

  async function calendar(exclusive = false): Promise<string> {
    return (
      await send(COMMANDS.calendarsCreate, {
        organizationId: org,
        name: 'Studio',
        timezone: 'Europe/Berlin',
        exclusive,
      })
    ).id;
  }

  beforeAll(async () => {
    calendarService = await startCalendar('cal');
    const { nc, names } = calendarService;
    send = commandSender(nc, names);
    collector = await calendarService.collect('CALENDAR');
    // leads owns entries; a stand-in answers its entriesGet command on real NATS, scoped as leads does.
    leadsStub = nc.subscribe(names.command(COMMANDS.entriesGet), {
      callback: (_, msg) => {
        const request = msg.json<EntriesGetRequest>();
        entryLookups.push(request);
        const reply: RpcReply<TableEntry> =
          entries.get(request.id) === request.organizationId
            ? { ok: true, result: entry(request.id, request.organizationId) }
            : { ok: false, error: { code: 'NOT_FOUND', message: 'Table entry not found' } };
        msg.respond(JSON.stringify(reply));
      },
    });
    pg = new Client({ connectionString: calendarService.db.url });
    await pg.connect();
  }, 120_000);

  afterAll(async () => {
    leadsStub?.unsubscribe();
    await pg?.end();
    await calendarService?.stop();
  }, 120_000);

  it('creates calendars and refuses an unknown time zone', async () => {
    const created = await send(COMMANDS.calendarsCreate, {
      organizationId: org,
      name: 'A',
      timezone: 'UTC',
      exclusive: true,
    });
    expect(created).toMatchObject({ name: 'A', timezone: 'UTC', exclusive: true, organizationId: org });
    expect(await send(COMMANDS.calendarsGet, { organizationId: org, id: created.id })).toEqual(created);
    const bad = await failure(
      send(COMMANDS.calendarsCreate, {
        organizationId: org,
        name: 'B',
        timezone: 'Mars/Base',
        exclusive: false,
      }),
    );
    expect(bad.details).toMatchObject({ errors: [{ field: 'timezone' }] });
    const offset = await failure(
      send(COMMANDS.calendarsCreate, {
        organizationId: org,
        name: 'C',
        timezone: '+01:00',
        exclusive: false,
      }),
    );
    expect(offset.details).toMatchObject({ errors: [{ field: 'timezone' }] });
    expect(
      (await failure(send(COMMANDS.calendarsGet, { organizationId: uuidv7(), id: created.id }))).code,
    ).toBe('NOT_FOUND');
  });

  it("lists the organization's calendars newest first, a page at a time, and no other organization's", async () => {
    const listOrg = uuidv7();
    const created = [];
    for (const name of ['One', 'Two', 'Three'])
      created.push(
        await send(COMMANDS.calendarsCreate, {
          organizationId: listOrg,
          name,
          timezone: 'UTC',
          exclusive: false,
        }),
      );
    await send(COMMANDS.calendarsCreate, {
      organizationId: uuidv7(),
      name: 'Foreign',
      timezone: 'UTC',
      exclusive: false,
    });
    const first = await send(COMMANDS.calendarsList, { organizationId: listOrg, limit: 2 });
    expect(first.items).toEqual([created[2], created[1]]);
    expect(first.nextCursor).not.toBeNull();
    const second = await send(COMMANDS.calendarsList, {
      organizationId: listOrg,
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second).toEqual({ items: [created[0]], nextCursor: null });
    const badCursor = await failure(
      send(COMMANDS.calendarsList, { organizationId: listOrg, limit: 2, cursor: 'not-ours' }),
    );
    expect(badCursor.details).toMatchObject({ errors: [{ field: 'cursor' }] });
  });

  it('validates date-times: an offset is required and the end must be after the start', async () => {
    const calendarId = await calendar();
    const noOffset = await failure(
      send(COMMANDS.bookingsCreate, {
        actor,
        calendarId,
        startDateTime: '2030-01-01T10:00:00',
        endDateTime: '2030-01-01T11:00:00Z',
      }),
    );
    expect(noOffset.details).toMatchObject({ errors: [{ field: 'startDateTime' }] });
    const impossible = await failure(
      send(COMMANDS.bookingsCreate, {
        actor,
        calendarId,
        startDateTime: '2030-02-28T10:00:00+01:00',
        endDateTime: '2030-02-30T11:00:00+01:00',
      }),
    );
    expect(impossible.details).toEqual({
      errors: [{ field: 'endDateTime', message: 'is not a valid date-time' }],
    });
    const basicOffset = await failure(
      send(COMMANDS.bookingsCreate, {
        actor,
        calendarId,
        startDateTime: '2030-01-01T10:00:00+0100',
        endDateTime: '2030-01-01T11:00:00+01:00',
      }),
    );
    expect(basicOffset.details).toMatchObject({ errors: [{ field: 'startDateTime' }] });
    const backwards = await failure(
      send(COMMANDS.bookingsCreate, {
        actor,
        calendarId,
        startDateTime: '2030-01-01T11:00:00Z',
        endDateTime: '2030-01-01T10:00:00Z',
      }),
    );
    expect(backwards.details).toMatchObject({
      errors: [{ field: 'endDateTime', message: 'must be after startDateTime' }],
    });
    const unknownCalendar = await failure(
      send(COMMANDS.bookingsCreate, {
        actor,
        calendarId: uuidv7(),
        startDateTime: inMs(60_000),
        endDateTime: inMs(120_000),
      }),
    );
    expect(unknownCalendar.message).toBe('Calendar not found');
  });

  it('books, then fires hasStarted and hasEnded at their times', async () => {
    const calendarId = await calendar();
    const booking = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: inMs(3_000),
      endDateTime: inMs(4_000),
      title: 'Trial',
    });
    expect(booking).toMatchObject({
      calendarId,
      organizationId: org,
      status: 'booked',
      title: 'Trial',
      tableEntryId: null,
    });
    const booked = await waitFor(booking.id, 'calendar.appointment.booked');
    expect(booked.body).toMatchObject({
      channel: 'connect_api',
      apitokenid: actor.apiTokenId,
      data: booking,
    });
    const firingTraces = new Set<string>();
    for (const type of [HAS_STARTED, HAS_ENDED]) {
      const event = await waitFor(booking.id, type, 10_000);
      const arrivedAt = Date.now();
      const data = event.body.data as { scheduledFor: string; firedAt: string; late: boolean };
      const lateness = Date.parse(data.firedAt) - Date.parse(data.scheduledFor);
      expect(data.scheduledFor).toBe(type === HAS_STARTED ? booking.startDateTime : booking.endDateTime);
      expect(lateness).toBeGreaterThanOrEqual(0);
      expect(lateness).toBeLessThan(2_000);
      expect(arrivedAt - Date.parse(data.scheduledFor)).toBeLessThan(2_000);
      expect(data).toEqual({
        ...booking,
        scheduledFor: data.scheduledFor,
        firedAt: data.firedAt,
        late: false,
      });
      // Caused by the clock, not by the caller who booked.
      expect(event.body).toMatchObject({
        source: '/calendar',
        subject: booking.id,
        organizationid: org,
        channel: 'system',
        apitokenid: null,
        memberid: null,
        correlationid: booking.id,
      });
      // Each firing is a trace of its own, not the booking request's.
      const traceparent = String(event.body.traceparent);
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      expect(traceparent.split('-')[1]).not.toBe(String(booked.body.traceparent).split('-')[1]);
      firingTraces.add(traceparent.split('-')[1]!);
    }
    expect(firingTraces.size).toBe(2);
  });

  it('a deleted booking never fires its timers', async () => {
    const calendarId = await calendar();
    const doomed = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: inMs(1_500),
      endDateTime: inMs(2_000),
    });
    const marker = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: inMs(2_500),
      endDateTime: inMs(3_000),
    });
    const deleted = await send(COMMANDS.bookingsDelete, { actor, id: doomed.id });
    expect(deleted.id).toBe(doomed.id);
    await waitFor(doomed.id, 'calendar.appointment.deleted');
    await waitFor(marker.id, HAS_ENDED);
    expect(of(doomed.id, HAS_STARTED)).toEqual([]);
    expect(of(doomed.id, HAS_ENDED)).toEqual([]);
    expect((await failure(send(COMMANDS.bookingsGet, { organizationId: org, id: doomed.id }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('a rescheduled booking fires only at its new times', async () => {
    const calendarId = await calendar();
    const booking = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: inMs(1_000),
      endDateTime: inMs(1_500),
    });
    const newStart = inMs(3_000);
    const newEnd = inMs(3_500);
    const moved = await send(COMMANDS.bookingsUpdate, {
      actor,
      id: booking.id,
      startDateTime: newStart,
      endDateTime: newEnd,
    });
    expect(moved).toMatchObject({ startDateTime: newStart, endDateTime: newEnd });
    const updated = await waitFor(booking.id, 'calendar.appointment.updated');
    expect(updated.body.data).toMatchObject({
      previous: { startDateTime: booking.startDateTime, endDateTime: booking.endDateTime },
    });
    await waitFor(booking.id, HAS_ENDED);
    const fired = [...of(booking.id, HAS_STARTED), ...of(booking.id, HAS_ENDED)].map(
      (e) => (e.body.data as { scheduledFor: string }).scheduledFor,
    );
    expect(fired).toEqual([newStart, newEnd]);
  });

  it('cancel before the start cancels both timers; complete ends the booking', async () => {
    const calendarId = await calendar();
    const cancelled = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: inMs(1_500),
      endDateTime: inMs(2_000),
    });
    const completed = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: inMs(60_000),
      endDateTime: inMs(90_000),
    });
    const marker = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: inMs(2_500),
      endDateTime: inMs(2_600),
    });
    expect((await send(COMMANDS.bookingsCancel, { actor, id: cancelled.id })).status).toBe('cancelled');
    expect((await send(COMMANDS.bookingsComplete, { actor, id: completed.id })).status).toBe('completed');
    expect((await failure(send(COMMANDS.bookingsCancel, { actor, id: cancelled.id }))).code).toBe('CONFLICT');
    expect((await failure(send(COMMANDS.bookingsComplete, { actor, id: cancelled.id }))).code).toBe(
      'CONFLICT',
    );
    expect((await failure(send(COMMANDS.bookingsCancel, { actor, id: completed.id }))).code).toBe('CONFLICT');
    const moveFinished = await failure(
      send(COMMANDS.bookingsUpdate, { actor, id: completed.id, startDateTime: inMs(30_000) }),
    );
    expect(moveFinished).toMatchObject({ code: 'CONFLICT', message: 'A completed booking cannot be moved' });
    expect(await timerStates(cancelled.id)).toEqual({ [HAS_STARTED]: 'cancelled', [HAS_ENDED]: 'cancelled' });
    expect(await timerStates(completed.id)).toEqual({ [HAS_STARTED]: 'cancelled', [HAS_ENDED]: 'cancelled' });
    await waitFor(cancelled.id, 'calendar.appointment.cancelled');
    await waitFor(completed.id, 'calendar.appointment.completed');
    await waitFor(marker.id, HAS_ENDED);
    expect(of(cancelled.id).map((e) => e.body.type)).toEqual([
      'calendar.appointment.booked',
      'calendar.appointment.cancelled',
    ]);
  });

  it('renames a calendar and moves it to another zone; null keeps a field; other organizations get 404', async () => {
    const calendarId = await calendar();
    const renamed = await send(COMMANDS.calendarsUpdate, {
      organizationId: org,
      id: calendarId,
      name: 'Front desk',
      timezone: 'america/new_york',
    });
    expect(renamed).toMatchObject({ name: 'Front desk', timezone: 'America/New_York', exclusive: false });
    expect(await send(COMMANDS.calendarsGet, { organizationId: org, id: calendarId })).toEqual(renamed);
    expect(
      await send(COMMANDS.calendarsUpdate, {
        organizationId: org,
        id: calendarId,
        name: null as unknown as string,
      }),
    ).toEqual(renamed);
    const badZone = await failure(
      send(COMMANDS.calendarsUpdate, { organizationId: org, id: calendarId, timezone: 'Mars/Base' }),
    );
    expect(badZone.details).toMatchObject({ errors: [{ field: 'timezone' }] });
    expect(
      (await failure(send(COMMANDS.calendarsUpdate, { organizationId: uuidv7(), id: calendarId, name: 'X' })))
        .code,
    ).toBe('NOT_FOUND');
    expect(await send(COMMANDS.calendarsGet, { organizationId: org, id: calendarId })).toEqual(renamed);
  });

  it('turns exclusivity on only when no booked appointments overlap, and off again', async () => {
    const calendarId = await calendar(false);
    const book = (from: number, to: number) =>
      send(COMMANDS.bookingsCreate, {
        actor,
        calendarId,
        startDateTime: inMs(from),
        endDateTime: inMs(to),
      });
    const first = await book(3_600_000, 7_200_000);
    const second = await book(5_400_000, 9_000_000);
    const refused = await failure(
      send(COMMANDS.calendarsUpdate, { organizationId: org, id: calendarId, exclusive: true, name: 'Solo' }),
    );
    expect(refused).toMatchObject({
      code: 'CONFLICT',
      message: `Booking ${first.id} overlaps booking ${second.id}: the calendar cannot be exclusive`,
      details: { conflictingBookingIds: [first.id, second.id] },
    });
    // Nothing of the refused change was applied.
    expect(await send(COMMANDS.calendarsGet, { organizationId: org, id: calendarId })).toMatchObject({
      name: 'Studio',
      exclusive: false,
    });
    await send(COMMANDS.bookingsCancel, { actor, id: second.id });
    expect(
      await send(COMMANDS.calendarsUpdate, { organizationId: org, id: calendarId, exclusive: true }),
    ).toMatchObject({ exclusive: true });
    expect((await failure(book(3_000_000, 4_000_000))).code).toBe('CONFLICT');
    await send(COMMANDS.calendarsUpdate, { organizationId: org, id: calendarId, exclusive: false });
    expect((await book(3_000_000, 4_000_000)).calendarId).toBe(calendarId);
  });

  it('never leaves overlapping appointments on a calendar made exclusive while they are being booked', async () => {
    for (let round = 0; round < 5; round++) {
      const calendarId = await calendar(false);
      const start = inMs(3_600_000);
      const end = inMs(7_200_000);
      const bookings = Array.from({ length: 6 }, () =>
        send(COMMANDS.bookingsCreate, { actor, calendarId, startDateTime: start, endDateTime: end }),
      );
      const change = send(COMMANDS.calendarsUpdate, { organizationId: org, id: calendarId, exclusive: true });
      const [changed] = await Promise.allSettled([change, ...bookings]);
      const { rows } = await pg.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM calendar.bookings WHERE calendar_id = $1 AND status = 'booked'`,
        [calendarId],
      );
      const exclusive = (await send(COMMANDS.calendarsGet, { organizationId: org, id: calendarId }))
        .exclusive;
      // Either the change was refused (bookings overlapped first), or at most one booking got in.
      if (changed.status === 'fulfilled') {
        expect(exclusive).toBe(true);
        expect(rows[0]!.n).toBeLessThanOrEqual(1);
      } else {
        expect(exclusive).toBe(false);
        expect((changed.reason as { code?: string }).code).toBe('CONFLICT');
      }
    }
  });

  it('never lets two concurrent overlapping bookings both succeed on an exclusive calendar', async () => {
    const calendarId = await calendar(true);
    const start = inMs(3_600_000);
    const end = inMs(7_200_000);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        send(COMMANDS.bookingsCreate, { actor, calendarId, startDateTime: start, endDateTime: end }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    const winner = (ok[0] as PromiseFulfilledResult<{ id: string }>).value.id;
    for (const r of results.filter((x) => x.status === 'rejected')) {
      const error = (r as PromiseRejectedResult).reason as DomainError;
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toBe(`Overlaps booking ${winner}`);
    }
    // A non-exclusive calendar accepts overlaps; a cancelled booking frees the slot.
    const open = await calendar(false);
    await send(COMMANDS.bookingsCreate, { actor, calendarId: open, startDateTime: start, endDateTime: end });
    await send(COMMANDS.bookingsCreate, { actor, calendarId: open, startDateTime: start, endDateTime: end });
    await send(COMMANDS.bookingsCancel, { actor, id: winner });
    await send(COMMANDS.bookingsCreate, { actor, calendarId, startDateTime: start, endDateTime: end });
  });

  it('answers every loser of a race for one slot with a conflict, never an error (deadlocks between the inserts are retried)', async () => {
    const calendarId = await calendar(true);
    // Concurrent inserts checked by the exclusion constraint can deadlock; many rounds make one likely.
    for (let round = 0; round < 15; round++) {
      const start = inMs(3_600_000 * (10 + round * 2));
      const end = inMs(3_600_000 * (11 + round * 2));
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () =>
          send(COMMANDS.bookingsCreate, { actor, calendarId, startDateTime: start, endDateTime: end }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const codes = results
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map((r) => (r.reason as DomainError).code);
      expect(codes).toEqual(Array.from({ length: 5 }, () => 'CONFLICT'));
    }
  });

  it('accepts a tableEntryId only when leads knows it in the same organization', async () => {
    const calendarId = await calendar();
    const own = uuidv7();
    const foreign = uuidv7();
    entries.set(own, org);
    entries.set(foreign, uuidv7());
    const times = { startDateTime: inMs(3_600_000), endDateTime: inMs(5_400_000) };
    const booking = await send(COMMANDS.bookingsCreate, { actor, calendarId, tableEntryId: own, ...times });
    expect(booking.tableEntryId).toBe(own);
    for (const tableEntryId of [foreign, uuidv7()]) {
      const error = await failure(
        send(COMMANDS.bookingsCreate, { actor, calendarId, tableEntryId, ...times }),
      );
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details).toEqual({
        errors: [{ field: 'tableEntryId', message: 'is not an entry of this organization' }],
      });
    }
    // leads was asked within the caller's organization, every time.
    expect(entryLookups.filter((r) => [own, foreign].includes(r.id))).toEqual([
      { organizationId: org, id: own },
      { organizationId: org, id: foreign },
    ]);
  });

  it('books an entry leads vouches for without asking about it; a taken exclusive slot is still a conflict; bookingsDelete removes it', async () => {
    const calendarId = await calendar(true);
    // An entry leads is storing in the same request: unknown to leads' entriesGet until it commits.
    const coming = uuidv7();
    const times = { startDateTime: inMs(3_600_000 * 50), endDateTime: inMs(3_600_000 * 51) };
    const booking = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      tableEntryId: coming,
      entryVouched: true,
      ...times,
    });
    expect(booking).toMatchObject({ tableEntryId: coming, status: 'booked' });
    expect(entryLookups.filter((r) => r.id === coming)).toEqual([]);
    await waitFor(booking.id, 'calendar.appointment.booked');

    // Vouching skips only the entry check: the slot stays taken.
    const taken = await failure(
      send(COMMANDS.bookingsCreate, {
        actor,
        calendarId,
        tableEntryId: uuidv7(),
        entryVouched: true,
        ...times,
      }),
    );
    expect(taken.code).toBe('CONFLICT');
    expect(taken.message).toBe(`Overlaps booking ${booking.id}`);
    // Not vouched (false, as from anywhere else): the entry is checked as always.
    const unchecked = await failure(
      send(COMMANDS.bookingsCreate, {
        actor,
        calendarId,
        tableEntryId: uuidv7(),
        entryVouched: false,
        startDateTime: inMs(3_600_000 * 60),
        endDateTime: inMs(3_600_000 * 61),
      }),
    );
    expect(unchecked.code).toBe('VALIDATION_FAILED');

    // Leads undoes the booking when the entry cannot be stored: deleted, with its timers, and the slot freed.
    const deleted = await send(COMMANDS.bookingsDelete, { actor, id: booking.id });
    expect(deleted).toMatchObject({ id: booking.id, tableEntryId: coming });
    const event = await waitFor(booking.id, 'calendar.appointment.deleted');
    expect(event.body.data).toMatchObject({ id: booking.id, tableEntryId: coming, status: 'booked' });
    expect(await timerStates(booking.id)).toEqual({ [HAS_STARTED]: 'cancelled', [HAS_ENDED]: 'cancelled' });
    expect((await failure(send(COMMANDS.bookingsGet, { organizationId: org, id: booking.id }))).code).toBe(
      'NOT_FOUND',
    );
    await send(COMMANDS.bookingsCreate, { actor, calendarId, ...times });
  });

  it('reads and changes bookings only within their organization; events carry the caller', async () => {
    const calendarId = await calendar();
    const booking = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: '2031-03-01T10:00:00+01:00',
      endDateTime: '2031-03-01T11:30:00+01:00',
      title: 'Consultation',
      attendees: [{ name: 'Maria', email: 'maria@example.com' }],
    });
    // Stored and answered in UTC.
    expect(booking).toMatchObject({
      startDateTime: '2031-03-01T09:00:00.000Z',
      endDateTime: '2031-03-01T10:30:00.000Z',
      attendees: [{ name: 'Maria', email: 'maria@example.com' }],
    });
    expect(await send(COMMANDS.bookingsGet, { organizationId: org, id: booking.id })).toEqual(booking);
    const stranger: Actor = { ...actor, organizationId: uuidv7() };
    for (const attempt of [
      () => send(COMMANDS.bookingsGet, { organizationId: stranger.organizationId, id: booking.id }),
      () => send(COMMANDS.bookingsUpdate, { actor: stranger, id: booking.id, title: 'Mine now' }),
      () => send(COMMANDS.bookingsCancel, { actor: stranger, id: booking.id }),
      () => send(COMMANDS.bookingsComplete, { actor: stranger, id: booking.id }),
      () => send(COMMANDS.bookingsDelete, { actor: stranger, id: booking.id }),
      () =>
        send(COMMANDS.bookingsCreate, {
          actor: stranger,
          calendarId,
          startDateTime: inMs(60_000),
          endDateTime: inMs(120_000),
        }),
    ]) {
      const error = await failure(attempt());
      expect(error.code).toBe('NOT_FOUND');
    }
    const strangers = await send(COMMANDS.bookingsList, {
      organizationId: stranger.organizationId,
      limit: 100,
    });
    expect(strangers.items).toEqual([]);

    const emptyPatch = await failure(send(COMMANDS.bookingsUpdate, { actor, id: booking.id }));
    expect(emptyPatch.details).toMatchObject({ errors: [{ field: '(body)' }] });
    const renamed = await send(COMMANDS.bookingsUpdate, { actor, id: booking.id, title: 'Follow-up' });
    expect(renamed).toMatchObject({ title: 'Follow-up', startDateTime: booking.startDateTime });
    const deleted = await send(COMMANDS.bookingsDelete, { actor, id: booking.id });
    expect(deleted).toEqual(renamed);
    expect((await failure(send(COMMANDS.bookingsGet, { organizationId: org, id: booking.id }))).code).toBe(
      'NOT_FOUND',
    );

    const [booked] = await collector.waitFor(
      (e) => e.body.subject === booking.id && e.body.type === 'calendar.appointment.booked',
    );
    const [updated] = await collector.waitFor(
      (e) => e.body.subject === booking.id && e.body.type === 'calendar.appointment.updated',
    );
    const [gone] = await collector.waitFor(
      (e) => e.body.subject === booking.id && e.body.type === 'calendar.appointment.deleted',
    );
    for (const event of [booked!, updated!, gone!])
      expect(event.body).toMatchObject({
        source: '/calendar',
        subject: booking.id,
        organizationid: org,
        channel: 'connect_api',
        apitokenid: actor.apiTokenId,
        memberid: null,
        correlationid: actor.correlationId,
      });
    expect(booked!.body.data).toEqual(booking);
    expect(updated!.body.data).toEqual({
      booking: renamed,
      previous: {
        startDateTime: booking.startDateTime,
        endDateTime: booking.endDateTime,
        title: 'Consultation',
      },
    });
    // The booking as it was when it was deleted.
    expect(gone!.body.data).toEqual(renamed);
    expect(booked!.seq).toBeLessThan(updated!.seq);
    expect(updated!.seq).toBeLessThan(gone!.seq);
  });

  it('re-checks exclusivity when a booking moves', async () => {
    const calendarId = await calendar(true);
    const hour = 3_600_000;
    const base = Date.now() + 24 * hour;
    const at = (hours: number): string => new Date(base + hours * hour).toISOString();
    const first = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: at(0),
      endDateTime: at(1),
    });
    const second = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: at(2),
      endDateTime: at(3),
    });
    // Ranges are half-open: a booking may start when another one ends.
    await send(COMMANDS.bookingsCreate, { actor, calendarId, startDateTime: at(3), endDateTime: at(4) });

    const overlap = await failure(
      send(COMMANDS.bookingsUpdate, { actor, id: second.id, startDateTime: at(0.5) }),
    );
    expect(overlap.code).toBe('CONFLICT');
    expect(overlap.message).toBe(`Overlaps booking ${first.id}`);
    expect(overlap.details).toEqual({ conflictingBookingId: first.id });
    expect(await send(COMMANDS.bookingsGet, { organizationId: org, id: second.id })).toEqual(second);
    // Moving within its own slot never conflicts with itself.
    const shifted = await send(COMMANDS.bookingsUpdate, {
      actor,
      id: second.id,
      startDateTime: at(1.5),
      endDateTime: at(2.5),
    });
    expect(shifted).toMatchObject({ startDateTime: at(1.5), endDateTime: at(2.5) });
    const backwards = await failure(
      send(COMMANDS.bookingsUpdate, { actor, id: second.id, endDateTime: at(1) }),
    );
    expect(backwards.details).toEqual({
      errors: [{ field: 'endDateTime', message: 'must be after startDateTime' }],
    });
    // Once the first booking is cancelled its slot is free.
    await send(COMMANDS.bookingsCancel, { actor, id: first.id });
    const moved = await send(COMMANDS.bookingsUpdate, { actor, id: second.id, startDateTime: at(0.5) });
    expect(moved.startDateTime).toBe(at(0.5));
    expect(await timerStates(second.id)).toEqual({ [HAS_STARTED]: 'pending', [HAS_ENDED]: 'pending' });
  });

  it('cancelling or deleting after the start cancels only the pending hasEnded', async () => {
    const calendarId = await calendar();
    const cancelled = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: inMs(1_000),
      endDateTime: inMs(3_000),
    });
    const deleted = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: inMs(1_000),
      endDateTime: inMs(3_000),
    });
    const marker = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: inMs(3_200),
      endDateTime: inMs(3_500),
    });
    await waitFor(cancelled.id, HAS_STARTED);
    await waitFor(deleted.id, HAS_STARTED);
    expect(await timerStates(cancelled.id)).toEqual({ [HAS_STARTED]: 'fired', [HAS_ENDED]: 'pending' });
    await send(COMMANDS.bookingsCancel, { actor, id: cancelled.id });
    await send(COMMANDS.bookingsDelete, { actor, id: deleted.id });
    expect(await timerStates(cancelled.id)).toEqual({ [HAS_STARTED]: 'fired', [HAS_ENDED]: 'cancelled' });
    expect(await timerStates(deleted.id)).toEqual({ [HAS_STARTED]: 'fired', [HAS_ENDED]: 'cancelled' });
    await waitFor(marker.id, HAS_ENDED);
    expect(of(cancelled.id, HAS_ENDED)).toEqual([]);
    expect(of(deleted.id, HAS_ENDED)).toEqual([]);
  });

  it('two replicas fire each timer once', async () => {
    await calendarService.boot();
    const calendarId = await calendar();
    const due = inMs(2_000);
    const bookings = await Promise.all(
      Array.from({ length: 20 }, () =>
        send(COMMANDS.bookingsCreate, { actor, calendarId, startDateTime: due, endDateTime: inMs(2_200) }),
      ),
    );
    for (const b of bookings) await waitFor(b.id, HAS_ENDED);
    for (const b of bookings) {
      expect(of(b.id, HAS_STARTED)).toHaveLength(1);
      expect(of(b.id, HAS_ENDED)).toHaveLength(1);
    }
    await calendarService.apps.pop()!.close();
  });

  it('a timer that came due while calendar was down fires on recovery, marked late', async () => {
    const calendarId = await calendar();
    const booking = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: inMs(1_000),
      endDateTime: inMs(600_000),
    });
    for (const app of calendarService.apps.splice(0)) await app.close();
    // Down for longer than the runner's lateness threshold (2 s) past the start.
    await eventually(() => Date.now() > Date.parse(booking.startDateTime) + 2_500, { timeoutMs: 10_000 });
    expect(of(booking.id, HAS_STARTED)).toEqual([]);
    const restartedAt = Date.now();
    await calendarService.boot();
    const started = await waitFor(booking.id, HAS_STARTED, 30_000);
    expect((started.body.data as { late: boolean }).late).toBe(true);
    expect(Date.now() - restartedAt).toBeLessThan(30_000);
  });

  it('pages bookings by start time with a stable cursor', async () => {
    const calendarId = await calendar();
    const created = [];
    for (let i = 5; i > 0; i--)
      created.push(
        await send(COMMANDS.bookingsCreate, {
          actor,
          calendarId,
          startDateTime: inMs(i * 3_600_000),
          endDateTime: inMs(i * 3_600_000 + 60_000),
        }),
      );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await send(COMMANDS.bookingsList, {
        organizationId: org,
        calendarId,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((b) => b.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(created.map((b) => b.id).reverse());
    const window = await send(COMMANDS.bookingsList, {
      organizationId: org,
      calendarId,
      limit: 10,
      from: inMs(1.5 * 3_600_000),
      to: inMs(2.5 * 3_600_000),
    });
    expect(window.items.map((b) => b.id)).toEqual([created[3]!.id]);
    const all = await send(COMMANDS.bookingsList, { organizationId: org, limit: 100 });
    expect(all.items.map((b) => b.id)).toEqual(expect.arrayContaining(created.map((b) => b.id)));
    const starts = all.items.map((b) => Date.parse(b.startDateTime));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));

    const badCursor = await failure(
      send(COMMANDS.bookingsList, { organizationId: org, limit: 10, cursor: 'not-a-cursor' }),
    );
    expect(badCursor.details).toEqual({ errors: [{ field: 'cursor', message: 'is not a valid cursor' }] });
    const badFrom = await failure(
      send(COMMANDS.bookingsList, { organizationId: org, limit: 10, from: '2030-01-01T00:00:00' }),
    );
    expect(badFrom.details).toMatchObject({ errors: [{ field: 'from' }] });
    const unknown = await failure(
      send(COMMANDS.bookingsList, { organizationId: org, calendarId: uuidv7(), limit: 10 }),
    );
    expect(unknown.message).toBe('Calendar not found');
    const tooMany = await failure(send(COMMANDS.bookingsList, { organizationId: org, limit: 101 }));
    expect(tooMany.details).toMatchObject({ errors: [{ field: 'limit' }] });
  });

  it('publishes only events that match their contracts', () => {
    expect(collector.events.length).toBeGreaterThan(0);
    for (const event of collector.events)
      withContext(event.body.type, () => expect(validateEvent(event.body)).toMatchObject({ ok: true }));
  });
});

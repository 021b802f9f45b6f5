import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import {
  APPOINTMENT_AFTER,
  APPOINTMENT_BEFORE,
  COMMANDS,
  uuidv7,
  type Actor,
  type AutomationRunListItem,
  type Booking,
  type Calendar,
  type LeadPool,
  type TableEntry,
} from '@rocketlead/contracts';
import { commandSender, eventually, failure, type CommandSender } from '@rocketlead/testing';
import { FakeCalendar } from './fake-calendar';
import { FakeLeads, startAutomation, type AutomationUnderTest } from './support';

interface ReminderRow {
  booking_id: string;
  offset: string;
  state: string;
  due_at: Date;
  reason: string | null;
  run_id: string | null;
}

/** What the reminder's update_fields step writes on the lead (templates over the run context). */
interface Reminded {
  remindedFor: string;
  reminder: string;
  bookingId: string;
  late: string;
}

// Appointment reminders through the service's commands and calendar events, on real Postgres and NATS, with
// calendar and leads played by fakes on the test namespace.
describe('appointment reminders (real Postgres and NATS)', () => {
  let auto: AutomationUnderTest;
  let leads: FakeLeads;
  let calendar: FakeCalendar;
  let send: CommandSender;
  // Its own connection: it outlives the service instances.
  let db: Client;
  let pool: LeadPool;
  const org = uuidv7();

  const actor = (): Actor => ({
    organizationId: org,
    channel: 'connect_api',
    apiTokenId: uuidv7(),
    memberId: null,
    correlationId: uuidv7(),
    traceparent: null,
  });

  /** An automation reminding of the calendar's bookings `offset` before (or after) them; it tags the lead. */
  const reminderAutomation = async (
    cal: Calendar,
    offset: string,
    { event = APPOINTMENT_BEFORE, status = 'active' }: { event?: string; status?: 'active' | 'draft' } = {},
  ): Promise<string> => {
    const created = await send(COMMANDS.automationsCreate, {
      actor: actor(),
      name: `Remind ${cal.name}`,
      trigger: { event, triggerId: cal.id, offset },
      actions: [
        {
          type: 'update_fields',
          params: {
            data: {
              remindedFor: '{{ event.data.scheduledFor }}',
              reminder: '{{ event.type }}',
              bookingId: '{{ booking.id }}',
              late: '{{ event.data.late }}',
            },
          },
        },
      ],
      status,
    });
    return created.id;
  };

  const setStatus = (id: string, status: 'active' | 'paused') =>
    send(COMMANDS.automationsUpdate, { actor: actor(), id, status });

  const lead = (): TableEntry => leads.addEntry(pool, { email: 'ada@example.test' });

  /** A booked booking of a new lead starting `inMs` from now. */
  const book = async (cal: Calendar, inMs: number, quietly = false) => {
    const entry = lead();
    const booking = await calendar.book(cal, new Date(Date.now() + inMs), {
      entryId: entry.id,
      actor: actor(),
      quietly,
    });
    return { entry, booking };
  };

  /** What the reminders wrote on the lead, one per execution of their step. */
  const remindersOf = (entry: TableEntry): Reminded[] =>
    leads.updatesOf(entry.id).map((u) => u.data as unknown as Reminded);

  const reminded = (entry: TableEntry, timeoutMs = 15_000): Promise<Reminded> =>
    eventually(() => remindersOf(entry)[0], { timeoutMs, message: `lead ${entry.id} reminded` });

  const runs = async (automationId: string): Promise<AutomationRunListItem[]> =>
    (await send(COMMANDS.runsList, { organizationId: org, automationId, limit: 100 })).items;

  const rows = async (automationId: string): Promise<ReminderRow[]> =>
    (
      await db.query<ReminderRow>(
        `SELECT booking_id, "offset", state, due_at, reason, run_id FROM automation.reminders
         WHERE automation_id = $1 ORDER BY due_at, booking_id`,
        [automationId],
      )
    ).rows;

  const rowOf = async (automationId: string, booking: Booking): Promise<ReminderRow | undefined> =>
    (await rows(automationId)).find((r) => r.booking_id === booking.id);

  const pendingTimers = async (automationId: string): Promise<number> =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM automation.timers WHERE key LIKE $1 AND state = 'pending'`,
        [`reminder:${automationId}:%`],
      )
    ).rows[0]!.n;

  /**
   * When the reminder's timer was claimed (its event's `firedAt`, never before its due time). The run's
   * `startedAt` is its transaction's start, which may precede the claim by a few milliseconds.
   */
  const firedAtOf = async (runId: string): Promise<number> =>
    Date.parse(
      (
        await db.query<{ fired_at: string }>(
          `SELECT snapshot->'event'->'data'->>'firedAt' AS fired_at FROM automation.runs WHERE id = $1`,
          [runId],
        )
      ).rows[0]!.fired_at,
    );

  const dueOf = (booking: Booking, offsetMs: number): Date =>
    new Date(Date.parse(booking.startDateTime) - offsetMs);

  beforeAll(async () => {
    auto = await startAutomation('reminders');
    leads = FakeLeads.start(auto.nc, auto.names);
    calendar = FakeCalendar.start(auto.nc, auto.names);
    send = commandSender(auto.nc, auto.names);
    db = new Client({ connectionString: auto.db.url });
    await db.connect();
    pool = leads.addPool(org, 'Patients', ['New']).pool;
  }, 120_000);

  afterAll(async () => {
    calendar?.stop();
    leads?.stop();
    await db?.end();
    await auto?.stop();
  }, 120_000);

  it('rejects a reminder trigger without an offset or with a bad one, naming trigger.offset', async () => {
    const cal = calendar.addCalendar(org, 'Validation');
    for (const offset of [undefined, 'two hours', 'P400D']) {
      const error = await failure(
        send(COMMANDS.automationsCreate, {
          actor: actor(),
          name: 'bad',
          trigger: { event: APPOINTMENT_BEFORE, triggerId: cal.id, ...(offset ? { offset } : {}) },
          actions: [{ type: 'update_fields', params: { data: { x: '1' } } }],
        }),
      );
      expect(error.details?.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'trigger.offset' })]),
      );
    }
  });

  it('fires a before-reminder once, at start − offset, with a calendar.appointment.before run', async () => {
    const cal = calendar.addCalendar(org, 'Clinic A');
    const id = await reminderAutomation(cal, 'PT3S');
    const { entry, booking } = await book(cal, 6_000);
    const due = dueOf(booking, 3_000);
    await eventually(async () => (await rowOf(id, booking))?.state === 'planned', { message: 'planned' });
    expect((await rowOf(id, booking))?.due_at.getTime()).toBe(due.getTime());

    const data = await reminded(entry);
    expect(data).toEqual({
      remindedFor: due.toISOString(),
      reminder: APPOINTMENT_BEFORE,
      bookingId: booking.id,
      late: 'false',
    });
    const [run, ...others] = await runs(id);
    expect(others).toEqual([]);
    expect(run!.context).toMatchObject({
      eventType: APPOINTMENT_BEFORE,
      bookingId: booking.id,
      entryId: entry.id,
    });
    expect(run!.triggerName).toBe('Clinic A');
    const lateness = (await firedAtOf(run!.id)) - due.getTime();
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(1_500);
    const fired = await eventually(async () => {
      const row = await rowOf(id, booking);
      return row?.state === 'fired' ? row : undefined;
    });
    expect(fired.run_id).toBe(run!.id);
    await eventually(async () => (await runs(id))[0]?.status === 'completed', { message: 'run completed' });
    expect(remindersOf(entry)).toHaveLength(1);
    expect(await pendingTimers(id)).toBe(0);
  });

  it('fires an after-reminder at end + offset', async () => {
    const cal = calendar.addCalendar(org, 'Clinic After');
    const id = await reminderAutomation(cal, 'PT1S', { event: APPOINTMENT_AFTER });
    const entry = lead();
    // A booking of 0.05 minutes (3 s) from 1 s: it ends in 4 s, its after-reminder is due in 5 s.
    const booking = await calendar.book(cal, new Date(Date.now() + 1_000), {
      entryId: entry.id,
      actor: actor(),
      minutes: 0.05,
    });
    const due = new Date(Date.parse(booking.endDateTime) + 1_000);
    const data = await reminded(entry);
    expect(data).toMatchObject({ remindedFor: due.toISOString(), reminder: APPOINTMENT_AFTER });
    const [run] = await runs(id);
    expect(await firedAtOf(run!.id)).toBeGreaterThanOrEqual(due.getTime());
  });

  it('moves the reminder with a moved booking: it fires at the new time only', async () => {
    const cal = calendar.addCalendar(org, 'Clinic B');
    const id = await reminderAutomation(cal, 'PT2S');
    const { entry, booking } = await book(cal, 5_000);
    await eventually(async () => (await rowOf(id, booking))?.state === 'planned', { message: 'planned' });
    const moved = await calendar.move(booking.id, new Date(Date.now() + 8_000), actor());
    const due = dueOf(moved, 2_000);
    await eventually(async () => (await rowOf(id, booking))?.due_at.getTime() === due.getTime(), {
      message: 'reminder moved',
    });

    const data = await reminded(entry);
    expect(data.remindedFor).toBe(due.toISOString());
    const [run, ...others] = await runs(id);
    expect(others).toEqual([]);
    expect(await firedAtOf(run!.id)).toBeGreaterThanOrEqual(due.getTime());
    await eventually(async () => (await runs(id))[0]?.status === 'completed', { message: 'run completed' });
    expect(remindersOf(entry)).toHaveLength(1);
  });

  it('never fires the reminder of a cancelled booking, nor one of a booking made after its time', async () => {
    const cal = calendar.addCalendar(org, 'Clinic C');
    const id = await reminderAutomation(cal, 'PT2S');
    const cancelled = await book(cal, 5_000);
    await eventually(async () => (await rowOf(id, cancelled.booking))?.state === 'planned', {
      message: 'planned',
    });
    await calendar.cancel(cancelled.booking.id, actor());
    await eventually(async () => (await rowOf(id, cancelled.booking))?.state === 'ended', {
      message: 'ended',
    });
    expect(await pendingTimers(id)).toBe(0);
    // Starts in 1 s: its reminder (2 s before) was due a second before it was made.
    const tooLate = await book(cal, 1_000);
    // Due after the other two would have been: once it fired, they would have too.
    const control = await book(cal, 6_000);

    await reminded(control.entry);
    await eventually(async () => (await runs(id))[0]?.status === 'completed', { message: 'run completed' });
    expect((await runs(id)).map((r) => r.context.bookingId)).toEqual([control.booking.id]);
    expect(remindersOf(cancelled.entry)).toEqual([]);
    expect(remindersOf(tooLate.entry)).toEqual([]);
    expect(await rowOf(id, cancelled.booking)).toMatchObject({ state: 'ended', reason: 'booking cancelled' });
    expect(await rowOf(id, tooLate.booking)).toBeUndefined();
  });

  it('re-checks the booking when the reminder is due: cancelled meanwhile, it ends; moved later, it follows', async () => {
    const cal = calendar.addCalendar(org, 'Clinic F');
    const id = await reminderAutomation(cal, 'PT2S');
    const cancelled = await book(cal, 4_000);
    const moved = await book(cal, 4_000);
    await eventually(async () => (await rows(id)).filter((r) => r.state === 'planned').length === 2, {
      message: 'planned',
    });
    // Changed in calendar, their events not (yet) here: only the firing can tell.
    await calendar.cancel(cancelled.booking.id, actor(), true);
    const later = await calendar.move(moved.booking.id, new Date(Date.now() + 7_000), actor(), true);
    const due = dueOf(later, 2_000);

    const data = await reminded(moved.entry);
    expect(data.remindedFor).toBe(due.toISOString());
    expect(await rowOf(id, cancelled.booking)).toMatchObject({ state: 'ended', reason: 'booking cancelled' });
    expect(remindersOf(cancelled.entry)).toEqual([]);
    expect((await runs(id)).map((r) => r.context.bookingId)).toEqual([moved.booking.id]);
  });

  it('plans the existing future bookings when activated (page by page), cancels them when paused, plans again', async () => {
    const cal = calendar.addCalendar(org, 'Clinic D');
    // Bookings made before anything reminded of them: no event reaches a reminder automation.
    const soon = await book(cal, 9_000, true);
    const passed = await book(cal, 1_000, true);
    const later: Booking[] = [];
    for (let i = 0; i < 120; i += 1)
      later.push(
        await calendar.book(cal, new Date(Date.now() + 86_400_000 + i * 60_000), {
          actor: actor(),
          quietly: true,
        }),
      );
    const id = await reminderAutomation(cal, 'PT2S', { status: 'draft' });
    expect(await rows(id)).toEqual([]);
    const listedBefore = calendar.listed;

    await setStatus(id, 'active');
    const planned = await eventually(
      async () => {
        const all = await rows(id);
        return all.length === 121 && all.every((r) => r.state === 'planned') ? all : undefined;
      },
      { message: 'existing bookings planned' },
    );
    expect(planned.map((r) => r.booking_id)).toEqual([soon.booking.id, ...later.map((b) => b.id)]);
    // 122 bookings end after the activation (one of them too soon for its reminder): two pages of 100.
    expect(calendar.listed - listedBefore).toBe(2);
    expect(await pendingTimers(id)).toBe(121);

    await setStatus(id, 'paused');
    const cancelled = await rows(id);
    expect(cancelled.every((r) => r.state === 'cancelled' && r.reason === 'automation paused')).toBe(true);
    expect(await pendingTimers(id)).toBe(0);

    await setStatus(id, 'active');
    await eventually(async () => (await rows(id)).filter((r) => r.state === 'planned').length === 121, {
      message: 'planned again',
    });
    const data = await reminded(soon.entry);
    expect(data.remindedFor).toBe(dueOf(soon.booking, 2_000).toISOString());
    expect(remindersOf(passed.entry)).toEqual([]);
    expect((await runs(id)).map((r) => r.context.bookingId)).toEqual([soon.booking.id]);
  });

  it('fires each reminder once with two replicas', async () => {
    const second = await auto.boot();
    try {
      const cal = calendar.addCalendar(org, 'Clinic E');
      const id = await reminderAutomation(cal, 'PT2S');
      const booked: { entry: TableEntry; booking: Booking }[] = [];
      for (let i = 0; i < 10; i += 1) booked.push(await book(cal, 5_000));
      await eventually(
        async () => {
          const all = await rows(id);
          return all.length === 10 && all.every((r) => r.state === 'fired');
        },
        { timeoutMs: 20_000, message: 'all fired' },
      );
      await eventually(async () => (await runs(id)).every((r) => r.status === 'completed'), {
        message: 'runs completed',
      });
      const all = await runs(id);
      expect(all).toHaveLength(10);
      expect(new Set(all.map((r) => r.context.bookingId))).toEqual(new Set(booked.map((b) => b.booking.id)));
      for (const { entry } of booked)
        expect(new Set(leads.updatesOf(entry.id).map((u) => u.idempotencyKey)).size).toBe(1);
    } finally {
      auto.apps.splice(auto.apps.indexOf(second), 1);
      await second.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@rocketlead/testing';
import { Api, E2E, type PoolSetup } from './support/platform';

interface RunSummary {
  id: string;
  status: string;
  triggerName: string | null;
  startedAt: string;
  context: { eventType: string; bookingId: string | null; entryId: string | null };
}

const BEFORE = 'calendar.appointment.before';
const OFFSET_MS = 3_000;
const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

describe('appointment reminders (all services as processes)', () => {
  let e2e: E2E;
  let admin: Api;
  let pool: PoolSetup;

  /** A calendar and an automation reminding of its bookings 3 s before they start (it tags the lead). */
  const remindingCalendar = async (name: string): Promise<{ calendarId: string; automationId: string }> => {
    const calendar = await admin.post<{ id: string }>('/connect/calendars', { name });
    expect(calendar.status).toBe(201);
    const automation = await admin.post<{ id: string }>('/api/v1/automations', {
      name: `Remind ${name}`,
      status: 'active',
      trigger: { event: BEFORE, triggerId: calendar.body.id, offset: 'PT3S' },
      actions: [
        { type: 'update_fields', params: { data: { remindedFor: '{{ event.data.scheduledFor }}' } } },
      ],
    });
    if (automation.status !== 201)
      throw new Error(`automation: ${automation.status} ${JSON.stringify(automation.body)}`);
    return { calendarId: calendar.body.id, automationId: automation.body.id };
  };

  /** A lead booked on the calendar from `startMs` from now, for a minute. */
  const book = async (
    calendarId: string,
    startMs: number,
  ): Promise<{ entryId: string; bookingId: string }> => {
    const entry = await e2e.ingest(pool, { data: { email: 'patient@example.test' } });
    expect(entry.status).toBe(201);
    const entryId = entry.body.id as string;
    const booking = await admin.post<{ id: string }>('/connect/calendar_bookings/', {
      calendarId,
      startDateTime: inMs(startMs),
      endDateTime: inMs(startMs + 60_000),
      tableEntryId: entryId,
    });
    expect(booking.status).toBe(201);
    return { entryId, bookingId: booking.body.id };
  };

  const runs = async (automationId: string): Promise<RunSummary[]> => {
    const res = await admin.get<{ items: RunSummary[] }>(`/api/v1/automations/${automationId}/runs`);
    expect(res.status).toBe(200);
    return res.body.items;
  };

  const completedRun = (automationId: string): Promise<RunSummary> =>
    eventually(
      async () => {
        const [run] = await runs(automationId);
        return run?.status === 'completed' ? run : undefined;
      },
      { timeoutMs: 30_000, message: `a completed run of ${automationId}` },
    );

  const remindedFor = async (entryId: string): Promise<unknown> =>
    (await admin.get<{ data: Record<string, unknown> }>(`/connect/table_entries/${entryId}`)).body.data
      .remindedFor;

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin } = await e2e.organization('Clinic'));
    pool = await e2e.pool(admin);
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 120_000);

  it('fires an automation 3 s before a booking starts, with a calendar.appointment.before run', async () => {
    const { calendarId, automationId } = await remindingCalendar('Dentist');
    const { entryId, bookingId } = await book(calendarId, 8_000);
    const booking = await admin.get<{ startDateTime: string }>(`/connect/calendar_bookings/${bookingId}`);
    const due = Date.parse(booking.body.startDateTime) - OFFSET_MS;

    const run = await completedRun(automationId);
    expect(run).toMatchObject({
      triggerName: 'Dentist',
      context: { eventType: BEFORE, bookingId, entryId },
    });
    expect(Date.parse(run.startedAt)).toBeGreaterThanOrEqual(due);
    expect(Date.parse(run.startedAt) - due).toBeLessThan(2_000);
    expect(await remindedFor(entryId)).toBe(new Date(due).toISOString());
    expect(await runs(automationId)).toHaveLength(1);
  });

  it("moves a rescheduled booking's reminder: it fires at the new time only", async () => {
    const { calendarId, automationId } = await remindingCalendar('Physio');
    const { entryId, bookingId } = await book(calendarId, 6_000);
    const newStart = inMs(11_000);
    const patched = await admin.patch(`/connect/calendar_bookings/${bookingId}`, {
      startDateTime: newStart,
      endDateTime: inMs(71_000),
    });
    expect(patched.status).toBe(200);
    const due = Date.parse(newStart) - OFFSET_MS;

    const run = await completedRun(automationId);
    expect(run.context).toMatchObject({ eventType: BEFORE, bookingId });
    expect(Date.parse(run.startedAt)).toBeGreaterThanOrEqual(due);
    expect(await remindedFor(entryId)).toBe(new Date(due).toISOString());
    expect(await runs(automationId)).toHaveLength(1);
  });

  it("never fires a cancelled booking's reminder", async () => {
    const { calendarId, automationId } = await remindingCalendar('Optician');
    const cancelled = await book(calendarId, 5_000);
    expect((await admin.post(`/connect/calendar_bookings/${cancelled.bookingId}/cancel`)).status).toBe(200);
    // Due after the cancelled one would have been: when it has fired, the cancelled one would have too.
    const control = await book(calendarId, 7_000);

    const run = await completedRun(automationId);
    expect(run.context.bookingId).toBe(control.bookingId);
    expect((await runs(automationId)).map((r) => r.context.bookingId)).toEqual([control.bookingId]);
    expect(await remindedFor(cancelled.entryId)).toBeUndefined();
  });
});

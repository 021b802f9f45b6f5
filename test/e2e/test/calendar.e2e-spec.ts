import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api, E2E, UUID_V7 } from './support/platform';

const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

describe('calendar bookings through the Connect API (all services as processes)', () => {
  let e2e: E2E;
  let admin: Api;
  let organizationId: string;

  const waitFor = (bookingId: string, type: string, timeoutMs = 10_000) =>
    e2e.calendarEvents
      .waitFor((e) => e.body.subject === bookingId && e.body.type === type, timeoutMs)
      .then((found) => found[0]!);
  const typesOf = (bookingId: string) =>
    e2e.calendarEvents.events.filter((e) => e.body.subject === bookingId).map((e) => e.body.type);

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin, organizationId } = await e2e.organization('Studio'));
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 120_000);

  it('creates calendars (admin) with a time zone, refusing unknown zones', async () => {
    const created = await admin.post('/connect/calendars', {
      name: 'Yoga',
      timezone: 'Europe/Berlin',
      exclusive: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Yoga', timezone: 'Europe/Berlin', exclusive: true });
    const defaults = await admin.post('/connect/calendars', { name: 'Default' });
    expect(defaults.body).toMatchObject({ timezone: 'UTC', exclusive: false });
    const bad = await admin.post('/connect/calendars', { name: 'X', timezone: 'Mars/Base' });
    expect(bad).toMatchObject({
      status: 400,
      body: { message: 'Validation failed', errors: [{ field: 'timezone' }] },
    });
    const { api: writer } = await e2e.token(admin, ['write']);
    expect((await writer.post('/connect/calendars', { name: 'nope' })).status).toBe(403);
    // Any token lists them, newest first.
    const listed = await writer.get('/connect/calendars?limit=2');
    expect(listed).toMatchObject({ status: 200, body: { items: [defaults.body, created.body] } });
    const { admin: stranger } = await e2e.organization('Elsewhere');
    expect((await stranger.get('/connect/calendars')).body).toEqual({ items: [], nextCursor: null });
  });

  it('books, fires hasStarted and hasEnded on time, with the booking events in order', async () => {
    const calendar = await admin.post('/connect/calendars', { name: 'Timed' });
    const setup = await e2e.pool(admin);
    const entry = await e2e.ingest(setup, { data: { email: 'a@b' } });
    const booking = await admin.post('/connect/calendar_bookings/', {
      calendarId: calendar.body.id,
      startDateTime: inMs(3_000),
      endDateTime: inMs(4_000),
      tableEntryId: entry.body.id,
      title: 'Trial lesson',
      attendees: [{ name: 'Maria', email: 'maria@example.com' }],
    });
    expect(booking.status).toBe(201);
    expect(Object.keys(booking.body)).toEqual(
      expect.arrayContaining([
        'id',
        'calendarId',
        'organizationId',
        'tableEntryId',
        'title',
        'startDateTime',
        'endDateTime',
        'status',
        'createdAt',
      ]),
    );
    expect(booking.body).toMatchObject({
      organizationId,
      tableEntryId: entry.body.id,
      status: 'booked',
      title: 'Trial lesson',
    });
    const id = booking.body.id as string;
    expect((await admin.get(`/connect/calendar_bookings/${id}`)).body).toEqual(booking.body);
    const booked = await waitFor(id, 'calendar.appointment.booked');
    expect(booked.body.id).toMatch(UUID_V7);
    expect(booked.subject).toBe(e2e.names.eventSubject('calendar.appointment.booked'));
    for (const type of ['calendar.appointment.hasStarted', 'calendar.appointment.hasEnded']) {
      const event = await waitFor(id, type);
      const data = event.body.data as { scheduledFor: string; firedAt: string; late: boolean };
      expect(Date.parse(data.firedAt)).toBeGreaterThanOrEqual(Date.parse(data.scheduledFor));
      expect(Date.parse(data.firedAt) - Date.parse(data.scheduledFor)).toBeLessThan(2_000);
      expect(data.late).toBe(false);
    }
    expect(typesOf(id)).toEqual([
      'calendar.appointment.booked',
      'calendar.appointment.hasStarted',
      'calendar.appointment.hasEnded',
    ]);
  });

  it('refuses bad input with 400, an unknown calendar with 404 and an overlap with 409', async () => {
    const calendar = await admin.post('/connect/calendars', { name: 'Exclusive', exclusive: true });
    const calendarId = calendar.body.id as string;
    const start = inMs(3_600_000);
    const end = inMs(7_200_000);
    const noOffset = await admin.post('/connect/calendar_bookings/', {
      calendarId,
      startDateTime: '2030-01-01T10:00:00',
      endDateTime: end,
    });
    expect(noOffset).toMatchObject({ status: 400, body: { errors: [{ field: 'startDateTime' }] } });
    const backwards = await admin.post('/connect/calendar_bookings/', {
      calendarId,
      startDateTime: end,
      endDateTime: start,
    });
    expect(backwards).toMatchObject({ status: 400, body: { errors: [{ field: 'endDateTime' }] } });
    const unknownEntry = await admin.post('/connect/calendar_bookings/', {
      calendarId,
      startDateTime: start,
      endDateTime: end,
      tableEntryId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknownEntry).toMatchObject({ status: 400, body: { errors: [{ field: 'tableEntryId' }] } });
    const unknownCalendar = await admin.post('/connect/calendar_bookings/', {
      calendarId: '00000000-0000-4000-8000-000000000000',
      startDateTime: start,
      endDateTime: end,
    });
    expect(unknownCalendar).toMatchObject({ status: 404, body: { message: 'Calendar not found' } });
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        admin.post('/connect/calendar_bookings/', { calendarId, startDateTime: start, endDateTime: end }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const winner = results.find((r) => r.status === 201)!.body.id as string;
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body).toMatchObject({
        statusCode: 409,
        error: 'Conflict',
        message: `Overlaps booking ${winner}`,
      });
    }
  });

  it('reschedules, cancels, completes and deletes, moving and cancelling the timers', async () => {
    const calendar = await admin.post('/connect/calendars', { name: 'Changes' });
    const calendarId = calendar.body.id as string;
    const make = async (startMs: number, endMs: number) =>
      (
        await admin.post('/connect/calendar_bookings/', {
          calendarId,
          startDateTime: inMs(startMs),
          endDateTime: inMs(endMs),
        })
      ).body.id as string;
    const moved = await make(1_000, 1_500);
    const deleted = await make(1_500, 2_000);
    const cancelled = await make(1_500, 2_000);
    const completed = await make(60_000, 120_000);
    const newStart = inMs(3_000);
    const patched = await admin.patch(`/connect/calendar_bookings/${moved}`, {
      startDateTime: newStart,
      endDateTime: inMs(3_500),
      title: 'Moved',
    });
    expect(patched).toMatchObject({ status: 200, body: { startDateTime: newStart, title: 'Moved' } });
    expect((await admin.delete(`/connect/calendar_bookings/${deleted}`)).status).toBe(204);
    expect((await admin.get(`/connect/calendar_bookings/${deleted}`)).status).toBe(404);
    expect(await admin.post(`/connect/calendar_bookings/${cancelled}/cancel`)).toMatchObject({
      status: 200,
      body: { status: 'cancelled' },
    });
    expect(await admin.post(`/connect/calendar_bookings/${completed}/complete`)).toMatchObject({
      status: 200,
      body: { status: 'completed' },
    });
    await waitFor(moved, 'calendar.appointment.hasEnded');
    expect(typesOf(moved)).toEqual([
      'calendar.appointment.booked',
      'calendar.appointment.updated',
      'calendar.appointment.hasStarted',
      'calendar.appointment.hasEnded',
    ]);
    expect(
      (
        e2e.calendarEvents.events.find(
          (e) => e.body.subject === moved && e.body.type === 'calendar.appointment.hasStarted',
        )!.body.data as { scheduledFor: string }
      ).scheduledFor,
    ).toBe(newStart);
    expect(typesOf(deleted)).toEqual(['calendar.appointment.booked', 'calendar.appointment.deleted']);
    expect(typesOf(cancelled)).toEqual(['calendar.appointment.booked', 'calendar.appointment.cancelled']);
    expect(typesOf(completed)).toEqual(['calendar.appointment.booked', 'calendar.appointment.completed']);
  });

  it('lists bookings with paging and keeps organizations apart', async () => {
    const calendar = await admin.post('/connect/calendars', { name: 'List' });
    const calendarId = calendar.body.id as string;
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      ids.push(
        (
          await admin.post('/connect/calendar_bookings/', {
            calendarId,
            startDateTime: inMs(i * 3_600_000),
            endDateTime: inMs(i * 3_600_000 + 60_000),
          })
        ).body.id as string,
      );
    }
    const first = await admin.get<{ items: { id: string }[]; nextCursor: string }>(
      `/connect/calendar_bookings?calendarId=${calendarId}&limit=2`,
    );
    const second = await admin.get<{ items: { id: string }[]; nextCursor: string | null }>(
      `/connect/calendar_bookings?calendarId=${calendarId}&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect([...first.body.items, ...second.body.items].map((b) => b.id)).toEqual(ids);
    expect(second.body.nextCursor).toBeNull();
    const { admin: other } = await e2e.organization('Other');
    expect((await other.get(`/connect/calendars/${calendarId}`)).status).toBe(404);
    expect((await other.get(`/connect/calendar_bookings/${ids[0]!}`)).status).toBe(404);
    expect((await other.delete(`/connect/calendar_bookings/${ids[0]!}`)).status).toBe(404);
    expect(
      (
        await other.post('/connect/calendar_bookings/', {
          calendarId,
          startDateTime: inMs(1e7),
          endDateTime: inMs(2e7),
        })
      ).status,
    ).toBe(404);
  });
});

import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startIngress, type IngressUnderTest, type Res } from './support';

// The calendar routes of the Connect API: ingress in-process, leads and calendar as real processes.
describe('ingress calendar routes (real Postgres and NATS; leads and calendar as processes)', () => {
  let ingress: IngressUnderTest;
  let admin: string;
  let writer: string;
  let reader: string;
  let stranger: string;
  const call: IngressUnderTest['call'] = (...args) => ingress.call(...args);

  const inHours = (hours: number): string => new Date(Date.now() + hours * 3_600_000).toISOString();
  const fields = (res: Res): string[] => (res.body.errors as { field: string }[]).map((e) => e.field);

  async function token(scopes: string[]): Promise<string> {
    const res = await call('POST', '/connect/api_tokens', admin, { name: scopes.join('+'), scopes });
    return res.body.token as string;
  }

  async function calendar(exclusive = false): Promise<string> {
    return (await call('POST', '/connect/calendars', admin, { name: 'Studio', exclusive })).body.id as string;
  }

  beforeAll(async () => {
    ingress = await startIngress('ingresscal', ['leads', 'calendar']);
    admin = (await ingress.bootstrap('Acme')).token;
    stranger = (await ingress.bootstrap('Other')).token;
    writer = await token(['write']);
    reader = await token(['read']);
  }, 120_000);

  afterAll(() => ingress?.stop(), 120_000);

  it('creates calendars with admin only, UTC and non-exclusive by default, and reads them with read', async () => {
    expect((await call('POST', '/connect/calendars', undefined, { name: 'A' })).status).toBe(401);
    expect((await call('POST', '/connect/calendars', writer, { name: 'A' })).status).toBe(403);
    const created = await call('POST', '/connect/calendars', admin, { name: 'A' });
    expect(created).toMatchObject({
      status: 201,
      body: { name: 'A', timezone: 'UTC', exclusive: false },
    });
    expect(Object.keys(created.body).sort()).toEqual(
      ['createdAt', 'exclusive', 'id', 'name', 'organizationId', 'timezone'].sort(),
    );
    const id = created.body.id as string;
    expect(await call('GET', `/connect/calendars/${id}`, reader)).toEqual({
      status: 200,
      body: created.body,
    });
    expect(await call('GET', `/connect/calendars/${id}`, stranger)).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'Calendar not found' },
    });
    expect(fields(await call('GET', '/connect/calendars/nope', reader))).toEqual(['id']);

    const zoned = await call('POST', '/connect/calendars', admin, {
      name: 'B',
      timezone: 'Europe/Berlin',
      exclusive: true,
    });
    expect(zoned.body).toMatchObject({ timezone: 'Europe/Berlin', exclusive: true });
    const badZone = await call('POST', '/connect/calendars', admin, { name: 'C', timezone: 'Mars/Base' });
    expect(badZone).toMatchObject({ status: 400, body: { message: 'Validation failed' } });
    expect(fields(badZone)).toEqual(['timezone']);
    const unknownField = await call('POST', '/connect/calendars', admin, { name: 'D', color: 'red' });
    expect(unknownField.status).toBe(400);
    expect(fields(unknownField)).toEqual(['color']);
  });

  it('books with write, checks times and entries, and answers 201 with the booking in UTC', async () => {
    const calendarId = await calendar();
    const body = {
      calendarId,
      startDateTime: '2031-06-01T09:00:00+02:00',
      endDateTime: '2031-06-01T10:00:00+02:00',
      title: 'Intro call',
      attendees: [{ name: 'Jo', email: 'jo@example.com' }],
    };
    expect((await call('POST', '/connect/calendar_bookings/', reader, body)).status).toBe(403);
    const created = await call('POST', '/connect/calendar_bookings/', writer, body);
    expect(created).toMatchObject({
      status: 201,
      body: {
        calendarId,
        tableEntryId: null,
        title: 'Intro call',
        startDateTime: '2031-06-01T07:00:00.000Z',
        endDateTime: '2031-06-01T08:00:00.000Z',
        status: 'booked',
        attendees: [{ name: 'Jo', email: 'jo@example.com' }],
      },
    });
    expect(await call('GET', `/connect/calendar_bookings/${created.body.id as string}`, reader)).toEqual({
      status: 200,
      body: created.body,
    });

    const noOffset = await call('POST', '/connect/calendar_bookings', writer, {
      ...body,
      startDateTime: '2031-06-01T09:00:00',
    });
    expect(noOffset).toMatchObject({ status: 400, body: { message: 'Validation failed' } });
    expect(fields(noOffset)).toEqual(['startDateTime']);
    const backwards = await call('POST', '/connect/calendar_bookings', writer, {
      ...body,
      endDateTime: '2031-06-01T08:00:00+02:00',
    });
    expect(fields(backwards)).toEqual(['endDateTime']);
    // An array item's field is named by its index in brackets, as everywhere else.
    const badAttendee = await call('POST', '/connect/calendar_bookings', writer, {
      ...body,
      attendees: [{ name: 'Jo', email: 'jo@example.com' }, { name: 'A'.repeat(201) }],
    });
    expect(fields(badAttendee)).toEqual(['attendees[1].name']);
    expect(
      (await call('POST', '/connect/calendar_bookings', stranger, { ...body, title: 'x' })).body.message,
    ).toBe('Calendar not found');

    // A lead of this organization through the Connect API; another organization's entry is refused.
    const pool = await call('POST', '/connect/lead_pools', admin, { name: 'P' });
    const poolId = pool.body.id as string;
    await call('POST', `/connect/lead_pools/${poolId}/lead_states`, admin, { name: 'New', isDefault: true });
    await call('PATCH', `/connect/lead_pools/${poolId}`, admin, { tableSchema: { email: 'string' } });
    const entry = await call('POST', '/connect/table_entries', writer, {
      tableId: poolId,
      data: { email: 'jo@example.com' },
    });
    expect(entry.status).toBe(201);
    const linked = await call('POST', '/connect/calendar_bookings', writer, {
      ...body,
      tableEntryId: entry.body.id,
    });
    expect(linked).toMatchObject({ status: 201, body: { tableEntryId: entry.body.id } });
    const otherCalendar = (await call('POST', '/connect/calendars', stranger, { name: 'Theirs' })).body.id;
    const foreign = await call('POST', '/connect/calendar_bookings', stranger, {
      ...body,
      calendarId: otherCalendar,
      tableEntryId: entry.body.id,
    });
    expect(foreign).toMatchObject({ status: 400, body: { message: 'Validation failed' } });
    expect(fields(foreign)).toEqual(['tableEntryId']);
  });

  it('changes a calendar with admin only (PATCH), naming bad fields and overlapping bookings', async () => {
    const calendarId = await calendar(false);
    const path = `/connect/calendars/${calendarId}`;
    expect((await call('PATCH', path, writer, { name: 'X' })).status).toBe(403);
    expect((await call('PATCH', path, stranger, { name: 'X' })).status).toBe(404);
    const unknown = await call('PATCH', path, admin, { colour: 'red', exclusive: 'yes' });
    expect(unknown.status).toBe(400);
    expect(fields(unknown).sort()).toEqual(['colour', 'exclusive']);
    expect(fields(await call('PATCH', path, admin, { timezone: 'Mars/Base' }))).toEqual(['timezone']);
    const renamed = await call('PATCH', path, admin, { name: 'Front desk', timezone: 'Europe/Vienna' });
    expect(renamed).toMatchObject({
      status: 200,
      body: { id: calendarId, name: 'Front desk', timezone: 'Europe/Vienna' },
    });
    const slot = { calendarId, startDateTime: inHours(40), endDateTime: inHours(41) };
    const a = await call('POST', '/connect/calendar_bookings', writer, slot);
    const b = await call('POST', '/connect/calendar_bookings', writer, slot);
    expect(await call('PATCH', path, admin, { exclusive: true })).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        error: 'Conflict',
        message: `Booking ${a.body.id as string} overlaps booking ${b.body.id as string}: the calendar cannot be exclusive`,
        conflictingBookingIds: [a.body.id, b.body.id],
      },
    });
    expect((await call('GET', path, reader)).body).toMatchObject({ exclusive: false });
  });

  it('answers an overlap on an exclusive calendar with 409 naming the booking in the way', async () => {
    const calendarId = await calendar(true);
    const slot = { calendarId, startDateTime: inHours(30), endDateTime: inHours(31) };
    const first = await call('POST', '/connect/calendar_bookings', writer, slot);
    expect(first.status).toBe(201);
    const clash = await call('POST', '/connect/calendar_bookings', writer, {
      ...slot,
      startDateTime: inHours(30.5),
      endDateTime: inHours(32),
    });
    expect(clash).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        error: 'Conflict',
        message: `Overlaps booking ${first.body.id as string}`,
        conflictingBookingId: first.body.id,
      },
    });
  });

  it('updates, cancels, completes and deletes bookings with write; lists them with read', async () => {
    const calendarId = await calendar();
    const book = async (hours: number): Promise<string> =>
      (
        await call('POST', '/connect/calendar_bookings', writer, {
          calendarId,
          startDateTime: inHours(hours),
          endDateTime: inHours(hours + 1),
        })
      ).body.id as string;
    const [a, b, c] = [await book(50), await book(52), await book(54)];

    const patched = await call('PATCH', `/connect/calendar_bookings/${a}`, writer, {
      title: 'Moved',
      startDateTime: inHours(49),
    });
    expect(patched).toMatchObject({ status: 200, body: { title: 'Moved' } });
    expect((await call('PATCH', `/connect/calendar_bookings/${a}`, reader, { title: 'x' })).status).toBe(403);
    expect((await call('PATCH', `/connect/calendar_bookings/${a}`, writer, { status: 'x' })).status).toBe(
      400,
    );

    const cancelled = await call('POST', `/connect/calendar_bookings/${a}/cancel`, writer);
    expect(cancelled).toMatchObject({ status: 200, body: { id: a, status: 'cancelled' } });
    expect(await call('POST', `/connect/calendar_bookings/${a}/cancel`, writer)).toMatchObject({
      status: 409,
      body: { statusCode: 409, error: 'Conflict', message: 'Booking is already cancelled' },
    });
    expect(await call('POST', `/connect/calendar_bookings/${b}/complete`, writer)).toMatchObject({
      status: 200,
      body: { id: b, status: 'completed' },
    });
    expect((await call('POST', `/connect/calendar_bookings/${b}/complete`, writer)).status).toBe(409);
    expect((await call('POST', `/connect/calendar_bookings/${c}/cancel`, reader)).status).toBe(403);

    const page = await call('GET', `/connect/calendar_bookings?calendarId=${calendarId}&limit=2`, reader);
    expect(page.status).toBe(200);
    expect((page.body.items as { id: string }[]).map((i) => i.id)).toEqual([a, b]);
    const next = await call(
      'GET',
      `/connect/calendar_bookings?calendarId=${calendarId}&limit=2&cursor=${page.body.nextCursor as string}`,
      reader,
    );
    expect(next.body).toMatchObject({ nextCursor: null });
    expect((next.body.items as { id: string }[]).map((i) => i.id)).toEqual([c]);
    const window = await call(
      'GET',
      `/connect/calendar_bookings?calendarId=${calendarId}&from=${encodeURIComponent(inHours(53.5))}`,
      reader,
    );
    expect((window.body.items as { id: string }[]).map((i) => i.id)).toEqual([c]);
    expect(fields(await call('GET', '/connect/calendar_bookings?limit=0', reader))).toEqual(['limit']);

    expect((await call('DELETE', `/connect/calendar_bookings/${c}`, reader)).status).toBe(403);
    expect((await call('DELETE', `/connect/calendar_bookings/${c}`, stranger)).status).toBe(404);
    const deleted = await ingress.app.inject({
      method: 'DELETE',
      url: `/connect/calendar_bookings/${c}`,
      headers: { authorization: `Bearer ${writer}` },
    });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect(await call('GET', `/connect/calendar_bookings/${c}`, reader)).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'Booking not found' },
    });
  });
});

import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COMMANDS, uuidv7, type Actor } from '@rocketlead/contracts';
import { commandSender, type CommandSender, type EventCollector } from '@rocketlead/testing';
import { startCalendar, type CalendarUnderTest } from './support';

const BOOKINGS = 20;

// A path that holds a connection while asking the pool for another waits out the connect timeout once every
// connection is held that way. With one connection, such a path in calendar (bookings, changes, their timers
// firing, the relay) stalls this burst instead of passing.
describe('calendar on a pool of one connection (real Postgres and NATS)', () => {
  let calendar: CalendarUnderTest;
  let send: CommandSender;
  let events: EventCollector;
  const org = uuidv7();
  const actor: Actor = {
    organizationId: org,
    channel: 'connect_api',
    apiTokenId: uuidv7(),
    memberId: null,
    correlationId: 'one-connection',
    traceparent: null,
  };

  beforeAll(async () => {
    calendar = await startCalendar('cal-one-conn', { DB_POOL_SIZE: '1' });
    send = commandSender(calendar.nc, calendar.names);
    events = await calendar.collect('CALENDAR');
  }, 120_000);

  afterAll(() => calendar?.stop(), 120_000);

  it('books, reschedules and cancels a burst, and fires every timer that remains', async () => {
    expect(calendar.config.DB_POOL_SIZE).toBe(1);
    const at = (ms: number): string => new Date(Date.now() + ms).toISOString();
    const { id: calendarId } = await send(COMMANDS.calendarsCreate, {
      organizationId: org,
      name: 'Studio',
      timezone: 'Europe/Berlin',
      exclusive: false,
    });
    const bookings = await Promise.all(
      Array.from({ length: BOOKINGS }, (_, i) =>
        send(COMMANDS.bookingsCreate, {
          actor,
          calendarId,
          startDateTime: at(4_000),
          endDateTime: at(5_000),
          title: `Trial ${i}`,
        }),
      ),
    );
    // Every fourth is moved later (its timers rescheduled), every fifth cancelled (its timers gone), all well
    // before the first timer is due.
    const cancelled = new Set(bookings.filter((_, i) => i % 5 === 0).map((b) => b.id));
    await Promise.all(
      bookings.map((booking, i) =>
        cancelled.has(booking.id)
          ? send(COMMANDS.bookingsCancel, { actor, id: booking.id })
          : i % 4 === 0
            ? send(COMMANDS.bookingsUpdate, {
                actor,
                id: booking.id,
                startDateTime: at(5_000),
                endDateTime: at(6_000),
              })
            : Promise.resolve(booking),
      ),
    );

    const firing = ['calendar.appointment.hasStarted', 'calendar.appointment.hasEnded'];
    const expected = (BOOKINGS - cancelled.size) * firing.length;
    const fired = await events.waitFor((e) => firing.includes(e.body.type), 30_000, expected);
    expect(new Set(fired.map((e) => `${String(e.body.subject)} ${e.body.type}`)).size).toBe(expected);
    expect(fired.some((e) => cancelled.has(String(e.body.subject)))).toBe(false);
  });
});

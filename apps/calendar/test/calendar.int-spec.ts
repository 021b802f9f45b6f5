import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import {
  COMMANDS,
  DomainError,
  uuidv7,
  WireNames,
  type Actor,
  type CommandMap,
  type CommandRequest,
  type CommandResponse,
  type RpcReply,
} from '@rocketlead/contracts';
import { deleteStreams } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import {
  createTestDatabase,
  EventCollector,
  eventually,
  startInfrastructure,
  uniqueName,
  type Infrastructure,
} from '@rocketlead/testing';
import { AppModule } from '../src/app.module';
import { loadCalendarConfig, type CalendarConfig } from '../src/config';
import { migrateCalendar } from '../src/migrate';

const HAS_STARTED = 'calendar.appointment.hasStarted';
const HAS_ENDED = 'calendar.appointment.hasEnded';

describe('calendar service (real Postgres and NATS)', () => {
  let infra: Infrastructure;
  let db: { url: string; drop(): Promise<void> };
  let config: CalendarConfig;
  const apps: INestApplication[] = [];
  let nc: NatsConnection;
  let names: WireNames;
  let collector: EventCollector;
  const org = uuidv7();
  const actor: Actor = {
    organizationId: org,
    channel: 'connect_api',
    apiTokenId: uuidv7(),
    memberId: null,
    correlationId: 'int',
    traceparent: null,
  };

  async function startApp(): Promise<INestApplication> {
    const app = await NestFactory.create(AppModule.forConfig(config), new FastifyAdapter(), {
      logger: new JsonLogger('calendar', 'error'),
    });
    await app.init();
    apps.push(app);
    return app;
  }

  async function send<K extends keyof CommandMap>(
    command: K,
    request: CommandRequest<K>,
  ): Promise<CommandResponse<K>> {
    const msg = await nc.request(names.command(command), JSON.stringify(request), { timeout: 10_000 });
    const reply = msg.json<RpcReply<CommandResponse<K>>>();
    if (!reply.ok) throw DomainError.from(reply.error);
    return reply.result;
  }

  async function failure(promise: Promise<unknown>): Promise<DomainError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
    return error;
  }

  const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();
  const of = (bookingId: string, type?: string) =>
    collector.events.filter((e) => e.body.subject === bookingId && (!type || e.body.type === type));
  const waitFor = (bookingId: string, type: string, timeoutMs = 10_000) =>
    collector
      .waitFor((e) => e.body.subject === bookingId && e.body.type === type, timeoutMs)
      .then((found) => found[0]!);

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
    infra = await startInfrastructure();
    db = await createTestDatabase(infra.postgresUrl, uniqueName('cal'));
    const namespace = uniqueName('c');
    config = loadCalendarConfig({
      DATABASE_URL: db.url,
      NATS_URL: infra.natsUrl,
      RL_NAMESPACE: namespace,
      PORT: '0',
    });
    await migrateCalendar(config);
    await startApp();
    nc = await connect({ servers: infra.natsUrl });
    names = new WireNames(namespace);
    collector = await EventCollector.start(nc, names.stream('CALENDAR').name);
  });

  afterAll(async () => {
    await collector?.stop();
    for (const app of apps.splice(0)) await app.close();
    if (nc) {
      await deleteStreams(nc, names);
      await nc.close();
    }
    await db?.drop();
    await infra?.stop();
  });

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
    expect(
      (await failure(send(COMMANDS.calendarsGet, { organizationId: uuidv7(), id: created.id }))).code,
    ).toBe('NOT_FOUND');
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
    for (const type of [HAS_STARTED, HAS_ENDED]) {
      const event = await waitFor(booking.id, type, 10_000);
      const data = event.body.data as { scheduledFor: string; firedAt: string; late: boolean };
      const lateness = Date.parse(data.firedAt) - Date.parse(data.scheduledFor);
      expect(data.scheduledFor).toBe(type === HAS_STARTED ? booking.startDateTime : booking.endDateTime);
      expect(lateness).toBeGreaterThanOrEqual(0);
      expect(lateness).toBeLessThan(2_000);
      expect(data.late).toBe(false);
    }
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
    await waitFor(cancelled.id, 'calendar.appointment.cancelled');
    await waitFor(completed.id, 'calendar.appointment.completed');
    await waitFor(marker.id, HAS_ENDED);
    expect(of(cancelled.id).map((e) => e.body.type)).toEqual([
      'calendar.appointment.booked',
      'calendar.appointment.cancelled',
    ]);
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

  it('two replicas fire each timer once', async () => {
    await startApp();
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
    await apps.pop()!.close();
  });

  it('a timer that came due while calendar was down fires on recovery, marked late', async () => {
    const calendarId = await calendar();
    const booking = await send(COMMANDS.bookingsCreate, {
      actor,
      calendarId,
      startDateTime: inMs(1_000),
      endDateTime: inMs(600_000),
    });
    for (const app of apps.splice(0)) await app.close();
    // Down for longer than the runner's lateness threshold (2 s) past the start.
    await eventually(() => Date.now() > Date.parse(booking.startDateTime) + 2_500, { timeoutMs: 10_000 });
    expect(of(booking.id, HAS_STARTED)).toEqual([]);
    const restartedAt = Date.now();
    await startApp();
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
  });
});

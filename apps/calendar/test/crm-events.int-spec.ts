import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Subscription } from 'nats';
import { Client } from 'pg';
import {
  COMMANDS,
  EVENT_REGISTRATION_CANCELLED,
  EVENT_REGISTRATION_CREATED,
  normaliseEmail,
  uuidv7,
  validateEvent,
  type Actor,
  type ContactResolution,
  type ContactsResolveCommand,
  type CrmEvent,
  type CrmEventsCreateCommand,
  type EventRegistration,
  type LeadPool,
  type Page,
  type PoolsGetCommand,
  type RpcReply,
} from '@rocketlead/contracts';
import {
  commandSender,
  failure,
  withContext,
  type CommandSender,
  type EventCollector,
} from '@rocketlead/testing';
import { startCalendar, type CalendarUnderTest } from './support';

describe('CRM events and registrations (real Postgres and NATS)', () => {
  let calendarService: CalendarUnderTest;
  let send: CommandSender;
  let collector: EventCollector;
  let pg: Client;
  const stubs: Subscription[] = [];
  // What the stand-in for leads knows: pool id -> organization; contacts by organization, pool and email.
  const pools = new Map<string, string>();
  const contacts = new Map<string, string>();
  const resolves: ContactsResolveCommand[] = [];

  const org = uuidv7();
  const otherOrg = uuidv7();
  const actorOf = (organizationId: string): Actor => ({
    organizationId,
    channel: 'connect_api',
    apiTokenId: uuidv7(),
    memberId: null,
    correlationId: 'int-crm',
    traceparent: null,
  });
  const actor = actorOf(org);
  const integrationActor: Actor = { ...actorOf(org), channel: 'integration', apiTokenId: null };
  const request = { correlationId: 'rsvp-req', traceparent: null };

  function pool(organizationId = org): string {
    const id = uuidv7();
    pools.set(id, organizationId);
    return id;
  }

  function poolReply(command: PoolsGetCommand): RpcReply<LeadPool> {
    if (pools.get(command.id) !== command.organizationId)
      return { ok: false, error: { code: 'NOT_FOUND', message: 'Lead pool not found' } };
    return {
      ok: true,
      result: {
        id: command.id,
        organizationId: command.organizationId,
        name: 'Pool',
        defaultLeadStateId: null,
        tableSchema: {},
        dedupe: null,
        birthdayField: null,
        createdAt: new Date().toISOString(),
      },
    };
  }

  function resolveReply(command: ContactsResolveCommand): RpcReply<ContactResolution> {
    resolves.push(command);
    if (pools.get(command.tableId) !== command.actor.organizationId)
      return { ok: false, error: { code: 'NOT_FOUND', message: 'Lead pool not found' } };
    const key = `${command.tableId}:${normaliseEmail(command.email)}`;
    const known = contacts.get(key);
    if (known) return { ok: true, result: { entryId: known, created: false } };
    const entryId = uuidv7();
    contacts.set(key, entryId);
    return { ok: true, result: { entryId, created: true } };
  }

  const registered = (registrationId: string) =>
    collector.events.filter(
      (e) =>
        e.body.type === EVENT_REGISTRATION_CREATED &&
        (e.body.data as { registrationId: string }).registrationId === registrationId,
    );
  const waitForRegistered = (registrationId: string, count = 1) =>
    collector.waitFor(
      (e) =>
        e.body.type === EVENT_REGISTRATION_CREATED &&
        (e.body.data as { registrationId: string }).registrationId === registrationId,
      10_000,
      count,
    );

  async function event(overrides: Partial<CrmEventsCreateCommand> = {}): Promise<CrmEvent> {
    return send(COMMANDS.crmEventsCreate, {
      actor,
      name: 'Open day',
      tableId: pool(overrides.actor?.organizationId ?? org),
      startsAt: '2030-06-01T10:00:00+02:00',
      ...overrides,
    });
  }

  const rsvp = (eventId: string, email: string, extra: { name?: string; phone?: string } = {}) =>
    send(COMMANDS.registrationsRsvp, { eventId, email, request, ...extra });

  /** An RSVP of a new address whose event arrives after any event the steps before it could have caused. */
  async function marker(eventId: string): Promise<void> {
    const done = await rsvp(eventId, `marker-${uuidv7()}@example.org`);
    await waitForRegistered(done.registrationId);
  }

  beforeAll(async () => {
    calendarService = await startCalendar('crmev');
    const { nc, names } = calendarService;
    send = commandSender(nc, names);
    // Receiving them here proves the outbox publishes registrations into the CRM_EVENTS stream.
    collector = await calendarService.collect('CRM_EVENTS');
    // leads owns pools and contacts; a stand-in answers poolsGet and contactsResolve on real NATS.
    stubs.push(
      nc.subscribe(names.command(COMMANDS.poolsGet), {
        callback: (_, msg) => msg.respond(JSON.stringify(poolReply(msg.json<PoolsGetCommand>()))),
      }),
      nc.subscribe(names.command(COMMANDS.contactsResolve), {
        callback: (_, msg) => msg.respond(JSON.stringify(resolveReply(msg.json<ContactsResolveCommand>()))),
      }),
    );
    pg = new Client({ connectionString: calendarService.db.url });
    await pg.connect();
  }, 120_000);

  afterAll(async () => {
    for (const stub of stubs) stub.unsubscribe();
    await pg?.end();
    await calendarService?.stop();
  }, 120_000);

  it('creates, reads, changes and deletes an event, naming the fields it refuses', async () => {
    const tableId = pool();
    const created = await send(COMMANDS.crmEventsCreate, {
      actor,
      name: 'Launch party',
      tableId,
      startsAt: '2030-06-01T18:00:00+02:00',
      endsAt: '2030-06-01T22:00:00+02:00',
      capacity: 50,
    });
    expect(created).toEqual({
      id: expect.any(String),
      name: 'Launch party',
      tableId,
      startsAt: '2030-06-01T16:00:00.000Z',
      endsAt: '2030-06-01T20:00:00.000Z',
      capacity: 50,
      eventbriteEventId: null,
      registeredCount: 0,
      createdAt: expect.any(String),
      updatedAt: created.createdAt,
    });
    expect(await send(COMMANDS.crmEventsGet, { organizationId: org, id: created.id })).toEqual(created);

    const fieldsOf = async (call: Promise<unknown>) =>
      ((await failure(call)).details as { errors: { field: string; message: string }[] }).errors;
    const base = { actor, name: 'X', tableId, startsAt: '2030-06-01T18:00:00Z' };
    expect(await fieldsOf(send(COMMANDS.crmEventsCreate, { ...base, tableId: pool(otherOrg) }))).toEqual([
      { field: 'tableId', message: 'is not a lead pool of this organization' },
    ]);
    expect(
      await fieldsOf(send(COMMANDS.crmEventsCreate, { ...base, startsAt: '2030-06-01T18:00:00' })),
    ).toEqual([expect.objectContaining({ field: 'startsAt' })]);
    expect(
      await fieldsOf(send(COMMANDS.crmEventsCreate, { ...base, endsAt: '2030-06-01T17:00:00Z' })),
    ).toEqual([{ field: 'endsAt', message: 'must be after startsAt' }]);
    expect(await fieldsOf(send(COMMANDS.crmEventsCreate, { ...base, capacity: 0 }))).toEqual([
      expect.objectContaining({ field: 'capacity' }),
    ]);
    expect(
      await fieldsOf(send(COMMANDS.crmEventsCreate, { ...base, name: undefined as unknown as string })),
    ).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));

    // PATCH: only what is given changes; null clears; the result is checked whole.
    const moved = await send(COMMANDS.crmEventsUpdate, {
      actor,
      id: created.id,
      name: 'Launch night',
      endsAt: null,
      capacity: null,
    });
    expect(moved).toMatchObject({
      name: 'Launch night',
      tableId,
      startsAt: created.startsAt,
      endsAt: null,
      capacity: null,
    });
    expect(Date.parse(moved.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    expect(
      await fieldsOf(
        send(COMMANDS.crmEventsUpdate, { actor, id: created.id, endsAt: '2030-06-01T15:00:00Z' }),
      ),
    ).toEqual([{ field: 'endsAt', message: 'must be after startsAt' }]);
    expect(
      await fieldsOf(send(COMMANDS.crmEventsUpdate, { actor, id: created.id, tableId: uuidv7() })),
    ).toEqual([{ field: 'tableId', message: 'is not a lead pool of this organization' }]);
    const newPool = pool();
    const repointed = await send(COMMANDS.crmEventsUpdate, { actor, id: created.id, tableId: newPool });
    expect(repointed).toMatchObject({ tableId: newPool });
    // Required fields sent as null are kept, as in every PATCH.
    expect(
      await send(COMMANDS.crmEventsUpdate, {
        actor,
        id: created.id,
        name: null as unknown as string,
        tableId: null as unknown as string,
      }),
    ).toEqual(repointed);

    // Delete removes the event and its registrations, and answers the event as it was.
    await rsvp(created.id, 'guest@example.org');
    const deleted = await send(COMMANDS.crmEventsDelete, { actor, id: created.id });
    expect(deleted).toMatchObject({ id: created.id, name: 'Launch night', registeredCount: 1 });
    expect(
      (await failure(send(COMMANDS.crmEventsGet, { organizationId: org, id: created.id }))).message,
    ).toBe('Event not found');
    const { rows } = await pg.query('SELECT id FROM calendar.event_registrations WHERE event_id = $1', [
      created.id,
    ]);
    expect(rows).toEqual([]);
    expect((await failure(send(COMMANDS.crmEventsDelete, { actor, id: created.id }))).code).toBe('NOT_FOUND');
  });

  it('links an Eventbrite event to one CRM event per organization', async () => {
    const eventbriteEventId = `eb-${uuidv7()}`;
    const first = await event({ eventbriteEventId });
    const taken = await failure(event({ eventbriteEventId }));
    expect(taken).toMatchObject({
      code: 'CONFLICT',
      message: `eventbriteEventId is already linked to event ${first.id}`,
      details: { errors: [{ field: 'eventbriteEventId' }], eventId: first.id },
    });
    const second = await event();
    const moveTaken = await failure(
      send(COMMANDS.crmEventsUpdate, { actor, id: second.id, eventbriteEventId }),
    );
    expect(moveTaken.message).toBe(`eventbriteEventId is already linked to event ${first.id}`);
    // Another organization may link the same Eventbrite event to its own CRM event.
    const elsewhere = await event({ actor: actorOf(otherOrg), eventbriteEventId });

    expect(await send(COMMANDS.crmEventsByEventbriteId, { organizationId: org, eventbriteEventId })).toEqual(
      first,
    );
    expect(
      (await send(COMMANDS.crmEventsByEventbriteId, { organizationId: otherOrg, eventbriteEventId })).id,
    ).toBe(elsewhere.id);
    const unknown = await failure(
      send(COMMANDS.crmEventsByEventbriteId, { organizationId: org, eventbriteEventId: 'eb-unknown' }),
    );
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', message: 'Event not found' });

    // Unlinked, the Eventbrite event is free for another CRM event.
    await send(COMMANDS.crmEventsUpdate, { actor, id: first.id, eventbriteEventId: null });
    expect(await send(COMMANDS.crmEventsUpdate, { actor, id: second.id, eventbriteEventId })).toMatchObject({
      eventbriteEventId,
    });
  });

  it('registers an RSVP once: the contact is resolved in the event pool and one event is published', async () => {
    const crm = await event({ name: 'Workshop' });
    const before = resolves.length;
    const first = await rsvp(crm.id, '  Ada@Example.org ', { name: 'Ada', phone: '+4912345' });
    expect(first).toEqual({
      status: 'registered',
      registrationId: expect.any(String),
      entryId: expect.any(String),
    });
    expect(resolves.slice(before)).toEqual([
      {
        actor: {
          organizationId: org,
          channel: 'form',
          apiTokenId: null,
          memberId: null,
          correlationId: 'rsvp-req',
          traceparent: null,
        },
        tableId: crm.tableId,
        email: 'Ada@Example.org',
        name: 'Ada',
        phone: '+4912345',
      },
    ]);
    const [published] = await waitForRegistered(first.registrationId);
    expect(published!.subject).toBe(calendarService.names.eventSubject(EVENT_REGISTRATION_CREATED));
    expect(published!.body).toMatchObject({
      type: EVENT_REGISTRATION_CREATED,
      source: '/calendar',
      subject: first.entryId,
      organizationid: org,
      channel: 'form',
      apitokenid: null,
      correlationid: 'rsvp-req',
      data: {
        registrationId: first.registrationId,
        eventId: crm.id,
        eventName: 'Workshop',
        entryId: first.entryId,
        tableId: crm.tableId,
        source: 'rsvp',
      },
    });

    // The same address again (any case): 200 already_registered, no event.
    expect(await rsvp(crm.id, 'ada@example.ORG')).toEqual({
      status: 'already_registered',
      registrationId: first.registrationId,
      entryId: first.entryId,
    });
    await marker(crm.id);
    expect(registered(first.registrationId)).toHaveLength(1);
    expect((await send(COMMANDS.crmEventsGet, { organizationId: org, id: crm.id })).registeredCount).toBe(2);

    const badEmail = await failure(rsvp(crm.id, 'not-an-address'));
    expect(badEmail.details).toEqual({ errors: [{ field: 'email', message: 'must be an email address' }] });
    expect((await failure(rsvp(uuidv7(), 'ada@example.org'))).message).toBe('Event not found');
  });

  it('refuses an RSVP over capacity before any contact is made; a registered address still gets 200', async () => {
    const crm = await event({ capacity: 1 });
    const ada = await rsvp(crm.id, 'ada@example.org');
    expect((await send(COMMANDS.crmEventsPublicGet, { id: crm.id })).spotsLeft).toBe(0);
    const before = resolves.length;
    const full = await failure(rsvp(crm.id, 'bob@example.org'));
    expect(full).toMatchObject({ code: 'CONFLICT', message: 'Event is full' });
    expect(resolves.slice(before)).toEqual([]);
    expect(await rsvp(crm.id, 'ADA@example.org')).toMatchObject({
      status: 'already_registered',
      registrationId: ada.registrationId,
    });
    // Eventbrite tickets are places already sold: no capacity check.
    const fromEventbrite = await send(COMMANDS.registrationsRegister, {
      actor: integrationActor,
      eventId: crm.id,
      entryId: uuidv7(),
      email: 'carol@example.org',
      source: 'eventbrite',
      externalOrderId: 'order-1',
    });
    expect(fromEventbrite.created).toBe(true);
    expect((await send(COMMANDS.crmEventsGet, { organizationId: org, id: crm.id })).registeredCount).toBe(2);
  });

  it('lets only one of concurrent RSVPs take the last place', async () => {
    const crm = await event({ capacity: 1 });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => rsvp(crm.id, `racer-${i}@example.org`)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected'))
      expect(r.reason).toMatchObject({ code: 'CONFLICT', message: 'Event is full' });
    expect((await send(COMMANDS.crmEventsGet, { organizationId: org, id: crm.id })).registeredCount).toBe(1);
  });

  it('cancels an RSVP by email; an RSVP after that re-activates it and publishes again', async () => {
    const crm = await event({ capacity: 1 });
    const first = await rsvp(crm.id, 'dan@example.org');
    await waitForRegistered(first.registrationId);
    const cancelled = await send(COMMANDS.registrationsRsvpCancel, {
      eventId: crm.id,
      email: ' DAN@example.org',
      request,
    });
    expect(cancelled).toMatchObject({
      id: first.registrationId,
      eventId: crm.id,
      entryId: first.entryId,
      source: 'rsvp',
      status: 'cancelled',
      cancelledAt: expect.any(String),
    });
    expect((await send(COMMANDS.crmEventsPublicGet, { id: crm.id })).spotsLeft).toBe(1);
    const [cancellation] = await collector.waitFor(
      (e) =>
        e.body.type === EVENT_REGISTRATION_CANCELLED &&
        (e.body.data as { registrationId: string }).registrationId === first.registrationId,
      10_000,
    );
    expect(cancellation!.body).toMatchObject({
      channel: 'form',
      subject: first.entryId,
      data: {
        registrationId: first.registrationId,
        eventId: crm.id,
        eventName: crm.name,
        entryId: first.entryId,
        tableId: crm.tableId,
        source: 'rsvp',
      },
    });
    const again = await failure(
      send(COMMANDS.registrationsRsvpCancel, { eventId: crm.id, email: 'dan@example.org', request }),
    );
    expect(again).toMatchObject({ code: 'NOT_FOUND', message: 'Registration not found' });
    expect(
      (
        await failure(
          send(COMMANDS.registrationsRsvpCancel, { eventId: uuidv7(), email: 'dan@example.org', request }),
        )
      ).message,
    ).toBe('Event not found');

    const back = await rsvp(crm.id, 'dan@example.org');
    expect(back).toEqual({
      status: 'registered',
      registrationId: first.registrationId,
      entryId: first.entryId,
    });
    await waitForRegistered(first.registrationId, 2);
    const page = await send(COMMANDS.registrationsList, { organizationId: org, id: crm.id, limit: 10 });
    expect(page.items).toEqual([
      expect.objectContaining({
        id: first.registrationId,
        status: 'active',
        cancelledAt: null,
        source: 'rsvp',
      }),
    ]);
  });

  it('registers an Eventbrite attendee once however many identical calls race, and re-activates a cancelled RSVP', async () => {
    const crm = await event({ name: 'Conference', eventbriteEventId: `eb-${uuidv7()}` });
    const entryId = uuidv7();
    // The contact lives in the Eventbrite connection's pool, which the event names (not the CRM event's pool).
    const connectionPool = uuidv7();
    const register = () =>
      send(COMMANDS.registrationsRegister, {
        actor: integrationActor,
        eventId: crm.id,
        entryId,
        tableId: connectionPool,
        email: 'Eve@Example.org',
        source: 'eventbrite',
        externalOrderId: 'order-42',
      });
    const results = await Promise.all(Array.from({ length: 6 }, register));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const ids = new Set(results.map((r) => r.registration.id));
    expect(ids.size).toBe(1);
    const registration = results[0]!.registration;
    expect(registration).toMatchObject({
      eventId: crm.id,
      entryId,
      source: 'eventbrite',
      status: 'active',
      externalOrderId: 'order-42',
    });
    const [published] = await waitForRegistered(registration.id);
    expect(published!.body).toMatchObject({
      channel: 'integration',
      organizationid: org,
      data: {
        eventId: crm.id,
        eventName: 'Conference',
        entryId,
        source: 'eventbrite',
        tableId: connectionPool,
      },
    });
    await marker(crm.id);
    expect(registered(registration.id)).toHaveLength(1);
    const { rows } = await pg.query('SELECT email FROM calendar.event_registrations WHERE id = $1', [
      registration.id,
    ]);
    expect(rows).toEqual([{ email: 'eve@example.org' }]);

    // Cancelled by email (an RSVP cancel): the event names the pool the contact lives in (the connection's).
    await send(COMMANDS.registrationsRsvpCancel, { eventId: crm.id, email: 'eve@example.org', request });
    const [cancellation] = await collector.waitFor(
      (e) =>
        e.body.type === EVENT_REGISTRATION_CANCELLED &&
        (e.body.data as { registrationId: string }).registrationId === registration.id,
      10_000,
    );
    expect(cancellation!.body.data).toMatchObject({ tableId: connectionPool, source: 'eventbrite' });
    // Bought again: re-activated from Eventbrite, published again.
    const back = await register();
    expect(back).toMatchObject({ created: true, registration: { id: registration.id, status: 'active' } });
    await waitForRegistered(registration.id, 2);

    // Only events of the caller's organization.
    const foreign = await failure(
      send(COMMANDS.registrationsRegister, {
        actor: { ...integrationActor, organizationId: otherOrg },
        eventId: crm.id,
        entryId: uuidv7(),
        email: 'eve@example.org',
        source: 'eventbrite',
      }),
    );
    expect(foreign).toMatchObject({ code: 'NOT_FOUND', message: 'Event not found' });
  });

  it('shows anyone the public part of an event', async () => {
    const crm = await event({
      name: 'Meetup',
      endsAt: '2030-06-01T12:00:00+02:00',
      capacity: 3,
      eventbriteEventId: `eb-${uuidv7()}`,
    });
    await rsvp(crm.id, 'fay@example.org');
    expect(await send(COMMANDS.crmEventsPublicGet, { id: crm.id })).toEqual({
      id: crm.id,
      name: 'Meetup',
      startsAt: '2030-06-01T08:00:00.000Z',
      endsAt: '2030-06-01T10:00:00.000Z',
      spotsLeft: 2,
    });
    const unlimited = await event();
    expect((await send(COMMANDS.crmEventsPublicGet, { id: unlimited.id })).spotsLeft).toBeNull();
    expect((await failure(send(COMMANDS.crmEventsPublicGet, { id: uuidv7() }))).message).toBe(
      'Event not found',
    );
  });

  it('pages events by start time and registrations oldest first, with stable cursors and a status filter', async () => {
    const pager = actorOf(uuidv7());
    const created: CrmEvent[] = [];
    for (let day = 5; day > 0; day--)
      created.push(await event({ actor: pager, startsAt: `2031-01-0${day}T09:00:00Z` }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await send(COMMANDS.crmEventsList, {
        organizationId: pager.organizationId,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(created.map((e) => e.id).reverse());
    const badCursor = await failure(
      send(COMMANDS.crmEventsList, { organizationId: pager.organizationId, limit: 2, cursor: 'nope' }),
    );
    expect(badCursor.details).toEqual({ errors: [{ field: 'cursor', message: 'is not a valid cursor' }] });
    const tooMany = await failure(send(COMMANDS.crmEventsList, { organizationId: org, limit: 101 }));
    expect(tooMany.details).toMatchObject({ errors: [{ field: 'limit' }] });

    const crm = created[0]!;
    const registrations: string[] = [];
    for (let i = 0; i < 5; i++)
      registrations.push((await rsvp(crm.id, `pager-${i}@example.org`)).registrationId);
    await send(COMMANDS.registrationsRsvpCancel, { eventId: crm.id, email: 'pager-1@example.org', request });
    const listed: string[] = [];
    cursor = undefined;
    do {
      const page: Page<EventRegistration> = await send(COMMANDS.registrationsList, {
        organizationId: pager.organizationId,
        id: crm.id,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      listed.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(listed).toEqual(registrations);
    const active = await send(COMMANDS.registrationsList, {
      organizationId: pager.organizationId,
      id: crm.id,
      limit: 10,
      status: 'active',
    });
    expect(active.items.map((r) => r.id)).toEqual(registrations.filter((_, i) => i !== 1));
    const cancelled = await send(COMMANDS.registrationsList, {
      organizationId: pager.organizationId,
      id: crm.id,
      limit: 10,
      status: 'cancelled',
    });
    expect(cancelled.items.map((r) => r.id)).toEqual([registrations[1]]);
    expect(
      (
        await failure(
          send(COMMANDS.registrationsList, { organizationId: pager.organizationId, id: uuidv7(), limit: 10 }),
        )
      ).message,
    ).toBe('Event not found');
  });

  it("keeps another organization's events out of reach", async () => {
    const crm = await event();
    const stranger = actorOf(otherOrg);
    const notFound = async (call: Promise<unknown>) =>
      expect(await failure(call)).toMatchObject({ code: 'NOT_FOUND', message: 'Event not found' });
    await notFound(send(COMMANDS.crmEventsGet, { organizationId: otherOrg, id: crm.id }));
    await notFound(send(COMMANDS.crmEventsUpdate, { actor: stranger, id: crm.id, name: 'Mine' }));
    await notFound(send(COMMANDS.crmEventsDelete, { actor: stranger, id: crm.id }));
    await notFound(send(COMMANDS.registrationsList, { organizationId: otherOrg, id: crm.id, limit: 10 }));
    const theirs = await send(COMMANDS.crmEventsList, { organizationId: otherOrg, limit: 100 });
    expect(theirs.items.map((e) => e.id)).not.toContain(crm.id);
    expect(await send(COMMANDS.crmEventsGet, { organizationId: org, id: crm.id })).toMatchObject({
      name: 'Open day',
    });
  });

  it('publishes only events that match their contracts', () => {
    expect(collector.events.length).toBeGreaterThan(0);
    for (const e of collector.events)
      withContext(e.body.type, () => expect(validateEvent(e.body)).toMatchObject({ ok: true }));
  });
});

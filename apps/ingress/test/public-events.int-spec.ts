import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Subscription } from 'nats';
import { DataSource } from 'typeorm';
import {
  COMMANDS,
  CRM_EVENT_LIMITS,
  uuidv7,
  type EventRegistration,
  type PublicCrmEvent,
  type RegistrationsRsvpCancelCommand,
  type RegistrationsRsvpCommand,
  type RsvpResult,
} from '@rocketlead/contracts';
import { answerCommand, startIngress, type IngressUnderTest, type StandInAnswer } from './support';

type Reply = Awaited<ReturnType<NestFastifyApplication['inject']>>;

const FORM_TYPE = 'application/x-www-form-urlencoded';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const UNKNOWN_EVENT = uuidv7();
const FULL_EVENT = uuidv7();
const LIMIT = CRM_EVENT_LIMITS.rsvpsPerMinute;
const REGISTRATION_ID = '0190f1e2-0000-7000-8000-0000000000a1';
const ENTRY_ID = '0190f1e2-0000-7000-8000-0000000000e1';

// The public RSVP routes with ingress in process and calendar's side answered by a stand-in on the real NATS
// namespace (calendar's own behaviour is covered by its tests and the e2e suite).
describe('public CRM event routes (real Postgres and NATS; calendar answered by a stand-in)', () => {
  let ingress: IngressUnderTest;
  let dataSource: DataSource;
  const subscriptions: Subscription[] = [];
  const rsvps: RegistrationsRsvpCommand[] = [];
  const cancels: RegistrationsRsvpCancelCommand[] = [];

  const request = (
    method: 'GET' | 'POST' | 'OPTIONS',
    url: string,
    options: { headers?: Record<string, string>; payload?: string; ip?: string } = {},
  ): Promise<Reply> =>
    ingress.app.inject({
      method,
      url,
      headers: options.headers ?? {},
      remoteAddress: options.ip ?? '127.0.0.1',
      ...(options.payload !== undefined ? { payload: options.payload } : {}),
    });

  const rsvp = (eventId: string, body: unknown, ip = '127.0.0.1', path = 'rsvp'): Promise<Reply> =>
    request('POST', `/public/events/${eventId}/${path}`, {
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
      ip,
    });
  const cancel = (eventId: string, body: unknown, ip = '127.0.0.1'): Promise<Reply> =>
    rsvp(eventId, body, ip, 'rsvp/cancel');

  const json = (reply: Reply): Record<string, unknown> => reply.json<Record<string, unknown>>();

  beforeAll(async () => {
    ingress = await startIngress('ingressevents', []);
    dataSource = ingress.app.get(DataSource);
    subscriptions.push(
      answerCommand(ingress, COMMANDS.crmEventsPublicGet, ({ id }: { id: string }): StandInAnswer => {
        if (id === UNKNOWN_EVENT) return { error: 'NOT_FOUND', message: 'Event not found' };
        const event: PublicCrmEvent = {
          id,
          name: 'Launch',
          startsAt: '2030-01-01T17:00:00.000Z',
          endsAt: null,
          spotsLeft: 3,
        };
        return { result: event };
      }),
      answerCommand(
        ingress,
        COMMANDS.registrationsRsvp,
        (payload: RegistrationsRsvpCommand): StandInAnswer => {
          rsvps.push(payload);
          if (payload.eventId === UNKNOWN_EVENT) return { error: 'NOT_FOUND', message: 'Event not found' };
          if (payload.eventId === FULL_EVENT) return { error: 'CONFLICT', message: 'The event is full' };
          if (payload.email === 'no-at-sign')
            return {
              error: 'VALIDATION_FAILED',
              message: 'Validation failed',
              details: { errors: [{ field: 'email', message: 'must be an email address' }] },
            };
          const result: RsvpResult = {
            status: payload.email.startsWith('again') ? 'already_registered' : 'registered',
            registrationId: REGISTRATION_ID,
            entryId: ENTRY_ID,
          };
          return { result };
        },
      ),
      answerCommand(
        ingress,
        COMMANDS.registrationsRsvpCancel,
        (payload: RegistrationsRsvpCancelCommand): StandInAnswer => {
          cancels.push(payload);
          if (payload.email.startsWith('nobody'))
            return { error: 'NOT_FOUND', message: 'No active registration for this address' };
          const registration: EventRegistration = {
            id: REGISTRATION_ID,
            eventId: payload.eventId,
            entryId: ENTRY_ID,
            source: 'rsvp',
            status: 'cancelled',
            externalOrderId: null,
            createdAt: '2030-01-01T00:00:00.000Z',
            updatedAt: '2030-01-01T00:00:00.000Z',
            cancelledAt: '2030-01-01T00:00:00.000Z',
          };
          return { result: registration };
        },
      ),
    );
    await ingress.nc.flush();
  }, 180_000);

  afterAll(async () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
    await ingress?.stop();
  }, 120_000);

  beforeEach(() => {
    rsvps.length = 0;
    cancels.length = 0;
  });

  it('answers the public event (404 when unknown, 400 for a malformed id), for any origin and uncached', async () => {
    const id = uuidv7();
    const res = await request('GET', `/public/events/${id}`, { headers: { origin: 'https://shop.example' } });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({
      id,
      name: 'Launch',
      startsAt: '2030-01-01T17:00:00.000Z',
      endsAt: null,
      spotsLeft: 3,
    });
    expect(res.headers).toMatchObject({ 'access-control-allow-origin': '*', 'cache-control': 'no-store' });
    const unknown = await request('GET', `/public/events/${UNKNOWN_EVENT}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['access-control-allow-origin']).toBe('*');
    const malformed = await request('GET', '/public/events/launch');
    expect(malformed.statusCode).toBe(400);
    expect(json(malformed).errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
  });

  describe('RSVP', () => {
    it('answers 201 when registered and 200 when already registered, forwarding the fields given', async () => {
      const eventId = uuidv7();
      const created = await rsvp(eventId, { email: 'ann@example.com', name: 'Ann', phone: '+4930123' });
      expect(created.statusCode).toBe(201);
      expect(json(created)).toEqual({
        status: 'registered',
        registrationId: REGISTRATION_ID,
        entryId: ENTRY_ID,
      });
      expect(created.headers).toMatchObject({
        'access-control-allow-origin': '*',
        'cache-control': 'no-store',
      });
      const again = await rsvp(eventId, { email: 'again@example.com' });
      expect(again.statusCode).toBe(200);
      expect(json(again)).toMatchObject({ status: 'already_registered' });
      const requestIdentity = { correlationId: expect.any(String), traceparent: expect.any(String) };
      expect(rsvps).toEqual([
        { eventId, email: 'ann@example.com', name: 'Ann', phone: '+4930123', request: requestIdentity },
        { eventId, email: 'again@example.com', request: requestIdentity },
      ]);
    });

    it("passes calendar's refusals on: 404 unknown event, 409 full, 400 naming the field", async () => {
      const ip = '192.0.2.1';
      expect(await rsvp(UNKNOWN_EVENT, { email: 'a@example.com' }, ip)).toMatchObject({ statusCode: 404 });
      const full = await rsvp(FULL_EVENT, { email: 'a@example.com' }, ip);
      expect(full.statusCode).toBe(409);
      expect(json(full)).toMatchObject({ statusCode: 409, message: 'The event is full' });
      const invalid = await rsvp(uuidv7(), { email: 'no-at-sign' }, ip);
      expect(invalid.statusCode).toBe(400);
      expect(json(invalid).errors).toEqual([{ field: 'email', message: 'must be an email address' }]);
    });

    it('refuses a body the RsvpBody class refuses with a 400 naming the field, forwarding nothing', async () => {
      const eventId = uuidv7();
      const ip = '192.0.2.2';
      const cases: [unknown, string][] = [
        [{}, 'email'],
        [{ email: 42 }, 'email'],
        [{ email: 'a@example.com', name: '' }, 'name'],
        [{ email: 'a@example.com', phone: 'x'.repeat(51) }, 'phone'],
        [{ email: 'a@example.com', company: 'Acme' }, 'company'],
        [[1], '(body)'],
      ];
      for (const [body, field] of cases) {
        const res = await rsvp(eventId, body, ip);
        expect({ body, status: res.statusCode }).toEqual({ body, status: 400 });
        expect(json(res).errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      }
      expect(rsvps).toEqual([]);
      const malformed = await rsvp('launch', { email: 'a@example.com' }, ip);
      expect(malformed.statusCode).toBe(400);
      expect(json(malformed).errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    });

    it('takes an urlencoded HTML form post and answers a browser with a page of the same status', async () => {
      const eventId = uuidv7();
      const ip = '192.0.2.3';
      const form = (id: string, payload: string, accept?: string): Promise<Reply> =>
        request('POST', `/public/events/${id}/rsvp`, {
          headers: { 'content-type': FORM_TYPE, ...(accept ? { accept } : {}) },
          payload,
          ip,
        });
      const program = await form(eventId, 'email=ann%40example.com&name=Ann+Lee');
      expect(program.statusCode).toBe(201);
      expect(json(program)).toMatchObject({ status: 'registered' });
      expect(rsvps.map((r) => [r.email, r.name])).toEqual([['ann@example.com', 'Ann Lee']]);

      const page = await form(eventId, 'email=ann%40example.com', BROWSER_ACCEPT);
      expect(page.statusCode).toBe(201);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('you are registered');
      const already = await form(eventId, 'email=again%40example.com', BROWSER_ACCEPT);
      expect(already.statusCode).toBe(200);
      expect(already.body).toContain('already registered');
      const full = await form(FULL_EVENT, 'email=ann%40example.com', BROWSER_ACCEPT);
      expect(full.statusCode).toBe(409);
      expect(full.body).toContain('this event is full');
      const missing = await form(eventId, 'name=Ann', BROWSER_ACCEPT);
      expect(missing.statusCode).toBe(400);
      expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(missing.body).toContain('Please go back and check: email');
      const unknown = await form(UNKNOWN_EVENT, 'email=ann%40example.com', BROWSER_ACCEPT);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.body).toContain('This event does not exist');
    });
  });

  describe('cancellation', () => {
    it("answers 200 {status: 'cancelled'} without the registration's ids, and 404 when none is active", async () => {
      const eventId = uuidv7();
      const ip = '192.0.2.4';
      const cancelled = await cancel(eventId, { email: 'ann@example.com' }, ip);
      expect(cancelled.statusCode).toBe(200);
      expect(json(cancelled)).toEqual({ status: 'cancelled' });
      expect(cancelled.headers['access-control-allow-origin']).toBe('*');
      expect(cancels).toEqual([
        {
          eventId,
          email: 'ann@example.com',
          request: { correlationId: expect.any(String), traceparent: expect.any(String) },
        },
      ]);
      const none = await cancel(eventId, { email: 'nobody@example.com' }, ip);
      expect(none.statusCode).toBe(404);
      expect(json(none)).toMatchObject({ message: 'No active registration for this address' });
      const invalid = await cancel(eventId, { email: 'a@example.com', name: 'Ann' }, ip);
      expect(invalid.statusCode).toBe(400);
      expect(json(invalid).errors).toEqual([expect.objectContaining({ field: 'name' })]);

      const page = await request('POST', `/public/events/${eventId}/rsvp/cancel`, {
        headers: { 'content-type': FORM_TYPE, accept: BROWSER_ACCEPT },
        payload: 'email=ann%40example.com',
        ip,
      });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Your registration is cancelled');
      expect(cancels).toHaveLength(3);
    });
  });

  describe('rate limit and CORS', () => {
    it(`allows ${LIMIT} RSVPs and cancellations together a minute per event and client IP, then 429`, async () => {
      const eventId = uuidv7();
      const ip = '198.51.100.20';
      for (let i = 0; i < LIMIT; i += 1) {
        const res =
          i % 2
            ? await cancel(eventId, { email: 'ann@example.com' }, ip)
            : await rsvp(eventId, { email: `p${i}@example.com` }, ip);
        expect(res.statusCode).toBe(i % 2 ? 200 : 201);
      }
      for (const refused of [
        await rsvp(eventId, { email: 'late@example.com' }, ip),
        await cancel(eventId, { email: 'ann@example.com' }, ip),
      ]) {
        expect(refused.statusCode).toBe(429);
        const retryAfter = Number(refused.headers['retry-after']);
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(json(refused)).toMatchObject({ statusCode: 429, retryAfter });
        expect(json(refused).message).toContain('Too many requests for this event');
        expect(refused.headers['access-control-allow-origin']).toBe('*');
      }
      // Refused attempts reach no one and are not counted.
      expect(rsvps.length + cancels.length).toBe(LIMIT);
      const [row] = (await dataSource.query(
        `SELECT count(*)::int AS n FROM ingress.public_rate_limit_hits WHERE scope = 'event' AND subject_id = $1`,
        [eventId],
      )) as { n: number }[];
      expect(row?.n).toBe(LIMIT);
      // Another client, or another event from the same client, has its own budget.
      expect((await rsvp(eventId, { email: 'b@example.com' }, '198.51.100.21')).statusCode).toBe(201);
      expect((await rsvp(uuidv7(), { email: 'b@example.com' }, ip)).statusCode).toBe(201);
    });

    it('answers the preflights with 204 and the allowed methods and headers', async () => {
      const id = uuidv7();
      for (const url of [
        `/public/events/${id}`,
        `/public/events/${id}/rsvp`,
        `/public/events/${id}/rsvp/cancel`,
      ]) {
        const res = await request('OPTIONS', url, {
          headers: {
            origin: 'https://shop.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
        expect({ url, status: res.statusCode }).toEqual({ url, status: 204 });
        expect(res.headers).toMatchObject({
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'content-type',
        });
      }
    });
  });
});

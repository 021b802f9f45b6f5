import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INTEGRATION_LIMITS } from '@rocketlead/contracts';
import {
  eventbriteNotification,
  freePort,
  startFakeEventbriteApi,
  type FakeEventbriteApi,
} from '@rocketlead/testing';
import { ProviderError } from '../provider-error';
import { EventbriteApiClient } from './eventbrite-api.client';
import { readEventbriteNotification } from './eventbrite-webhook';

const TOKEN = 'EB_PRIVATE_TOKEN_123';

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('EventbriteApiClient', () => {
  let fake: FakeEventbriteApi;
  let client: EventbriteApiClient;

  beforeAll(async () => {
    fake = await startFakeEventbriteApi({ token: TOKEN });
    client = new EventbriteApiClient({ apiBase: fake.url, timeoutMs: 2000 });
    fake.addOrder({
      id: '1001',
      event_id: '555',
      attendees: [
        {
          id: 'a1',
          profile: { email: 'Ann@Example.com', first_name: 'Ann', last_name: 'Lee', cell_phone: '+1555' },
        },
        { id: 'a2', profile: { email: 'ann@example.com ', name: 'Ann (2nd ticket)' } },
        { id: 'a3', profile: { email: 'bob@example.com', name: 'Bob Stone' } },
        { id: 'a4', cancelled: true, profile: { email: 'carl@example.com', name: 'Carl' } },
        { id: 'a5', refunded: true, profile: { email: 'dora@example.com', name: 'Dora' } },
        { id: 'a6', profile: { name: 'No Email' } },
      ],
    });
  });

  afterAll(async () => {
    await fake.close();
  });

  const notify = (action: string, apiUrl: string) =>
    readEventbriteNotification(eventbriteNotification(action, apiUrl), fake.url);

  it('order.placed: one contact per person however many tickets, cancelled/refunded/emailless left out', async () => {
    const registrations = await client.fetchRegistrations(
      notify('order.placed', fake.orderUrl('1001')),
      TOKEN,
    );
    expect(registrations).toEqual({
      eventbriteEventId: '555',
      orderId: '1001',
      contacts: [
        { email: 'Ann@Example.com', name: 'Ann Lee', phone: '+1555' },
        { email: 'bob@example.com', name: 'Bob Stone', phone: null },
      ],
      skipped: 3,
    });
    const request = fake.requests.at(-1);
    expect(request?.path).toBe('/v3/orders/1001/?expand=attendees');
    expect(request?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('order.placed keeps the query parameters of api_url and adds to an existing expansion', async () => {
    await client.fetchRegistrations(
      notify('order.placed', `${fake.orderUrl('1001')}?expand=event&x=1`),
      TOKEN,
    );
    expect(fake.requests.at(-1)?.path).toBe('/v3/orders/1001/?expand=event%2Cattendees&x=1');
  });

  it('attendee.updated: the attendee alone', async () => {
    const registrations = await client.fetchRegistrations(
      notify('attendee.updated', fake.attendeeUrl('555', 'a3')),
      TOKEN,
    );
    expect(registrations).toEqual({
      eventbriteEventId: '555',
      orderId: '1001',
      contacts: [{ email: 'bob@example.com', name: 'Bob Stone', phone: null }],
      skipped: 0,
    });
    const cancelled = await client.fetchRegistrations(
      notify('attendee.updated', fake.attendeeUrl('555', 'a4')),
      TOKEN,
    );
    expect(cancelled).toMatchObject({ contacts: [], skipped: 1 });
  });

  it('never fetches an api_url outside the configured API', async () => {
    const before = fake.requests.length;
    const elsewhere = `${fake.url.replace('/v3/', '/v4/')}orders/1001/`;
    const error = await failure(
      client.fetchRegistrations({ action: 'order.placed', apiUrl: elsewhere }, TOKEN),
    );
    expect(error.transient).toBe(false);
    const otherHost = await failure(
      client.fetchRegistrations({ action: 'order.placed', apiUrl: 'http://localhost:1/v3/orders/1/' }, TOKEN),
    );
    expect(otherHost.transient).toBe(false);
    expect(fake.requests.length).toBe(before);
  });

  it('a wrong token is permanent', async () => {
    const error = await failure(
      client.fetchRegistrations(notify('order.placed', fake.orderUrl('1001')), 'wrong'),
    );
    expect(error.transient).toBe(false);
    expect(error.message).toBe('Eventbrite API: HTTP 401: The OAuth token you provided was invalid.');
  });

  it('an unknown order is permanent', async () => {
    const error = await failure(
      client.fetchRegistrations(notify('order.placed', fake.orderUrl('404404')), TOKEN),
    );
    expect(error.transient).toBe(false);
    expect(error.message).toContain('HTTP 404');
  });

  it('a 5xx and a 429 are transient', async () => {
    fake.failNext(1, 503);
    expect(
      (await failure(client.fetchRegistrations(notify('order.placed', fake.orderUrl('1001')), TOKEN)))
        .transient,
    ).toBe(true);
    fake.failNext(1, 429);
    expect(
      (await failure(client.fetchRegistrations(notify('order.placed', fake.orderUrl('1001')), TOKEN)))
        .transient,
    ).toBe(true);
  });

  it('a timeout is transient', async () => {
    const impatient = new EventbriteApiClient({ apiBase: fake.url, timeoutMs: 300 });
    fake.failNext(1, 'hang');
    const error = await failure(
      impatient.fetchRegistrations(notify('order.placed', fake.orderUrl('1001')), TOKEN),
    );
    expect(error).toMatchObject({ transient: true, message: 'Eventbrite API: timeout after 300 ms' });
  });

  it('a refused connection is transient', async () => {
    const base = `http://127.0.0.1:${await freePort()}/v3/`;
    const closed = new EventbriteApiClient({ apiBase: base, timeoutMs: 2000 });
    const error = await failure(
      closed.fetchRegistrations({ action: 'order.placed', apiUrl: `${base}orders/1/` }, TOKEN),
    );
    expect(error.transient).toBe(true);
  });

  it('an oversized answer is refused as permanent', async () => {
    fake.failNext(1, 200, { id: '1001', padding: 'x'.repeat(INTEGRATION_LIMITS.providerResponseBytes) });
    const error = await failure(
      client.fetchRegistrations(notify('order.placed', fake.orderUrl('1001')), TOKEN),
    );
    expect(error).toMatchObject({
      transient: false,
      message: `Eventbrite API: answer larger than ${INTEGRATION_LIMITS.providerResponseBytes} bytes`,
    });
  });

  it('unreadable or unexpected answers are permanent', async () => {
    fake.failNext(1, 200, 'not json');
    expect(
      (await failure(client.fetchRegistrations(notify('order.placed', fake.orderUrl('1001')), TOKEN)))
        .transient,
    ).toBe(false);
    fake.failNext(1, 200, { id: '1001', event_id: '555' });
    const noAttendees = await failure(
      client.fetchRegistrations(notify('order.placed', fake.orderUrl('1001')), TOKEN),
    );
    expect(noAttendees.message).toBe('Eventbrite API: order 1001 without attendees');
    // An order without its event's id takes it from its attendees; with neither, it is refused.
    fake.failNext(1, 200, {
      id: '1001',
      attendees: [{ id: 'a1', event_id: '555', order_id: '1001', profile: { email: 'eve@example.com' } }],
    });
    expect(
      await client.fetchRegistrations(notify('order.placed', fake.orderUrl('1001')), TOKEN),
    ).toMatchObject({ eventbriteEventId: '555', orderId: '1001', contacts: [{ email: 'eve@example.com' }] });
    fake.failNext(1, 200, { id: '1001', attendees: [{ id: 'a1', profile: { email: 'eve@example.com' } }] });
    expect(
      (await failure(client.fetchRegistrations(notify('order.placed', fake.orderUrl('1001')), TOKEN)))
        .message,
    ).toBe('Eventbrite API: order 1001 without event_id');
    fake.failNext(1, 302, {});
    expect(
      (await failure(client.fetchRegistrations(notify('order.placed', fake.orderUrl('1001')), TOKEN)))
        .transient,
    ).toBe(false);
  });

  it('reads at most INTEGRATION_LIMITS.attendeesPerOrder attendees', async () => {
    const attendees = Array.from({ length: INTEGRATION_LIMITS.attendeesPerOrder + 3 }, (_, i) => ({
      id: `big${i}`,
      profile: { email: `guest${i}@example.com`, name: `Guest ${i}` },
    }));
    fake.addOrder({ id: '2002', event_id: '555', attendees });
    const registrations = await client.fetchRegistrations(
      notify('order.placed', fake.orderUrl('2002')),
      TOKEN,
    );
    expect(registrations.contacts).toHaveLength(INTEGRATION_LIMITS.attendeesPerOrder);
    expect(registrations.skipped).toBe(3);
  });
});

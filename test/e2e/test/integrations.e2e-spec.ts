import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  CrmEvent,
  EventRegistration,
  IntegrationConnection,
  IntegrationDelivery,
  Product,
  PublicCrmEvent,
  TableEntry,
} from '@rocketlead/contracts';
import {
  EventCollector,
  eventbriteNotification,
  eventually,
  signStripeWebhook,
  startFakeEventbriteApi,
  startFakeStripeApi,
  stripeCheckoutEvent,
  type ApiResponse,
  type CollectedEvent,
  type FakeEventbriteApi,
  type FakeStripeApi,
  type StripeEventPayload,
} from '@rocketlead/testing';
import { Api, E2E, created, finishedRuns } from './support/platform';

// Stripe purchases, Eventbrite registrations and RSVPs against the running platform (every service a
// process), with a local Stripe API (line items) and a local Eventbrite API (orders) speaking the providers'
// formats; webhooks signed with the Stripe SDK's test helper.

const STRIPE_KEY = 'rk_test_e2e0000000000000000000000000';
const EVENTBRITE_TOKEN = 'EB-PRIVATE-TOKEN-E2E';

describe('integrations (Stripe, Eventbrite, RSVP) with every service as a process', () => {
  let e2e: E2E;
  let admin: Api;
  let visitor: Api;
  let stripeApi: FakeStripeApi;
  let eventbriteApi: FakeEventbriteApi;
  let products: EventCollector;
  let registrations: EventCollector;

  const pool = async (): Promise<string> => (await e2e.pool(admin)).poolId;
  const automation = async (name: string, event: string, triggerId: string): Promise<string> =>
    (
      await created(
        admin.post<{ id: string }>('/api/v1/automations', {
          name,
          status: 'active',
          trigger: { event, triggerId },
          actions: [],
        }),
        'automation',
      )
    ).id;
  const deliveries = async (connectionId: string): Promise<IntegrationDelivery[]> => {
    const res = await admin.get<{ items: IntegrationDelivery[] }>(
      `/connect/integrations/${connectionId}/deliveries?limit=100`,
    );
    expect(res.status).toBe(200);
    return res.body.items;
  };
  /** The inbound webhook `deliveryId` once processing has settled (not pending any more). */
  const settled = (connectionId: string, deliveryId: string): Promise<IntegrationDelivery> =>
    eventually(
      async () => (await deliveries(connectionId)).find((d) => d.id === deliveryId && d.status !== 'pending'),
      { timeoutMs: 30_000, message: `delivery ${deliveryId} settled` },
    );
  const postStripe = (
    connectionId: string,
    payload: string,
    signature: string | null,
  ): Promise<ApiResponse<{ status: string; deliveryId: string; message?: string }>> =>
    visitor.post(`/public/integrations/stripe/${connectionId}`, payload, {
      'content-type': 'application/json',
      ...(signature ? { 'stripe-signature': signature } : {}),
    });
  const sendStripe = async (connectionId: string, secret: string, event: StripeEventPayload) => {
    const payload = JSON.stringify(event, null, 2);
    return postStripe(connectionId, payload, signStripeWebhook(payload, secret));
  };
  const purchasedOf = (sessionId: string, count = 1): Promise<CollectedEvent[]> =>
    products.waitFor(
      (e) =>
        e.body.type === 'product.purchased' &&
        (e.body.data as { stripeSessionId: string }).stripeSessionId === sessionId,
      20_000,
      count,
    );
  const registeredFor = (eventId: string, count: number): Promise<CollectedEvent[]> =>
    registrations.waitFor(
      (e) =>
        e.body.type === 'event.registration.created' &&
        (e.body.data as { eventId: string }).eventId === eventId,
      20_000,
      count,
    );
  const entry = async (id: string): Promise<TableEntry> => {
    const res = await admin.get<TableEntry>(`/connect/table_entries/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  /** The channel an entry was created on, as its `table.entry.added` says. */
  const addedOn = async (entryId: string): Promise<unknown> =>
    (
      await e2e.events.waitFor(
        (e) => e.body.type === 'table.entry.added' && e.body.subject === entryId,
        20_000,
      )
    )[0]!.body.channel;

  beforeAll(async () => {
    stripeApi = await startFakeStripeApi({ apiKey: STRIPE_KEY });
    eventbriteApi = await startFakeEventbriteApi({ token: EVENTBRITE_TOKEN });
    e2e = await E2E.start({
      STRIPE_API_BASE: stripeApi.url,
      EVENTBRITE_API_URL: eventbriteApi.url,
      INTEGRATIONS_RETRY_SCHEDULE: '1s,1s,1s',
    });
    ({ admin } = await e2e.organization('Integrations'));
    visitor = e2e.anonymous();
    products = await EventCollector.start(e2e.nc, e2e.names.stream('PRODUCTS').name);
    registrations = await EventCollector.start(e2e.nc, e2e.names.stream('CRM_EVENTS').name);
  }, 180_000);

  afterAll(async () => {
    await products?.stop();
    await registrations?.stop();
    await e2e?.stop();
    await stripeApi?.close();
    await eventbriteApi?.close();
  }, 120_000);

  it('Stripe: a signed paid checkout buys the linked product once, for a contact matched or created by email', async () => {
    const tableId = await pool();
    // Stripe shows the endpoint's secret only once the endpoint exists: connect first, then store it.
    const connection = await created(
      admin.post<IntegrationConnection>('/connect/integrations/stripe', {
        tableId,
        webhookSecret: 'pending',
        apiKey: STRIPE_KEY,
      }),
      'stripe connection',
    );
    expect(connection).toMatchObject({
      provider: 'stripe',
      tableId,
      webhookUrl: `/public/integrations/stripe/${connection.id}`,
    });
    expect(JSON.stringify(connection)).not.toContain(STRIPE_KEY);
    const secret = 'whsec_e2e_c2VjcmV0LWZvci10aGUtZTJlLXRlc3Q=';
    const patched = await admin.patch<IntegrationConnection>(`/connect/integrations/${connection.id}`, {
      webhookSecret: secret,
    });
    expect(patched.status).toBe(200);
    expect(JSON.stringify(patched.body)).not.toContain(secret);

    const membership = await created(
      admin.post<Product>('/connect/products', { name: 'Annual Membership', stripePriceId: 'price_annual' }),
      'product',
    );
    const workshop = await created(
      admin.post<Product>('/connect/products', { name: 'Workshop', stripeProductId: 'prod_workshop' }),
      'product',
    );
    const onMembership = await automation('Welcome members', 'product.purchased', membership.id);

    // Bad and missing signatures are refused before anything is stored.
    const event = stripeCheckoutEvent({ email: '  Bea@Example.com ', name: 'Bea Buyer', amountTotal: 9900 });
    const session = event.data.object.id as string;
    stripeApi.setLineItems(session, [
      { priceId: 'price_annual', productId: 'prod_annual', amountTotal: 9900 },
    ]);
    const payload = JSON.stringify(event);
    expect((await postStripe(connection.id, payload, signStripeWebhook(payload, 'whsec_wrong'))).status).toBe(
      400,
    );
    expect((await postStripe(connection.id, payload, null)).status).toBe(400);
    expect((await postStripe(connection.id, `${payload} `, signStripeWebhook(payload, secret))).status).toBe(
      400,
    );
    expect(await deliveries(connection.id)).toEqual([]);
    expect((await sendStripe('00000000-0000-4000-8000-000000000000', secret, event)).status).toBe(404);

    const accepted = await sendStripe(connection.id, secret, event);
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('accepted');
    const [purchased] = await purchasedOf(session);
    const data = purchased!.body.data as Record<string, unknown>;
    expect(data).toMatchObject({
      productId: membership.id,
      productName: 'Annual Membership',
      amountTotal: 9900,
      currency: 'usd',
      stripeSessionId: session,
      tableId,
    });
    expect(purchased!.body).toMatchObject({ channel: 'integration' });
    const buyer = await entry(data.entryId as string);
    expect(buyer.tableId).toBe(tableId);
    expect(await addedOn(buyer.id)).toBe('integration');
    expect(buyer.data).toMatchObject({ email: 'Bea@Example.com', name: 'Bea Buyer' });
    // Line items came from the Stripe API, with the connection's key.
    expect(
      stripeApi.requests.some((r) => r.path.startsWith(`/v1/checkout/sessions/${session}/line_items`)),
    ).toBe(true);
    const [run] = await finishedRuns(admin, onMembership, 1);
    expect(run).toMatchObject({ triggerName: 'Annual Membership', context: { entryId: buyer.id } });
    expect((await settled(connection.id, accepted.body.deliveryId)).status).toBe('succeeded');

    // Stripe redelivers: same event id → 200 duplicate, nothing happens again.
    const again = await sendStripe(connection.id, secret, event);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: 'duplicate', deliveryId: accepted.body.deliveryId });

    // The same person buys the workshop (linked by product id, named in the session metadata too): matched.
    const second = stripeCheckoutEvent({
      email: 'bea@example.com',
      metadata: { rocketlead_product_id: workshop.id },
    });
    const secondSession = second.data.object.id as string;
    expect((await sendStripe(connection.id, secret, second)).status).toBe(200);
    const [workshopBought] = await purchasedOf(secondSession);
    expect(workshopBought!.body.data).toMatchObject({ productId: workshop.id, entryId: buyer.id });

    // Unpaid, and paid without a linked product: 200, recorded as ignored, no event.
    const unpaid = stripeCheckoutEvent({ paymentStatus: 'unpaid', email: 'later@example.com' });
    const stray = stripeCheckoutEvent({ email: 'stray@example.com' });
    stripeApi.setLineItems(stray.data.object.id as string, [
      { priceId: 'price_other', productId: 'prod_other' },
    ]);
    for (const ignored of [unpaid, stray]) {
      const res = await sendStripe(connection.id, secret, ignored);
      expect(res.status).toBe(200);
      expect(await settled(connection.id, res.body.deliveryId)).toMatchObject({
        status: 'ignored',
        error: expect.any(String),
      });
    }
    // Everything settled after the redelivery: still exactly one purchase of the first session.
    expect(products.events.filter((e) => JSON.stringify(e.body.data).includes(session))).toHaveLength(1);
    expect(
      products.events.filter((e) => JSON.stringify(e.body.data).includes(unpaid.data.object.id as string)),
    ).toHaveLength(0);
  });

  it('Stripe API failures are retried on durable timers, then recorded as failed with the reason', async () => {
    const tableId = await pool();
    const secret = 'whsec_retry_c2VjcmV0';
    const connection = await created(
      admin.post<IntegrationConnection>('/connect/integrations/stripe', {
        tableId,
        webhookSecret: secret,
        apiKey: STRIPE_KEY,
      }),
      'stripe connection',
    );
    await created(
      admin.post<Product>('/connect/products', { name: 'Retry plan', stripePriceId: 'price_retry' }),
      'p',
    );
    const flaky = stripeCheckoutEvent({ email: 'flaky@example.com' });
    stripeApi.setLineItems(flaky.data.object.id as string, [
      { priceId: 'price_retry', productId: 'prod_retry' },
    ]);
    stripeApi.failNext(2, 503);
    const res = await sendStripe(connection.id, secret, flaky);
    expect(res.status).toBe(200);
    await purchasedOf(flaky.data.object.id as string);
    expect(await settled(connection.id, res.body.deliveryId)).toMatchObject({
      status: 'succeeded',
      attempts: 3,
    });

    stripeApi.failNext(10, 503);
    const doomed = stripeCheckoutEvent({ email: 'doomed@example.com' });
    stripeApi.setLineItems(doomed.data.object.id as string, [
      { priceId: 'price_retry', productId: 'prod_retry' },
    ]);
    const failed = await sendStripe(connection.id, secret, doomed);
    expect(await settled(connection.id, failed.body.deliveryId)).toMatchObject({
      status: 'failed',
      attempts: 4,
      error: expect.stringContaining('503'),
    });
  });

  it('Eventbrite: one registration and one event per contact per order, whatever the tickets; redeliveries change nothing', async () => {
    const tableId = await pool();
    const connection = await created(
      admin.post<IntegrationConnection>('/connect/integrations/eventbrite', {
        tableId,
        apiToken: EVENTBRITE_TOKEN,
      }),
      'eventbrite connection',
    );
    expect(connection).toMatchObject({
      provider: 'eventbrite',
      webhookUrl: `/public/integrations/eventbrite/${connection.id}`,
    });
    const gala = await created(
      admin.post<CrmEvent>('/connect/events', {
        name: 'Spring Gala 2027',
        tableId,
        startsAt: '2027-04-10T19:00:00+02:00',
        eventbriteEventId: 'eb-gala-2027',
      }),
      'CRM event',
    );
    const onGala = await automation('Gala reminder', 'event.registration.created', gala.id);
    eventbriteApi.addOrder({
      id: 'order-1001',
      event_id: 'eb-gala-2027',
      attendees: [
        { id: 'att-1', profile: { email: 'ann@example.com', name: 'Ann Attendee' } },
        { id: 'att-2', profile: { email: 'ANN@example.com ', name: 'Ann Attendee' } },
        { id: 'att-3', profile: { email: 'bo@example.com', first_name: 'Bo', last_name: 'Guest' } },
      ],
    });
    const url = `/public/integrations/eventbrite/${connection.id}`;
    const body = eventbriteNotification('order.placed', eventbriteApi.orderUrl('order-1001'));
    const first = await visitor.post<{ status: string; deliveryId: string }>(url, body, {
      'content-type': 'application/json',
    });
    expect(first.status).toBe(200);
    const events = await registeredFor(gala.id, 2);
    expect(events.map((e) => e.body.data)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ eventId: gala.id, eventName: 'Spring Gala 2027', source: 'eventbrite' }),
      ]),
    );
    expect(new Set(events.map((e) => (e.body.data as { entryId: string }).entryId)).size).toBe(2);
    expect((await settled(connection.id, first.body.deliveryId)).status).toBe('succeeded');
    const runs = await finishedRuns(admin, onGala, 2);
    expect(runs.every((r) => r.triggerName === 'Spring Gala 2027')).toBe(true);

    // The same webhook again: processed, nothing new.
    const again = await visitor.post<{ deliveryId: string }>(url, body, {
      'content-type': 'application/json',
    });
    expect(again.status).toBe(200);
    expect((await settled(connection.id, again.body.deliveryId)).status).toBe('succeeded');
    expect(registrations.events.filter((e) => JSON.stringify(e.body.data).includes(gala.id))).toHaveLength(2);
    const listed = await admin.get<{ items: EventRegistration[] }>(
      `/connect/events/${gala.id}/registrations`,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(2);
    expect(
      listed.body.items.every((r) => r.source === 'eventbrite' && r.externalOrderId === 'order-1001'),
    ).toBe(true);

    // An api_url outside EVENTBRITE_API_URL is refused without a request.
    const before = eventbriteApi.requests.length;
    const outside = eventbriteApi.url.replace('/v3/', '/v4/') + 'orders/1001/';
    const refused = await visitor.post<{ errors?: { field: string }[] }>(
      url,
      eventbriteNotification('order.placed', outside),
      { 'content-type': 'application/json' },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.field).toBe('api_url');
    expect(eventbriteApi.requests).toHaveLength(before);
  });

  it('RSVP: registers, answers a repeat with 200, refuses when full, cancels and re-activates', async () => {
    const tableId = await pool();
    const meetup = await created(
      admin.post<CrmEvent>('/connect/events', {
        name: 'Founders Meetup',
        tableId,
        startsAt: '2027-05-01T18:00:00Z',
        capacity: 1,
      }),
      'CRM event',
    );
    expect((await visitor.get<PublicCrmEvent>(`/public/events/${meetup.id}`)).body).toMatchObject({
      name: 'Founders Meetup',
      spotsLeft: 1,
    });
    const rsvp = (email: string) =>
      visitor.post<{ status: string; registrationId: string; entryId: string }>(
        `/public/events/${meetup.id}/rsvp`,
        {
          email,
          name: 'Cy',
        },
      );
    const first = await rsvp('cy@example.com');
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('registered');
    const [registered] = await registeredFor(meetup.id, 1);
    expect(registered!.body.data).toMatchObject({ source: 'rsvp', entryId: first.body.entryId, tableId });
    expect(await addedOn(first.body.entryId)).toBe('form');

    const repeat = await rsvp(' CY@example.com');
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({
      status: 'already_registered',
      registrationId: first.body.registrationId,
    });
    const full = await rsvp('dee@example.com');
    expect(full.status).toBe(409);
    expect((await visitor.post(`/public/events/${meetup.id}/rsvp`, { email: 'not-an-email' })).status).toBe(
      400,
    );
    expect(
      (await visitor.post(`/public/events/00000000-0000-4000-8000-000000000000/rsvp`, { email: 'a@b.co' }))
        .status,
    ).toBe(404);

    expect(
      (await visitor.post(`/public/events/${meetup.id}/rsvp/cancel`, { email: 'cy@example.com' })).status,
    ).toBe(200);
    const [cancelled] = await registrations.waitFor(
      (e) => e.body.type === 'event.registration.cancelled' && e.body.subject === first.body.entryId,
      20_000,
    );
    expect(cancelled!.body.data).toMatchObject({ eventId: meetup.id, source: 'rsvp', tableId });
    const back = await rsvp('cy@example.com');
    expect(back.status).toBe(201);
    expect(back.body.registrationId).toBe(first.body.registrationId);
    await registeredFor(meetup.id, 2);
  });
});

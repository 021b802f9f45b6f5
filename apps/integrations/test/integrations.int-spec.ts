import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Msg, Subscription } from 'nats';
import { Client } from 'pg';
import {
  COMMANDS,
  normaliseEmail,
  PRODUCT_PURCHASED,
  uuidv7,
  validateEvent,
  type ContactsResolveCommand,
  type CrmEvent,
  type CrmEventsByEventbriteIdCommand,
  type IntegrationConnection,
  type IntegrationDelivery,
  type ProductPurchasedData,
  type RegistrationsRegisterCommand,
  type RpcReply,
} from '@rocketlead/contracts';
import {
  commandSender,
  eventbriteNotification,
  eventually,
  failure,
  signStripeWebhook,
  startFakeEventbriteApi,
  startFakeStripeApi,
  stripeCheckoutEvent,
  type CommandSender,
  type EventCollector,
  type FakeEventbriteApi,
  type FakeStripeApi,
  type StripeCheckoutEventOptions,
} from '@rocketlead/testing';
import { startIntegrations, type IntegrationsUnderTest } from './support';

const STRIPE_KEY = 'sk_test_integration_key_1234';
const EVENTBRITE_TOKEN = 'eventbrite-private-token-5678';
const WEBHOOK_SECRET = 'whsec_integration_secret_abcd';

describe('integrations service (real Postgres and NATS, local provider APIs)', () => {
  let service: IntegrationsUnderTest;
  let send: CommandSender;
  let collector: EventCollector;
  let pg: Client;
  let stripeApi: FakeStripeApi;
  let eventbriteApi: FakeEventbriteApi;
  const stubs: Subscription[] = [];

  const org = uuidv7();
  const pool = uuidv7();
  const otherPool = uuidv7();
  // What the stand-ins for leads and calendar know and were asked.
  const pools = new Map<string, string>([
    [pool, org],
    [otherPool, org],
  ]);
  const contacts = new Map<string, string>(); // `<tableId> <normalised email>` -> entry id
  const resolved: ContactsResolveCommand[] = [];
  const crmEvents = new Map<string, CrmEvent>(); // `<organization> <eventbrite id>` -> CRM event
  const registered: RegistrationsRegisterCommand[] = [];

  let stripe: IntegrationConnection;

  function respond<T>(msg: Msg, reply: RpcReply<T>): void {
    msg.respond(JSON.stringify(reply));
  }

  function stub<T>(subject: string, answer: (request: T) => RpcReply<unknown>): void {
    stubs.push(service.nc.subscribe(subject, { callback: (_, msg) => respond(msg, answer(msg.json<T>())) }));
  }

  function crmEvent(eventbriteEventId: string, name: string): CrmEvent {
    const now = new Date().toISOString();
    const event: CrmEvent = {
      id: uuidv7(),
      name,
      tableId: otherPool,
      startsAt: now,
      endsAt: null,
      capacity: null,
      eventbriteEventId,
      registeredCount: 0,
      createdAt: now,
      updatedAt: now,
    };
    crmEvents.set(`${org} ${eventbriteEventId}`, event);
    return event;
  }

  const connectStripe = (apiKey?: string): Promise<IntegrationConnection> =>
    send(COMMANDS.integrationsConnectStripe, {
      organizationId: org,
      tableId: pool,
      webhookSecret: WEBHOOK_SECRET,
      ...(apiKey ? { apiKey } : {}),
    });

  const product = (name: string, ids: { stripePriceId?: string; stripeProductId?: string } = {}) =>
    send(COMMANDS.productsCreate, { organizationId: org, name, ...ids });

  /** Posts a signed Stripe event to the connection, as ingress forwards it. */
  function postStripe(
    connection: IntegrationConnection,
    options: StripeCheckoutEventOptions,
    signature?: string | null,
  ) {
    const event = stripeCheckoutEvent(options);
    const body = JSON.stringify(event);
    return {
      event,
      answer: send(COMMANDS.integrationsWebhookReceive, {
        provider: 'stripe',
        connectionId: connection.id,
        body,
        signature: signature === undefined ? signStripeWebhook(body, WEBHOOK_SECRET) : signature,
        request: { correlationId: 'int', traceparent: null },
      }),
    };
  }

  function postEventbrite(connection: IntegrationConnection, action: string, apiUrl: string) {
    return send(COMMANDS.integrationsWebhookReceive, {
      provider: 'eventbrite',
      connectionId: connection.id,
      body: eventbriteNotification(action, apiUrl),
      signature: null,
      request: { correlationId: 'int', traceparent: null },
    });
  }

  async function delivery(
    connection: IntegrationConnection,
    id: string,
  ): Promise<IntegrationDelivery | undefined> {
    const page = await send(COMMANDS.integrationsDeliveries, {
      organizationId: org,
      id: connection.id,
      limit: 100,
    });
    return page.items.find((d) => d.id === id);
  }

  /** The delivery once it is no longer pending. */
  function settled(
    connection: IntegrationConnection,
    id: string,
    timeoutMs = 10_000,
  ): Promise<IntegrationDelivery> {
    return eventually(
      async () => {
        const found = await delivery(connection, id);
        return found && found.status !== 'pending' ? found : undefined;
      },
      { timeoutMs, message: `delivery ${id} settled` },
    );
  }

  const purchaseEvents = (sessionId: string) =>
    collector.events
      .map((e) => e.body)
      .filter(
        (e) =>
          e.type === PRODUCT_PURCHASED &&
          (e.data as unknown as ProductPurchasedData).stripeSessionId === sessionId,
      );

  async function purchaseRows(sessionId: string): Promise<{ product_id: string; entry_id: string }[]> {
    const { rows } = await pg.query<{ product_id: string; entry_id: string }>(
      'SELECT product_id, entry_id FROM integrations.purchases WHERE stripe_session_id = $1',
      [sessionId],
    );
    return rows;
  }

  beforeAll(async () => {
    stripeApi = await startFakeStripeApi({ apiKey: STRIPE_KEY });
    eventbriteApi = await startFakeEventbriteApi({ token: EVENTBRITE_TOKEN });
    service = await startIntegrations('intg', {
      STRIPE_API_BASE: stripeApi.url,
      EVENTBRITE_API_URL: eventbriteApi.url,
      INTEGRATIONS_PROVIDER_TIMEOUT_MS: '2000',
      INTEGRATIONS_RETRY_SCHEDULE: '1s,1s',
    });
    const { nc, names } = service;
    send = commandSender(nc, names);
    collector = await service.collect('PRODUCTS');
    // leads owns pools and contacts; calendar owns CRM events and registrations: stand-ins on real NATS.
    stub<{ organizationId: string; id: string }>(names.command(COMMANDS.poolsGet), (request) =>
      pools.get(request.id) === request.organizationId
        ? { ok: true, result: { id: request.id, organizationId: request.organizationId, name: 'Pool' } }
        : { ok: false, error: { code: 'NOT_FOUND', message: 'Lead pool not found' } },
    );
    stub<ContactsResolveCommand>(names.command(COMMANDS.contactsResolve), (request) => {
      resolved.push(request);
      const key = `${request.tableId} ${normaliseEmail(request.email)}`;
      const created = !contacts.has(key);
      if (created) contacts.set(key, uuidv7());
      return { ok: true, result: { entryId: contacts.get(key)!, created } };
    });
    stub<CrmEventsByEventbriteIdCommand>(names.command(COMMANDS.crmEventsByEventbriteId), (request) => {
      const event = crmEvents.get(`${request.organizationId} ${request.eventbriteEventId}`);
      return event
        ? { ok: true, result: event }
        : { ok: false, error: { code: 'NOT_FOUND', message: 'CRM event not found' } };
    });
    stub<RegistrationsRegisterCommand>(names.command(COMMANDS.registrationsRegister), (request) => {
      registered.push(request);
      const now = new Date().toISOString();
      return {
        ok: true,
        result: {
          created: true,
          registration: {
            id: uuidv7(),
            eventId: request.eventId,
            entryId: request.entryId,
            source: 'eventbrite',
            status: 'active',
            externalOrderId: request.externalOrderId ?? null,
            createdAt: now,
            updatedAt: now,
            cancelledAt: null,
          },
        },
      };
    });
    await nc.flush();
    pg = new Client({ connectionString: service.db.url });
    await pg.connect();
    stripe = await connectStripe();
  }, 120_000);

  afterAll(async () => {
    for (const s of stubs) s.unsubscribe();
    await pg?.end();
    await service?.stop();
    await stripeApi?.close();
    await eventbriteApi?.close();
  }, 120_000);

  describe('connections', () => {
    it('answers a connection without its secrets, and stores them encrypted', async () => {
      const connection = await connectStripe(STRIPE_KEY);
      expect(connection).toEqual({
        id: expect.any(String),
        provider: 'stripe',
        tableId: pool,
        webhookUrl: `/public/integrations/stripe/${connection.id}`,
        hasApiKey: true,
        createdAt: expect.any(String),
      });
      expect(stripe.hasApiKey).toBe(false);
      const replies = JSON.stringify([
        connection,
        await send(COMMANDS.integrationsGet, { organizationId: org, id: connection.id }),
        await send(COMMANDS.integrationsList, { organizationId: org, limit: 100 }),
      ]);
      for (const secret of [STRIPE_KEY, WEBHOOK_SECRET]) expect(replies).not.toContain(secret);
      const { rows } = await pg.query<{ secrets: Buffer }>(
        'SELECT secrets FROM integrations.connections WHERE id = $1',
        [connection.id],
      );
      expect(rows[0]!.secrets.length).toBeGreaterThan(29);
      for (const secret of [STRIPE_KEY, WEBHOOK_SECRET])
        expect(rows[0]!.secrets.includes(Buffer.from(secret))).toBe(false);
    });

    it("replaces a connection's secrets: the new webhook secret verifies, the old one no longer does", async () => {
      const connection = await connectStripe(STRIPE_KEY);
      const rotated = 'whsec_rotated_after_the_endpoint_existed';
      const updated = await send(COMMANDS.integrationsUpdate, {
        organizationId: org,
        id: connection.id,
        webhookSecret: rotated,
        apiKey: null,
      });
      expect(updated).toMatchObject({ id: connection.id, hasApiKey: false });
      expect(JSON.stringify(updated)).not.toContain(rotated);
      const signedWith = (secret: string) => {
        const body = JSON.stringify(stripeCheckoutEvent({}));
        return send(COMMANDS.integrationsWebhookReceive, {
          provider: 'stripe',
          connectionId: connection.id,
          body,
          signature: signStripeWebhook(body, secret),
          request: { correlationId: 'int', traceparent: null },
        });
      };
      expect((await signedWith(rotated)).status).toBe('accepted');
      expect((await failure(signedWith(WEBHOOK_SECRET))).code).toBe('VALIDATION_FAILED');
      // Another provider's secret, another organization's connection.
      const wrong = await failure(
        send(COMMANDS.integrationsUpdate, { organizationId: org, id: connection.id, apiToken: 'eb' }),
      );
      expect(wrong.details).toEqual({
        errors: [{ field: 'apiToken', message: 'is not a secret of a stripe connection' }],
      });
      const foreign = await failure(
        send(COMMANDS.integrationsUpdate, {
          organizationId: uuidv7(),
          id: connection.id,
          webhookSecret: 'x',
        }),
      );
      expect(foreign.code).toBe('NOT_FOUND');
    });

    it('refuses a tableId that is not a lead pool of the organization, naming it', async () => {
      const error = await failure(
        send(COMMANDS.integrationsConnectEventbrite, {
          organizationId: org,
          tableId: uuidv7(),
          apiToken: EVENTBRITE_TOKEN,
        }),
      );
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details).toEqual({ errors: [{ field: 'tableId', message: expect.any(String) }] });
    });

    it('lists connections newest first, paged, and filters by provider', async () => {
      const eventbrite = await send(COMMANDS.integrationsConnectEventbrite, {
        organizationId: org,
        tableId: otherPool,
        apiToken: EVENTBRITE_TOKEN,
      });
      expect(eventbrite.webhookUrl).toBe(`/public/integrations/eventbrite/${eventbrite.id}`);
      const first = await send(COMMANDS.integrationsList, { organizationId: org, limit: 1 });
      expect(first.items.map((c) => c.id)).toEqual([eventbrite.id]);
      expect(first.nextCursor).not.toBeNull();
      const second = await send(COMMANDS.integrationsList, {
        organizationId: org,
        limit: 1,
        cursor: first.nextCursor!,
      });
      expect(second.items[0]!.id).not.toBe(eventbrite.id);
      const onlyEventbrite = await send(COMMANDS.integrationsList, {
        organizationId: org,
        limit: 100,
        provider: 'eventbrite',
      });
      expect(onlyEventbrite.items.every((c) => c.provider === 'eventbrite')).toBe(true);
      const otherOrg = await send(COMMANDS.integrationsList, { organizationId: uuidv7(), limit: 100 });
      expect(otherOrg.items).toEqual([]);
      expect(
        (await failure(send(COMMANDS.integrationsGet, { organizationId: uuidv7(), id: eventbrite.id }))).code,
      ).toBe('NOT_FOUND');
    });
  });

  describe('products', () => {
    it('creates, reads, updates and deletes; a Stripe price id links one product only (409 naming it)', async () => {
      const price = `price_${uuidv7()}`;
      const created = await product('Course', { stripePriceId: price });
      expect(created).toEqual({
        id: expect.any(String),
        name: 'Course',
        stripeProductId: null,
        stripePriceId: price,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const conflict = await failure(product('Copy', { stripePriceId: price }));
      expect(conflict.code).toBe('CONFLICT');
      expect(conflict.details).toEqual({ errors: [{ field: 'stripePriceId', message: expect.any(String) }] });
      const other = await product('Other');
      expect(
        (
          await failure(
            send(COMMANDS.productsUpdate, { organizationId: org, id: other.id, stripePriceId: price }),
          )
        ).code,
      ).toBe('CONFLICT');
      const updated = await send(COMMANDS.productsUpdate, {
        organizationId: org,
        id: created.id,
        name: 'Course 2',
        stripePriceId: null,
        stripeProductId: 'prod_x',
      });
      expect(updated).toMatchObject({ name: 'Course 2', stripePriceId: null, stripeProductId: 'prod_x' });
      expect(await send(COMMANDS.productsGet, { organizationId: org, id: created.id })).toEqual(updated);
      const page = await send(COMMANDS.productsList, { organizationId: org, limit: 1 });
      expect(page.items[0]!.id).toBe(other.id);
      expect(page.nextCursor).not.toBeNull();
      await send(COMMANDS.productsDelete, { organizationId: org, id: created.id });
      await send(COMMANDS.productsDelete, { organizationId: org, id: other.id });
      expect((await failure(send(COMMANDS.productsGet, { organizationId: org, id: created.id }))).code).toBe(
        'NOT_FOUND',
      );
    });
  });

  describe('Stripe purchases', () => {
    it('records a purchase of the product named in metadata and emits product.purchased', async () => {
      const course = await product('Masterclass');
      const { event, answer } = postStripe(stripe, {
        email: ' Buyer@Example.com ',
        name: 'Bea Buyer',
        phone: '+4930123456',
        metadata: { rocketlead_product_id: course.id },
        amountTotal: 4900,
        currency: 'eur',
      });
      const accepted = await answer;
      expect(accepted).toEqual({ status: 'accepted', deliveryId: expect.any(String) });
      const sessionId = event.data.object.id as string;
      const done = await settled(stripe, accepted.deliveryId);
      expect(done).toMatchObject({
        status: 'succeeded',
        externalId: event.id,
        eventType: 'checkout.session.completed',
        attempts: 1,
        error: null,
      });
      const [published] = await eventually(() => {
        const found = purchaseEvents(sessionId);
        return found.length > 0 ? found : undefined;
      });
      expect(validateEvent(published).ok).toBe(true);
      const rows = await purchaseRows(sessionId);
      expect(rows).toHaveLength(1);
      expect(published).toMatchObject({
        type: PRODUCT_PURCHASED,
        source: '/integrations',
        subject: rows[0]!.entry_id,
        organizationid: org,
        channel: 'integration',
        apitokenid: null,
        memberid: null,
        correlationid: accepted.deliveryId,
        data: {
          productId: course.id,
          productName: 'Masterclass',
          entryId: rows[0]!.entry_id,
          tableId: pool,
          amountTotal: 4900,
          currency: 'eur',
          stripeSessionId: sessionId,
          connectionId: stripe.id,
        },
      });
      expect(resolved.at(-1)).toMatchObject({
        actor: { organizationId: org, channel: 'integration', correlationId: accepted.deliveryId },
        tableId: pool,
        name: 'Bea Buyer',
        phone: '+4930123456',
      });
      expect(normaliseEmail(resolved.at(-1)!.email)).toBe('buyer@example.com');
    });

    it('refuses a bad or missing signature with a 400 and stores nothing', async () => {
      const before = await pg.query('SELECT count(*)::int AS n FROM integrations.inbound_webhooks');
      for (const signature of [null, signStripeWebhook('{"other":"body"}', WEBHOOK_SECRET), 't=1,v1=00']) {
        const error = await failure(postStripe(stripe, {}, signature).answer);
        expect(error.code).toBe('VALIDATION_FAILED');
        expect(error.details).toEqual({
          errors: [{ field: 'Stripe-Signature', message: expect.any(String) }],
        });
      }
      const wrongSecret = stripeCheckoutEvent({});
      const body = JSON.stringify(wrongSecret);
      expect(
        (
          await failure(
            send(COMMANDS.integrationsWebhookReceive, {
              provider: 'stripe',
              connectionId: stripe.id,
              body,
              signature: signStripeWebhook(body, 'whsec_someone_else'),
              request: { correlationId: 'int', traceparent: null },
            }),
          )
        ).code,
      ).toBe('VALIDATION_FAILED');
      const after = await pg.query('SELECT count(*)::int AS n FROM integrations.inbound_webhooks');
      expect(after.rows).toEqual(before.rows);
    });

    it('answers 404 for an unknown connection or another provider', async () => {
      expect((await failure(postStripe({ ...stripe, id: uuidv7() }, {}).answer)).code).toBe('NOT_FOUND');
      const error = await failure(postEventbrite(stripe, 'order.placed', eventbriteApi.orderUrl('1')));
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'Integration not found' });
    });

    it('processes a redelivered event once, and a session buys a product once across its events', async () => {
      const course = await product('Workshop');
      const sessionId = `cs_test_${uuidv7()}`;
      const { event, answer } = postStripe(stripe, {
        sessionId,
        metadata: { rocketlead_product_id: course.id },
      });
      const first = await answer;
      const body = JSON.stringify(event);
      const again = await send(COMMANDS.integrationsWebhookReceive, {
        provider: 'stripe',
        connectionId: stripe.id,
        body,
        signature: signStripeWebhook(body, WEBHOOK_SECRET),
        request: { correlationId: 'int', traceparent: null },
      });
      expect(again).toEqual({ status: 'duplicate', deliveryId: first.deliveryId });
      await settled(stripe, first.deliveryId);
      const late = await postStripe(stripe, {
        type: 'checkout.session.async_payment_succeeded',
        sessionId,
        metadata: { rocketlead_product_id: course.id },
      }).answer;
      expect(late.status).toBe('accepted');
      expect((await settled(stripe, late.deliveryId)).status).toBe('succeeded');
      await eventually(() => purchaseEvents(sessionId).length === 1);
      expect(await purchaseRows(sessionId)).toHaveLength(1);
      const { rows } = await pg.query('SELECT id FROM integrations.inbound_webhooks WHERE external_id = $1', [
        event.id,
      ]);
      expect(rows).toHaveLength(1);
    });

    it('ignores unpaid sessions, unknown products and non-purchase events, emitting nothing', async () => {
      const course = await product('Unpaid course');
      const unpaid = postStripe(stripe, {
        paymentStatus: 'unpaid',
        metadata: { rocketlead_product_id: course.id },
      });
      const unknown = postStripe(stripe, { metadata: { rocketlead_product_id: uuidv7() } });
      const noKey = postStripe(stripe, {});
      const expired = postStripe(stripe, { type: 'checkout.session.expired' });
      const outcomes = await Promise.all(
        [unpaid, unknown, noKey, expired].map(async (p) => settled(stripe, (await p.answer).deliveryId)),
      );
      expect(outcomes.map((o) => [o.status, o.error])).toEqual([
        ['ignored', expect.stringContaining('is not paid')],
        ['ignored', expect.stringContaining('unknown product')],
        ['ignored', expect.stringContaining('no API key')],
        ['ignored', expect.stringContaining('not a purchase event')],
      ]);
      for (const p of [unpaid, unknown, noKey, expired]) {
        const sessionId = p.event.data.object.id as string;
        expect(await purchaseRows(sessionId)).toEqual([]);
        expect(purchaseEvents(sessionId)).toEqual([]);
      }
    });

    it('finds products through the line items (by price id, then product id) with the API key', async () => {
      const withKey = await connectStripe(STRIPE_KEY);
      const byPrice = await product('By price', { stripePriceId: `price_${uuidv7()}` });
      const byProduct = await product('By product', { stripeProductId: `prod_${uuidv7()}` });
      const sessionId = `cs_test_${uuidv7()}`;
      stripeApi.setLineItems(sessionId, [
        { priceId: byPrice.stripePriceId!, productId: 'prod_unrelated' },
        { priceId: 'price_unrelated', productId: byProduct.stripeProductId! },
        { priceId: 'price_nothing', productId: 'prod_nothing' },
      ]);
      const accepted = await postStripe(withKey, { sessionId }).answer;
      expect((await settled(withKey, accepted.deliveryId)).status).toBe('succeeded');
      const rows = await purchaseRows(sessionId);
      expect(rows.map((r) => r.product_id).sort()).toEqual([byPrice.id, byProduct.id].sort());
      const events = await eventually(() => {
        const found = purchaseEvents(sessionId);
        return found.length === 2 ? found : undefined;
      });
      expect(events.map((e) => (e.data as unknown as ProductPurchasedData).productName).sort()).toEqual([
        'By price',
        'By product',
      ]);
      expect(stripeApi.requests.at(-1)).toMatchObject({
        method: 'GET',
        authorization: `Bearer ${STRIPE_KEY}`,
      });
      expect(stripeApi.requests.at(-1)!.path).toContain(`/v1/checkout/sessions/${sessionId}/line_items`);

      const noMatch = `cs_test_${uuidv7()}`;
      stripeApi.setLineItems(noMatch, [{ priceId: 'price_nothing', productId: 'prod_nothing' }]);
      const unmatched = await postStripe(withKey, { sessionId: noMatch }).answer;
      expect(await settled(withKey, unmatched.deliveryId)).toMatchObject({
        status: 'ignored',
        error: expect.stringContaining('price_nothing'),
      });
    });

    it('retries a Stripe API failure with backoff, showing the pending attempt, then succeeds', async () => {
      const withKey = await connectStripe(STRIPE_KEY);
      const course = await product('Retried', { stripePriceId: `price_${uuidv7()}` });
      const sessionId = `cs_test_${uuidv7()}`;
      stripeApi.setLineItems(sessionId, [{ priceId: course.stripePriceId!, productId: 'prod_r' }]);
      stripeApi.failNext(2, 500);
      const accepted = await postStripe(withKey, { sessionId }).answer;
      const waiting = await eventually(async () => {
        const found = await delivery(withKey, accepted.deliveryId);
        return found?.status === 'pending' && found.attempts >= 1 && found.nextAttemptAt ? found : undefined;
      });
      expect(waiting.error).toContain('500');
      expect(Date.parse(waiting.nextAttemptAt!)).toBeGreaterThan(Date.parse(waiting.receivedAt));
      const done = await settled(withKey, accepted.deliveryId);
      expect(done).toMatchObject({ status: 'succeeded', attempts: 3, nextAttemptAt: null });
      expect(await purchaseRows(sessionId)).toHaveLength(1);
    });

    it('fails at once on a refused API key, and after the schedule on repeated 5xx', async () => {
      const badKey = await connectStripe('sk_test_wrong_key_0000');
      const refused = await postStripe(badKey, { sessionId: `cs_test_${uuidv7()}` }).answer;
      expect(await settled(badKey, refused.deliveryId)).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: expect.stringContaining('401'),
      });
      const withKey = await connectStripe(STRIPE_KEY);
      const sessionId = `cs_test_${uuidv7()}`;
      stripeApi.setLineItems(sessionId, [{ priceId: 'price_x', productId: 'prod_x' }]);
      stripeApi.failNext(3, 503);
      const exhausted = await postStripe(withKey, { sessionId }).answer;
      expect(await settled(withKey, exhausted.deliveryId, 15_000)).toMatchObject({
        status: 'failed',
        attempts: 3,
        error: expect.stringMatching(/gave up after 3 attempts.*503/),
      });
    });

    it('fails a paid session without a customer email', async () => {
      const course = await product('No email');
      const accepted = await postStripe(stripe, {
        email: null,
        metadata: { rocketlead_product_id: course.id },
      }).answer;
      expect(await settled(stripe, accepted.deliveryId)).toMatchObject({
        status: 'failed',
        error: 'checkout session has no customer email',
      });
    });
  });

  describe('Eventbrite registrations', () => {
    let eventbrite: IntegrationConnection;

    beforeAll(async () => {
      eventbrite = await send(COMMANDS.integrationsConnectEventbrite, {
        organizationId: org,
        tableId: pool,
        apiToken: EVENTBRITE_TOKEN,
      });
    });

    it('registers each contact of an order once, however many tickets they hold', async () => {
      const crm = crmEvent('ev-100', 'Launch party');
      const orderId = `${Date.now()}`;
      eventbriteApi.addOrder({
        id: orderId,
        event_id: 'ev-100',
        attendees: [
          { id: 'a1', profile: { email: 'ann@example.com', first_name: 'Ann', last_name: 'A' } },
          { id: 'a2', profile: { email: 'ANN@example.com ', first_name: 'Ann', last_name: 'A' } },
          { id: 'a3', profile: { email: 'bob@example.com', name: 'Bob B', cell_phone: '+15550100' } },
        ],
      });
      const before = registered.length;
      const accepted = await postEventbrite(eventbrite, 'order.placed', eventbriteApi.orderUrl(orderId));
      expect(accepted.status).toBe('accepted');
      expect(await settled(eventbrite, accepted.deliveryId)).toMatchObject({
        status: 'succeeded',
        eventType: 'order.placed',
        externalId: `order.placed ${eventbriteApi.orderUrl(orderId)}`,
      });
      const calls = registered.slice(before);
      expect(calls).toHaveLength(2);
      for (const call of calls)
        expect(call).toMatchObject({
          eventId: crm.id,
          source: 'eventbrite',
          tableId: pool,
          externalOrderId: orderId,
          actor: { organizationId: org, channel: 'integration', correlationId: accepted.deliveryId },
        });
      expect(calls.map((c) => normaliseEmail(c.email)).sort()).toEqual([
        'ann@example.com',
        'bob@example.com',
      ]);
      // The connection's pool, not the CRM event's: that is where its contacts live.
      expect(resolved.at(-1)!.tableId).toBe(pool);
      expect(eventbriteApi.requests.at(-1)).toMatchObject({ authorization: `Bearer ${EVENTBRITE_TOKEN}` });
      expect(eventbriteApi.requests.at(-1)!.path).toContain('expand=attendees');
    });

    it('retries when the Eventbrite API fails for now, then registers', async () => {
      const crm = crmEvent('ev-200', 'Retried party');
      const orderId = `${Date.now()}2`;
      eventbriteApi.addOrder({
        id: orderId,
        event_id: 'ev-200',
        attendees: [{ id: 'r1', profile: { email: 'retry@example.com', name: 'Rita' } }],
      });
      eventbriteApi.failNext(1, 502);
      const before = registered.length;
      const accepted = await postEventbrite(eventbrite, 'order.placed', eventbriteApi.orderUrl(orderId));
      const waiting = await eventually(async () => {
        const found = await delivery(eventbrite, accepted.deliveryId);
        return found?.status === 'pending' && found.nextAttemptAt ? found : undefined;
      });
      expect(waiting.error).toContain('502');
      expect(await settled(eventbrite, accepted.deliveryId)).toMatchObject({
        status: 'succeeded',
        attempts: 2,
      });
      expect(registered.slice(before)).toEqual([
        expect.objectContaining({ eventId: crm.id, email: 'retry@example.com', externalOrderId: orderId }),
      ]);
    });

    it('refuses an api_url outside the configured API: 400 naming it, nothing stored or fetched', async () => {
      const requests = eventbriteApi.requests.length;
      const stored = await pg.query('SELECT count(*)::int AS n FROM integrations.inbound_webhooks');
      for (const apiUrl of [
        'http://169.254.169.254/latest/',
        new URL('/v4/orders/1/', eventbriteApi.url).href,
      ]) {
        const error = await failure(postEventbrite(eventbrite, 'order.placed', apiUrl));
        expect(error.code).toBe('VALIDATION_FAILED');
        expect(error.details).toEqual({ errors: [{ field: 'api_url', message: expect.any(String) }] });
      }
      expect(eventbriteApi.requests.length).toBe(requests);
      expect((await pg.query('SELECT count(*)::int AS n FROM integrations.inbound_webhooks')).rows).toEqual(
        stored.rows,
      );
    });

    it('ignores other actions and orders of events no CRM event is linked to', async () => {
      const other = await postEventbrite(eventbrite, 'event.published', eventbriteApi.orderUrl('x'));
      expect(await settled(eventbrite, other.deliveryId)).toMatchObject({ status: 'ignored' });
      const orderId = `${Date.now()}9`;
      eventbriteApi.addOrder({
        id: orderId,
        event_id: 'ev-unlinked',
        attendees: [{ id: 'z1', profile: { email: 'zed@example.com', name: 'Zed' } }],
      });
      const unlinked = await postEventbrite(eventbrite, 'order.placed', eventbriteApi.orderUrl(orderId));
      expect(await settled(eventbrite, unlinked.deliveryId)).toMatchObject({
        status: 'ignored',
        error: 'no CRM event is linked to Eventbrite event ev-unlinked',
      });
    });

    it('lists deliveries newest first with their statuses; deleting the connection removes them', async () => {
      const page = await send(COMMANDS.integrationsDeliveries, {
        organizationId: org,
        id: eventbrite.id,
        limit: 2,
      });
      expect(page.items).toHaveLength(2);
      expect(page.items[0]!.error).toContain('ev-unlinked');
      const rest = await send(COMMANDS.integrationsDeliveries, {
        organizationId: org,
        id: eventbrite.id,
        limit: 100,
        cursor: page.nextCursor!,
      });
      expect(rest.items.map((d) => d.status)).toContain('succeeded');
      expect(
        (
          await failure(
            send(COMMANDS.integrationsDeliveries, { organizationId: uuidv7(), id: eventbrite.id, limit: 10 }),
          )
        ).code,
      ).toBe('NOT_FOUND');
      await send(COMMANDS.integrationsDelete, { organizationId: org, id: eventbrite.id });
      const { rows } = await pg.query(
        'SELECT id FROM integrations.inbound_webhooks WHERE connection_id = $1',
        [eventbrite.id],
      );
      expect(rows).toEqual([]);
      expect(
        (await failure(send(COMMANDS.integrationsGet, { organizationId: org, id: eventbrite.id }))).code,
      ).toBe('NOT_FOUND');
    });
  });
});

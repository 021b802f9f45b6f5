import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Subscription } from 'nats';
import { COMMANDS, PRODUCT_PURCHASED, uuidv7, type RpcReply } from '@rocketlead/contracts';
import {
  commandSender,
  eventually,
  signStripeWebhook,
  startFakeEventbriteApi,
  startFakeStripeApi,
  stripeCheckoutEvent,
  type CommandSender,
  type EventCollector,
  type FakeEventbriteApi,
  type FakeStripeApi,
} from '@rocketlead/testing';
import { startIntegrations, type IntegrationsUnderTest } from './support';

const PURCHASES = 20;
const WEBHOOK_SECRET = 'whsec_one_connection_secret';

// A path that holds a connection while asking the pool for another waits out the connect timeout once every
// connection is held that way. With one connection, such a path in integrations (receiving webhooks, their
// processing, purchases and the relay) stalls this burst instead of passing.
describe('integrations on a pool of one connection (real Postgres and NATS, local provider APIs)', () => {
  let service: IntegrationsUnderTest;
  let send: CommandSender;
  let purchases: EventCollector;
  let stripeApi: FakeStripeApi;
  let eventbriteApi: FakeEventbriteApi;
  const stubs: Subscription[] = [];
  const org = uuidv7();
  const pool = uuidv7();

  beforeAll(async () => {
    stripeApi = await startFakeStripeApi({ apiKey: 'sk_test_one_connection' });
    eventbriteApi = await startFakeEventbriteApi({ token: 'eventbrite-one-connection' });
    service = await startIntegrations('intg-one-conn', {
      DB_POOL_SIZE: '1',
      STRIPE_API_BASE: stripeApi.url,
      EVENTBRITE_API_URL: eventbriteApi.url,
    });
    const { nc, names } = service;
    send = commandSender(nc, names);
    purchases = await service.collect('PRODUCTS');
    // Stand-ins for leads: the pool exists, and every buyer becomes a contact of their own.
    const answer = (subject: string, reply: (request: unknown) => RpcReply<unknown>) =>
      stubs.push(
        nc.subscribe(subject, { callback: (_, msg) => msg.respond(JSON.stringify(reply(msg.json()))) }),
      );
    answer(names.command(COMMANDS.poolsGet), () => ({
      ok: true,
      result: { id: pool, organizationId: org, name: 'Pool' },
    }));
    answer(names.command(COMMANDS.contactsResolve), () => ({
      ok: true,
      result: { entryId: uuidv7(), created: true },
    }));
    await nc.flush();
  }, 120_000);

  afterAll(async () => {
    for (const s of stubs) s.unsubscribe();
    await service?.stop();
    await stripeApi?.close();
    await eventbriteApi?.close();
  }, 120_000);

  it('processes a burst of Stripe purchases, each redelivered once, into one purchase each', async () => {
    expect(service.config.DB_POOL_SIZE).toBe(1);
    const connection = await send(COMMANDS.integrationsConnectStripe, {
      organizationId: org,
      tableId: pool,
      webhookSecret: WEBHOOK_SECRET,
    });
    const course = await send(COMMANDS.productsCreate, { organizationId: org, name: 'Course' });
    const events = Array.from({ length: PURCHASES }, (_, i) =>
      stripeCheckoutEvent({
        email: `buyer${i}@example.com`,
        metadata: { rocketlead_product_id: course.id },
        amountTotal: 1000 + i,
        currency: 'eur',
      }),
    );
    const receive = (event: (typeof events)[number]) => {
      const body = JSON.stringify(event);
      return send(COMMANDS.integrationsWebhookReceive, {
        provider: 'stripe',
        connectionId: connection.id,
        body,
        signature: signStripeWebhook(body, WEBHOOK_SECRET),
        request: { correlationId: 'one-connection', traceparent: null },
      });
    };
    const answers = await Promise.all(events.flatMap((event) => [receive(event), receive(event)]));
    expect(answers.every((a) => a.status === 'accepted' || a.status === 'duplicate')).toBe(true);

    const published = await purchases.waitFor((e) => e.body.type === PRODUCT_PURCHASED, 30_000, PURCHASES);
    const sessions = new Set(
      published.map((e) => (e.body.data as { stripeSessionId: string }).stripeSessionId),
    );
    expect(sessions).toEqual(new Set(events.map((event) => event.data.object.id as string)));
    const deliveries = await eventually(
      async () => {
        const page = await send(COMMANDS.integrationsDeliveries, {
          organizationId: org,
          id: connection.id,
          limit: 100,
        });
        return page.items.length >= PURCHASES && page.items.every((d) => d.status !== 'pending')
          ? page.items
          : undefined;
      },
      { timeoutMs: 30_000, message: 'every delivery settled' },
    );
    expect(deliveries.map((d) => d.status)).toEqual(Array.from({ length: PURCHASES }, () => 'succeeded'));
  });
});

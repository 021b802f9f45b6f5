import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  uuidv7,
  type Actor,
  type ContactResolution,
  type CrmEvent,
  type RegistrationResult,
} from '@rocketlead/contracts';
import { SecretBox } from '@rocketlead/persistence';
import type { ConnectionEntity } from '../connections/connection.entity';
import {
  CONNECTION_SECRETS_PURPOSE,
  ConnectionSecretsBox,
  type ConnectionSecrets,
} from '../connections/connection-secrets';
import type { CalendarGateway } from '../gateways/calendar.gateway';
import type { ContactDetails, LeadsGateway } from '../gateways/leads.gateway';
import type { ProductEntity } from '../products/product.entity';
import type { ProductsService } from '../products/products.service';
import {
  ProviderError,
  type EventbriteApiClient,
  type EventbriteNotification,
  type EventbriteRegistrations,
  type StripeApiClient,
  type StripeLineItem,
} from '../providers';
import type { InboundWebhookEntity } from '../webhooks/inbound-webhook.entity';
import { WebhookProcessor } from './webhook-processor';

const API = 'https://eventbrite.test/v3/';
const organizationId = uuidv7();
const tableId = uuidv7();
const box = new ConnectionSecretsBox(new SecretBox(randomBytes(32), CONNECTION_SECRETS_PURPOSE));

function connection(secrets: ConnectionSecrets): ConnectionEntity {
  return {
    id: uuidv7(),
    organizationId,
    provider: secrets.provider,
    tableId,
    secrets: box.seal(secrets),
    hasApiKey: secrets.provider === 'stripe' && secrets.apiKey !== null,
    createdAt: new Date(),
  };
}

function webhook(
  provider: 'stripe' | 'eventbrite',
  payload: unknown,
  eventType: string,
): InboundWebhookEntity {
  return {
    id: uuidv7(),
    organizationId,
    connectionId: uuidv7(),
    provider,
    externalId: 'evt_1',
    eventType,
    payload: JSON.stringify(payload),
    status: 'pending',
    attempts: 1,
    error: null,
    nextAttemptAt: null,
    receivedAt: new Date(),
    processedAt: null,
  };
}

function checkout(session: Record<string, unknown>, type = 'checkout.session.completed') {
  return {
    id: 'evt_1',
    object: 'event',
    type,
    data: {
      object: {
        id: 'cs_test_1',
        object: 'checkout.session',
        payment_status: 'paid',
        customer_details: { email: 'buyer@example.com', name: 'Bea', phone: null },
        metadata: {},
        amount_total: 500,
        currency: 'usd',
        ...session,
      },
    },
  };
}

function product(name: string): ProductEntity {
  const now = new Date();
  return {
    id: uuidv7(),
    organizationId,
    name,
    stripePriceId: null,
    stripeProductId: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** The processor with stand-ins for products, leads, calendar and the provider clients; and what they saw. */
function setup(
  options: {
    products?: ProductEntity[];
    lineItems?: StripeLineItem[] | Error;
    registrations?: EventbriteRegistrations | Error;
    crmEvent?: CrmEvent | null;
  } = {},
) {
  const seen = {
    resolved: [] as { actor: Actor; tableId: string; contact: ContactDetails }[],
    registered: [] as {
      eventId: string;
      entryId: string;
      email: string;
      tableId: string;
      externalOrderId: string;
    }[],
    lineItems: [] as { apiKey: string; sessionId: string }[],
    fetched: [] as { notification: EventbriteNotification; token: string }[],
  };
  const known = options.products ?? [];
  const products = {
    byMetadata: (_org: string, id: string) => Promise.resolve(known.find((p) => p.id === id) ?? null),
    byLineItems: () => Promise.resolve(known),
  } as unknown as ProductsService;
  const leads = {
    resolveContact: (actor: Actor, table: string, contact: ContactDetails): Promise<ContactResolution> => {
      seen.resolved.push({ actor, tableId: table, contact });
      return Promise.resolve({ entryId: uuidv7(), created: true });
    },
  } as unknown as LeadsGateway;
  const calendar = {
    eventByEventbriteId: () => Promise.resolve(options.crmEvent ?? null),
    register: (_actor: Actor, registration: (typeof seen.registered)[number]) => {
      seen.registered.push(registration);
      return Promise.resolve({ created: true } as RegistrationResult);
    },
  } as unknown as CalendarGateway;
  const stripeApi = {
    listLineItems: (apiKey: string, sessionId: string) => {
      seen.lineItems.push({ apiKey, sessionId });
      return options.lineItems instanceof Error
        ? Promise.reject(options.lineItems)
        : Promise.resolve(options.lineItems ?? []);
    },
  } as unknown as StripeApiClient;
  const eventbriteApi = {
    fetchRegistrations: (notification: EventbriteNotification, token: string) => {
      seen.fetched.push({ notification, token });
      return options.registrations instanceof Error
        ? Promise.reject(options.registrations)
        : Promise.resolve(options.registrations!);
    },
  } as unknown as EventbriteApiClient;
  const processor = new WebhookProcessor(
    { EVENTBRITE_API_URL: API },
    box,
    products,
    leads,
    calendar,
    stripeApi,
    eventbriteApi,
  );
  return { processor, seen };
}

const stripeConnection = (apiKey: string | null = null) =>
  connection({ provider: 'stripe', webhookSecret: 'whsec_x', apiKey });

describe('WebhookProcessor: Stripe', () => {
  it('buys the product named in metadata for the contact resolved in the connection pool', async () => {
    const course = product('Course');
    const { processor, seen } = setup({ products: [course] });
    const hook = webhook('stripe', checkout({ metadata: { rocketlead_product_id: course.id } }), 'x');
    const outcome = await processor.process(hook, stripeConnection(), '00-trace');
    expect(outcome).toEqual({
      status: 'succeeded',
      note: null,
      purchases: [
        {
          productId: course.id,
          entryId: expect.any(String),
          stripeSessionId: 'cs_test_1',
          stripeEventId: 'evt_1',
          amountTotal: 500,
          currency: 'usd',
        },
      ],
    });
    expect(seen.resolved).toEqual([
      {
        actor: {
          organizationId,
          channel: 'integration',
          apiTokenId: null,
          memberId: null,
          correlationId: hook.id,
          traceparent: '00-trace',
        },
        tableId,
        contact: { email: 'buyer@example.com', name: 'Bea', phone: null },
      },
    ]);
    expect(seen.lineItems).toEqual([]);
  });

  it('reads line items with the connection API key when metadata names no product', async () => {
    const course = product('Course');
    const { processor, seen } = setup({ products: [course], lineItems: [{ priceId: 'p', productId: null }] });
    const outcome = await processor.process(
      webhook('stripe', checkout({}), 'x'),
      stripeConnection('sk_1'),
      null,
    );
    expect(outcome.status).toBe('succeeded');
    expect(seen.lineItems).toEqual([{ apiKey: 'sk_1', sessionId: 'cs_test_1' }]);
  });

  it('ignores unpaid sessions, unknown products and sessions it cannot read line items of', async () => {
    const { processor, seen } = setup();
    const unpaid = checkout({ payment_status: 'unpaid' });
    expect(await processor.process(webhook('stripe', unpaid, 'x'), stripeConnection(), null)).toEqual({
      status: 'ignored',
      reason: 'checkout session cs_test_1 is not paid',
    });
    const unknown = checkout({ metadata: { rocketlead_product_id: 'nope' } });
    expect(await processor.process(webhook('stripe', unknown, 'x'), stripeConnection(), null)).toEqual({
      status: 'ignored',
      reason: 'unknown product nope in metadata.rocketlead_product_id',
    });
    expect(
      await processor.process(webhook('stripe', checkout({}), 'x'), stripeConnection(), null),
    ).toMatchObject({
      status: 'ignored',
      reason: expect.stringContaining('no API key'),
    });
    expect(seen.resolved).toEqual([]);
  });

  it('fails a session without a customer email, and lets a provider failure through', async () => {
    const course = product('Course');
    const noEmail = checkout({ customer_details: {}, metadata: { rocketlead_product_id: course.id } });
    expect(
      await setup({ products: [course] }).processor.process(
        webhook('stripe', noEmail, 'x'),
        stripeConnection(),
        null,
      ),
    ).toEqual({
      status: 'failed',
      reason: 'checkout session has no customer email',
    });
    const down = setup({ lineItems: new ProviderError('Stripe API: HTTP 500', true) });
    await expect(
      down.processor.process(webhook('stripe', checkout({}), 'x'), stripeConnection('sk'), null),
    ).rejects.toThrow('HTTP 500');
  });
});

describe('WebhookProcessor: Eventbrite', () => {
  const eventbrite = () => connection({ provider: 'eventbrite', apiToken: 'token-1' });
  const notification = { config: { action: 'order.placed' }, api_url: `${API}orders/42/` };
  const crmEvent = { id: uuidv7(), name: 'Launch' } as CrmEvent;

  it('resolves and registers each contact of the order once, with the connection token', async () => {
    const { processor, seen } = setup({
      crmEvent,
      registrations: {
        eventbriteEventId: 'ev1',
        orderId: '42',
        contacts: [
          { email: 'ann@example.com', name: 'Ann', phone: null },
          { email: 'bob@example.com', name: null, phone: '+1555' },
        ],
        skipped: 1,
      },
    });
    const outcome = await processor.process(
      webhook('eventbrite', notification, 'order.placed'),
      eventbrite(),
      null,
    );
    expect(outcome).toMatchObject({
      status: 'succeeded',
      purchases: [],
      note: expect.stringContaining('1 attendee'),
    });
    expect(seen.fetched).toEqual([
      { notification: { action: 'order.placed', apiUrl: `${API}orders/42/` }, token: 'token-1' },
    ]);
    expect(seen.resolved.map((r) => [r.tableId, r.contact.email])).toEqual([
      [tableId, 'ann@example.com'],
      [tableId, 'bob@example.com'],
    ]);
    expect(seen.registered).toEqual([
      {
        eventId: crmEvent.id,
        entryId: expect.any(String),
        email: 'ann@example.com',
        tableId,
        externalOrderId: '42',
      },
      {
        eventId: crmEvent.id,
        entryId: expect.any(String),
        email: 'bob@example.com',
        tableId,
        externalOrderId: '42',
      },
    ]);
  });

  it('ignores an order of an event no CRM event is linked to', async () => {
    const { processor, seen } = setup({
      crmEvent: null,
      registrations: { eventbriteEventId: 'ev9', orderId: '1', contacts: [], skipped: 0 },
    });
    expect(
      await processor.process(webhook('eventbrite', notification, 'order.placed'), eventbrite(), null),
    ).toEqual({
      status: 'ignored',
      reason: 'no CRM event is linked to Eventbrite event ev9',
    });
    expect(seen.resolved).toEqual([]);
  });
});

import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Subscription } from 'nats';
import {
  COMMANDS,
  INTEGRATION_LIMITS,
  uuidv7,
  type CommandName,
  type IntegrationsWebhookReceiveCommand,
} from '@rocketlead/contracts';
import { withContext } from '@rocketlead/testing';
import { answerCommand, startIngress, type IngressUnderTest, type StandInAnswer } from './support';

const UNKNOWN_ID = uuidv7();
const LIMIT = INTEGRATION_LIMITS.webhookBodyBytes;

const CONNECT_COMMANDS = [
  COMMANDS.integrationsConnectStripe,
  COMMANDS.integrationsConnectEventbrite,
  COMMANDS.integrationsList,
  COMMANDS.integrationsGet,
  COMMANDS.integrationsUpdate,
  COMMANDS.integrationsDelete,
  COMMANDS.integrationsDeliveries,
  COMMANDS.productsCreate,
  COMMANDS.productsList,
  COMMANDS.productsGet,
  COMMANDS.productsUpdate,
  COMMANDS.productsDelete,
  COMMANDS.crmEventsCreate,
  COMMANDS.crmEventsList,
  COMMANDS.crmEventsGet,
  COMMANDS.crmEventsUpdate,
  COMMANDS.crmEventsDelete,
  COMMANDS.registrationsList,
] as const;
const LISTS: readonly CommandName[] = [
  COMMANDS.integrationsList,
  COMMANDS.integrationsDeliveries,
  COMMANDS.productsList,
  COMMANDS.crmEventsList,
  COMMANDS.registrationsList,
];

// The Connect routes of integrations, products and CRM events and the public provider webhooks, with ingress
// in process and integrations' and calendar's side answered by stand-ins on the real NATS namespace.
describe('integration, product and CRM event routes (real Postgres and NATS; services answered by stand-ins)', () => {
  let ingress: IngressUnderTest;
  let organizationId: string;
  let admin: string;
  let writer: string;
  let reader: string;
  const subscriptions: Subscription[] = [];
  const received: [string, Record<string, unknown>][] = [];
  const webhooks: IntegrationsWebhookReceiveCommand[] = [];

  const token = async (scopes: string[]): Promise<string> =>
    (await ingress.call('POST', '/connect/api_tokens', admin, { name: scopes.join('+'), scopes })).body
      .token as string;

  /** A public webhook post, its body and headers exactly as given. */
  const post = (
    url: string,
    payload: string | undefined,
    headers: Record<string, string> = {},
  ): ReturnType<IngressUnderTest['app']['inject']> =>
    ingress.app.inject({ method: 'POST', url, headers, ...(payload !== undefined ? { payload } : {}) });

  beforeAll(async () => {
    ingress = await startIngress('ingressintg', []);
    ({ organizationId, token: admin } = await ingress.bootstrap('Shop Inc'));
    writer = await token(['write']);
    reader = await token(['read']);
    for (const command of CONNECT_COMMANDS)
      subscriptions.push(
        answerCommand(ingress, command, (payload: Record<string, unknown>): StandInAnswer => {
          received.push([command, payload]);
          if (payload.id === UNKNOWN_ID) return { error: 'NOT_FOUND', message: 'Not found' };
          if (LISTS.includes(command)) return { result: { items: [{ id: 'x' }], nextCursor: 'next' } };
          return { result: { id: payload.id ?? uuidv7(), echo: command } };
        }),
      );
    subscriptions.push(
      answerCommand(
        ingress,
        COMMANDS.integrationsWebhookReceive,
        (payload: IntegrationsWebhookReceiveCommand) => {
          webhooks.push(payload);
          if (payload.connectionId === UNKNOWN_ID)
            return { error: 'NOT_FOUND', message: 'Integration not found' };
          if (payload.signature === 'bad')
            return {
              error: 'BAD_REQUEST',
              message: 'The Stripe signature does not match',
              details: { field: 'Stripe-Signature' },
            };
          return { result: { status: 'accepted', deliveryId: '0190f1e2-0000-7000-8000-00000000d001' } };
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
    received.length = 0;
    webhooks.length = 0;
  });

  describe('Connect API', () => {
    it('connects Stripe and Eventbrite (201), lists, reads, deletes (204) and pages deliveries', async () => {
      const tableId = uuidv7();
      const id = uuidv7();
      const stripe = await ingress.call('POST', '/connect/integrations/stripe', admin, {
        tableId,
        webhookSecret: 'whsec_abc',
        apiKey: 'rk_test_1',
      });
      expect(stripe.status).toBe(201);
      expect(
        (await ingress.call('POST', '/connect/integrations/stripe', admin, { tableId, webhookSecret: 'w' }))
          .status,
      ).toBe(201);
      const eventbrite = await ingress.call('POST', '/connect/integrations/eventbrite', admin, {
        tableId,
        apiToken: 'eb-token',
      });
      expect(eventbrite.status).toBe(201);
      expect(await ingress.call('GET', '/connect/integrations', reader)).toEqual({
        status: 200,
        body: { items: [{ id: 'x' }], nextCursor: 'next' },
      });
      expect(
        (await ingress.call('GET', '/connect/integrations?limit=5&cursor=c1&provider=stripe', reader)).status,
      ).toBe(200);
      expect((await ingress.call('GET', `/connect/integrations/${id}`, reader)).status).toBe(200);
      expect(
        (
          await ingress.call('PATCH', `/connect/integrations/${id}`, admin, {
            webhookSecret: 'whsec_new',
            apiKey: null,
          })
        ).status,
      ).toBe(200);
      const refused = await ingress.call('PATCH', `/connect/integrations/${id}`, admin, {
        webhookSecret: '',
      });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain('webhookSecret');
      expect(await ingress.call('DELETE', `/connect/integrations/${id}`, admin)).toEqual({
        status: 204,
        body: {},
      });
      expect(
        (await ingress.call('GET', `/connect/integrations/${id}/deliveries?limit=2&cursor=c2`, reader))
          .status,
      ).toBe(200);
      expect((await ingress.call('GET', `/connect/integrations/${id}/deliveries`, reader)).status).toBe(200);

      const traceparent = expect.any(String);
      expect(received).toEqual([
        [
          COMMANDS.integrationsConnectStripe,
          { organizationId, tableId, webhookSecret: 'whsec_abc', apiKey: 'rk_test_1', traceparent },
        ],
        [COMMANDS.integrationsConnectStripe, { organizationId, tableId, webhookSecret: 'w', traceparent }],
        [
          COMMANDS.integrationsConnectEventbrite,
          { organizationId, tableId, apiToken: 'eb-token', traceparent },
        ],
        [COMMANDS.integrationsList, { organizationId, limit: 50 }],
        [COMMANDS.integrationsList, { organizationId, limit: 5, cursor: 'c1', provider: 'stripe' }],
        [COMMANDS.integrationsGet, { organizationId, id }],
        [
          COMMANDS.integrationsUpdate,
          { organizationId, id, webhookSecret: 'whsec_new', apiKey: null, traceparent },
        ],
        [COMMANDS.integrationsDelete, { organizationId, id }],
        [COMMANDS.integrationsDeliveries, { organizationId, id, limit: 2, cursor: 'c2' }],
        [COMMANDS.integrationsDeliveries, { organizationId, id, limit: 50 }],
      ]);
    });

    it('creates (201), lists, reads, changes (only the fields given, null included) and deletes (204) products', async () => {
      const id = uuidv7();
      const created = await ingress.call('POST', '/connect/products', admin, {
        name: 'Course',
        stripePriceId: 'price_1',
        stripeProductId: null,
      });
      expect(created.status).toBe(201);
      expect((await ingress.call('GET', '/connect/products?limit=100&cursor=p', reader)).status).toBe(200);
      expect((await ingress.call('GET', `/connect/products/${id}`, reader)).status).toBe(200);
      expect(
        (await ingress.call('PATCH', `/connect/products/${id}`, admin, { stripePriceId: null })).status,
      ).toBe(200);
      expect((await ingress.call('DELETE', `/connect/products/${id}`, admin)).status).toBe(204);
      const traceparent = expect.any(String);
      expect(received).toEqual([
        [
          COMMANDS.productsCreate,
          { organizationId, name: 'Course', stripePriceId: 'price_1', stripeProductId: null, traceparent },
        ],
        [COMMANDS.productsList, { organizationId, limit: 100, cursor: 'p' }],
        [COMMANDS.productsGet, { organizationId, id }],
        [COMMANDS.productsUpdate, { organizationId, id, stripePriceId: null, traceparent }],
        [COMMANDS.productsDelete, { organizationId, id }],
      ]);
    });

    it('creates (201), lists, reads, changes and deletes (204) CRM events as the token, and pages registrations', async () => {
      const id = uuidv7();
      const tableId = uuidv7();
      const body = { name: 'Launch', tableId, startsAt: '2030-01-01T18:00:00+01:00', capacity: 2 };
      expect((await ingress.call('POST', '/connect/events', admin, body)).status).toBe(201);
      expect((await ingress.call('GET', '/connect/events?limit=1', reader)).status).toBe(200);
      expect((await ingress.call('GET', `/connect/events/${id}`, reader)).status).toBe(200);
      const patch = { capacity: null, eventbriteEventId: '123' };
      expect((await ingress.call('PATCH', `/connect/events/${id}`, admin, patch)).status).toBe(200);
      expect((await ingress.call('DELETE', `/connect/events/${id}`, admin)).status).toBe(204);
      expect(
        (
          await ingress.call(
            'GET',
            `/connect/events/${id}/registrations?status=cancelled&limit=3&cursor=r`,
            reader,
          )
        ).status,
      ).toBe(200);
      expect((await ingress.call('GET', `/connect/events/${id}/registrations`, reader)).status).toBe(200);

      const actor = {
        organizationId,
        channel: 'connect_api',
        apiTokenId: expect.any(String),
        memberId: null,
        correlationId: expect.any(String),
        traceparent: expect.any(String),
      };
      expect(received).toEqual([
        [COMMANDS.crmEventsCreate, { actor, ...body }],
        [COMMANDS.crmEventsList, { organizationId, limit: 1 }],
        [COMMANDS.crmEventsGet, { organizationId, id }],
        [COMMANDS.crmEventsUpdate, { actor, id, ...patch }],
        [COMMANDS.crmEventsDelete, { actor, id }],
        [COMMANDS.registrationsList, { organizationId, id, limit: 3, cursor: 'r', status: 'cancelled' }],
        [COMMANDS.registrationsList, { organizationId, id, limit: 50 }],
      ]);
    });

    it('refuses bad bodies, ids and paging or filter values with a 400 naming the field, forwarding nothing', async () => {
      const cases: [string, string, unknown, string][] = [
        ['POST', '/connect/integrations/stripe', { tableId: uuidv7() }, 'webhookSecret'],
        ['POST', '/connect/integrations/stripe', { tableId: 'x', webhookSecret: 'w' }, 'tableId'],
        ['POST', '/connect/integrations/eventbrite', { tableId: uuidv7(), apiToken: '' }, 'apiToken'],
        ['POST', '/connect/integrations/eventbrite', { tableId: uuidv7(), apiToken: 't', extra: 1 }, 'extra'],
        ['GET', '/connect/integrations?provider=paypal', undefined, 'provider'],
        ['GET', '/connect/integrations?limit=101', undefined, 'limit'],
        ['GET', '/connect/products?limit=0', undefined, 'limit'],
        ['GET', `/connect/integrations/${uuidv7()}/deliveries?limit=x`, undefined, 'limit'],
        ['GET', '/connect/integrations/not-a-uuid', undefined, 'id'],
        ['POST', '/connect/products', { name: '' }, 'name'],
        ['PATCH', `/connect/products/${uuidv7()}`, { stripePriceId: 5 }, 'stripePriceId'],
        ['POST', '/connect/events', { name: 'x', tableId: uuidv7() }, 'startsAt'],
        ['PATCH', `/connect/events/${uuidv7()}`, { capacity: 0 }, 'capacity'],
        ['GET', `/connect/events/${uuidv7()}/registrations?status=all`, undefined, 'status'],
        ['DELETE', '/connect/events/1', undefined, 'id'],
      ];
      for (const [method, url, body, field] of cases) {
        const res = await ingress.call(method, url, admin, body);
        withContext(`${method} ${url}`, () => {
          expect(res.status).toBe(400);
          expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
        });
      }
      expect(received).toEqual([]);
    });

    it("passes the services' 404 on", async () => {
      for (const url of [
        `/connect/integrations/${UNKNOWN_ID}`,
        `/connect/integrations/${UNKNOWN_ID}/deliveries`,
        `/connect/products/${UNKNOWN_ID}`,
        `/connect/events/${UNKNOWN_ID}`,
        `/connect/events/${UNKNOWN_ID}/registrations`,
      ])
        expect({ url, status: (await ingress.call('GET', url, reader)).status }).toEqual({
          url,
          status: 404,
        });
      expect((await ingress.call('DELETE', `/connect/products/${UNKNOWN_ID}`, admin)).status).toBe(404);
    });

    it('needs a token; read (or write) tokens read but cannot create, change or delete', async () => {
      const id = uuidv7();
      const changes: [string, string, unknown][] = [
        ['POST', '/connect/integrations/stripe', { tableId: uuidv7(), webhookSecret: 'w' }],
        ['POST', '/connect/integrations/eventbrite', { tableId: uuidv7(), apiToken: 't' }],
        ['PATCH', `/connect/integrations/${id}`, { apiToken: 't2' }],
        ['DELETE', `/connect/integrations/${id}`, undefined],
        ['POST', '/connect/products', { name: 'p' }],
        ['PATCH', `/connect/products/${id}`, { name: 'q' }],
        ['DELETE', `/connect/products/${id}`, undefined],
        ['POST', '/connect/events', { name: 'e', tableId: uuidv7(), startsAt: '2030-01-01T00:00:00Z' }],
        ['PATCH', `/connect/events/${id}`, { name: 'f' }],
        ['DELETE', `/connect/events/${id}`, undefined],
      ];
      const reads = [
        '/connect/integrations',
        `/connect/integrations/${id}`,
        `/connect/integrations/${id}/deliveries`,
        '/connect/products',
        `/connect/products/${id}`,
        '/connect/events',
        `/connect/events/${id}`,
        `/connect/events/${id}/registrations`,
      ];
      for (const [method, url, body] of changes) {
        expect({ method, url, status: (await ingress.call(method, url, undefined, body)).status }).toEqual({
          method,
          url,
          status: 401,
        });
        for (const weaker of [reader, writer]) {
          const res = await ingress.call(method, url, weaker, body);
          withContext(`${method} ${url}`, () =>
            expect(res).toMatchObject({ status: 403, body: { requiredScope: 'admin' } }),
          );
        }
      }
      for (const url of reads) {
        expect({ url, status: (await ingress.call('GET', url, undefined)).status }).toEqual({
          url,
          status: 401,
        });
        expect({ url, status: (await ingress.call('GET', url, reader)).status }).toEqual({
          url,
          status: 200,
        });
      }
      expect(received.map(([command]) => command)).toHaveLength(reads.length);
    });
  });

  describe('provider webhooks', () => {
    const stripeUrl = (id: string): string => `/public/integrations/stripe/${id}`;
    const eventbriteUrl = (id: string): string => `/public/integrations/eventbrite/${id}`;

    it('forwards the raw body byte for byte with the Stripe-Signature header, answering 200 without a token', async () => {
      const connectionId = uuidv7();
      // Whitespace, key order, a number JSON.parse would change, unicode (BMP and astral) and a trailing CRLF.
      const body =
        '{\n  "id": "evt_1",\t"object" : "event", "amount": 1.50,\n  "name": "Zo\u00eb \u2713 \ud83d\ude00" }\r\n';
      const res = await post(stripeUrl(connectionId), body, {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': 't=1700000000,v1=abc,v0=def',
        'x-request-id': 'req-stripe-1',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'accepted', deliveryId: '0190f1e2-0000-7000-8000-00000000d001' });
      expect(webhooks).toEqual([
        {
          provider: 'stripe',
          connectionId,
          body,
          signature: 't=1700000000,v1=abc,v0=def',
          request: { correlationId: 'req-stripe-1', traceparent: expect.any(String) },
        },
      ]);
      expect(Buffer.from(webhooks[0]!.body, 'utf8').equals(Buffer.from(body, 'utf8'))).toBe(true);
    });

    it('takes any content type (or none) and bodies the JSON parser would refuse, unparsed', async () => {
      const connectionId = uuidv7();
      const cases: [Record<string, string>, string][] = [
        [{ 'content-type': 'text/plain' }, 'plain \u00e9 text'],
        [{ 'content-type': 'application/x-www-form-urlencoded' }, 'a=b&c=%20d+e'],
        [{ 'content-type': 'application/octet-stream' }, 'bytes'],
        [{ 'content-type': 'application/json' }, '{"__proto__": {"x": 1}, "a": "\\u0000"}'],
        [{ 'content-type': 'application/json' }, '{not json'],
        [{}, '{"no":"type"}'],
      ];
      for (const [headers, body] of cases) {
        const res = await post(stripeUrl(connectionId), body, { 'stripe-signature': 's', ...headers });
        expect({ headers, status: res.statusCode }).toEqual({ headers, status: 200 });
      }
      expect(webhooks.map((w) => w.body)).toEqual(cases.map(([, body]) => body));
      // A post without a body forwards an empty one (integrations refuses its signature).
      expect((await post(stripeUrl(connectionId), undefined, { 'stripe-signature': 's' })).statusCode).toBe(
        200,
      );
      expect(webhooks.at(-1)?.body).toBe('');
    });

    it('forwards a null signature when the header is absent, and for Eventbrite always', async () => {
      const connectionId = uuidv7();
      expect(
        (await post(stripeUrl(connectionId), '{}', { 'content-type': 'application/json' })).statusCode,
      ).toBe(200);
      const eventbriteBody =
        '{"config":{"action":"order.placed"},"api_url":"https://www.eventbriteapi.com/v3/orders/1/"}';
      const eventbrite = await post(eventbriteUrl(connectionId), eventbriteBody, {
        'content-type': 'application/json',
        'stripe-signature': 'ignored',
      });
      expect(eventbrite.statusCode).toBe(200);
      expect(webhooks).toEqual([
        expect.objectContaining({ provider: 'stripe', connectionId, body: '{}', signature: null }),
        expect.objectContaining({
          provider: 'eventbrite',
          connectionId,
          body: eventbriteBody,
          signature: null,
        }),
      ]);
    });

    it(`refuses a body over ${LIMIT} bytes with 413 (whatever its type), forwarding nothing`, async () => {
      const connectionId = uuidv7();
      // Multi-byte characters: the limit counts bytes, not characters.
      const atLimit = `"${'\u00e9'.repeat((LIMIT - 2) / 2)}"`;
      expect(Buffer.byteLength(atLimit)).toBe(LIMIT);
      const accepted = await post(stripeUrl(connectionId), atLimit, { 'content-type': 'application/json' });
      expect(accepted.statusCode).toBe(200);
      expect(webhooks.map((w) => w.body)).toEqual([atLimit]);
      for (const type of ['application/json', 'text/plain']) {
        for (const url of [stripeUrl(connectionId), eventbriteUrl(connectionId)]) {
          const res = await post(url, `${atLimit} `, { 'content-type': type, 'stripe-signature': 's' });
          expect({ type, url, status: res.statusCode }).toEqual({ type, url, status: 413 });
          expect(res.json()).toMatchObject({ statusCode: 413, field: '(body)', limit: LIMIT });
        }
      }
      expect(webhooks).toHaveLength(1);
    });

    it('refuses with 413 a body that would outgrow one NATS message once encoded (escaped characters), forwarding nothing', async () => {
      // 200 KiB raw, but every control character becomes a six-byte escape inside the command's JSON.
      const escaped = '\u0001'.repeat(200 * 1024);
      const res = await post(stripeUrl(uuidv7()), escaped, { 'content-type': 'text/plain' });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({
        statusCode: 413,
        message: 'Webhook body too large once encoded for forwarding',
      });
      expect(webhooks).toEqual([]);
    });

    it('answers 404 for a connection id that is no UUID (forwarding nothing) or unknown, and 400 for a bad signature', async () => {
      for (const url of [stripeUrl('not-a-uuid'), eventbriteUrl('123'), stripeUrl(`${uuidv7()}x`)]) {
        const res = await post(url, '{}', { 'content-type': 'application/json', 'stripe-signature': 's' });
        expect({ url, status: res.statusCode }).toEqual({ url, status: 404 });
        expect(res.json()).toMatchObject({ statusCode: 404, message: 'Integration not found' });
      }
      expect(webhooks).toEqual([]);
      const unknown = await post(stripeUrl(UNKNOWN_ID), '{}', { 'content-type': 'application/json' });
      expect(unknown.statusCode).toBe(404);
      const bad = await post(stripeUrl(uuidv7()), '{}', {
        'content-type': 'application/json',
        'stripe-signature': 'bad',
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({
        statusCode: 400,
        message: 'The Stripe signature does not match',
        field: 'Stripe-Signature',
      });
    });

    it('leaves the other routes JSON-only', async () => {
      const res = await ingress.call('POST', '/connect/products', admin, 'name=x', {
        'content-type': 'text/plain',
      });
      expect(res).toMatchObject({ status: 400, body: { field: 'Content-Type' } });
      const formRoute = await post(`/public/forms/${uuidv7()}`, 'x', { 'content-type': 'text/plain' });
      expect(formRoute.statusCode).toBe(400);
      expect(received).toEqual([]);
    });
  });
});

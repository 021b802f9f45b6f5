import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COMMANDS, uuidv7 } from '@rocketlead/contracts';
import { commandSender, eventually, type CommandSender } from '@rocketlead/testing';
import {
  FakeLeads,
  Receiver,
  actorOf,
  deliveryRequest,
  entryAdded,
  publishEvent,
  startDelivery,
  type DeliveryUnderTest,
} from './support';

const LEADS = 15;

// A path that holds a connection while asking the pool for another waits out the connect timeout once every
// connection is held that way. With one connection, such a path in delivery (intake of events and requests,
// attempts, retries, outcomes and the relay) stalls this burst instead of passing.
describe('delivery on a pool of one connection (real Postgres and NATS, a local receiver)', () => {
  let delivery: DeliveryUnderTest;
  let send: CommandSender;
  let leads: FakeLeads;
  let receiver: Receiver;

  beforeAll(async () => {
    delivery = await startDelivery('deliv-one-conn', {
      DB_POOL_SIZE: '1',
      DELIVERY_RETRY_SCHEDULE: '1s,1s',
      DELIVERY_ALLOWED_CIDRS: '127.0.0.1/32',
    });
    send = commandSender(delivery.nc, delivery.names);
    leads = new FakeLeads(delivery.nc, delivery.names);
    // Every other delivery fails its first attempt and is retried.
    const seen = new Set<string>();
    receiver = await Receiver.start((request) => {
      const key = `${request.url} ${request.body}`;
      if (seen.has(key)) return { status: 200 };
      seen.add(key);
      return { status: seen.size % 2 === 0 ? 500 : 200 };
    });
  }, 120_000);

  afterAll(async () => {
    leads?.stop();
    await receiver?.stop();
    await delivery?.stop();
  }, 60_000);

  it('delivers a burst of subscribed events and automation requests, retries included', async () => {
    expect(delivery.config.DB_POOL_SIZE).toBe(1);
    const org = uuidv7();
    await send(COMMANDS.endpointsCreate, {
      actor: actorOf(org),
      url: `${receiver.url}/subscribed`,
      eventTypes: ['table.entry.added'],
    });
    const entries = Array.from({ length: LEADS }, (_, i) => leads.add(org, { firstName: `Lead ${i}` }));
    await Promise.all(
      entries.flatMap((entry) => [
        publishEvent(delivery.nc, delivery.names, entryAdded(entry)),
        publishEvent(
          delivery.nc,
          delivery.names,
          deliveryRequest(org, {
            entryId: entry.id,
            webhook: {
              url: `${receiver.url}/requested`,
              endpointId: null,
              format: 'standard',
              body: { firstName: entry.data.firstName },
              eventType: 'table.entry.added',
            },
          }),
        ),
      ]),
    );

    for (const entry of entries) {
      const deliveries = await eventually(
        async () => {
          const page = await send(COMMANDS.entryDeliveries, {
            organizationId: org,
            entryId: entry.id,
            limit: 10,
          });
          return page.items.length === 2 && page.items.every((d) => d.status !== 'pending')
            ? page.items
            : undefined;
        },
        { timeoutMs: 60_000, message: `both deliveries of ${entry.id} finished` },
      );
      expect(deliveries.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);
    }
    // Some attempts failed and were retried: the burst went through the retry path too.
    expect(receiver.requests.length).toBeGreaterThan(LEADS * 2);
  });
});

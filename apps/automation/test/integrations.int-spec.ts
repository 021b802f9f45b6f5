import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  COMMANDS,
  CONSUMERS,
  DomainError,
  EVENT_REGISTRATION_CREATED,
  PRODUCT_PURCHASED,
  TRIGGER_STREAMS,
  createEvent,
  uuidv7,
  type Actor,
  type AutomationTrigger,
  type AutomationsCreateCommand,
  type CloudEvent,
  type CrmEvent,
  type EventRegistrationData,
  type Product,
  type ProductPurchasedData,
  type RegistrationSource,
  type TableEntry,
} from '@rocketlead/contracts';
import { commandSender, eventually, type CommandSender } from '@rocketlead/testing';
import { FakeCalendar } from './fake-calendar';
import { FakeIntegrations } from './fake-integrations';
import { FakeLeads, publishEvent, startAutomation, type AutomationUnderTest } from './support';

interface RunRow {
  automation_id: string;
  status: string;
  trigger_name: string | null;
  entry_id: string | null;
}

// Product and CRM event triggers end to end inside automation: automations created through its command (the
// validator asks the fake integrations for products and the fake calendar for CRM events over NATS),
// product.purchased and event.registration.created published on their streams as the owners' relays do, runs
// read from Postgres and the lead's timeline through activity.list.
describe('product purchase and event registration triggers (real Postgres and NATS, owners faked on NATS)', () => {
  let auto: AutomationUnderTest;
  let leads: FakeLeads;
  let calendar: FakeCalendar;
  let integrations: FakeIntegrations;
  let db: DataSource;
  let send: CommandSender;

  const actorOf = (organizationId: string, channel: Actor['channel'] = 'connect_api'): Actor => ({
    organizationId,
    channel,
    apiTokenId: channel === 'connect_api' ? uuidv7() : null,
    memberId: null,
    correlationId: uuidv7(),
    traceparent: null,
  });

  /** An active automation with no actions, created as the API does (validated against the owners). */
  const create = async (organizationId: string, name: string, trigger: AutomationTrigger): Promise<string> =>
    (
      await send(COMMANDS.automationsCreate, {
        actor: actorOf(organizationId),
        name,
        trigger,
        actions: [],
        status: 'active',
      } as AutomationsCreateCommand)
    ).id;

  const refusal = async (organizationId: string, trigger: AutomationTrigger): Promise<unknown> =>
    create(organizationId, 'Refused', trigger).then(
      () => 'created',
      (error: unknown) =>
        error instanceof DomainError ? { code: error.code, details: error.details } : error,
    );

  const runsOf = async (automationId: string): Promise<RunRow[]> =>
    (await db.query(`SELECT * FROM automation.runs WHERE automation_id = $1 ORDER BY started_at, id`, [
      automationId,
    ])) as RunRow[];

  const finishedRuns = (automationId: string, count = 1): Promise<RunRow[]> =>
    eventually(
      async () => {
        const runs = await runsOf(automationId);
        return runs.filter((r) => r.status !== 'running').length >= count ? runs : undefined;
      },
      { timeoutMs: 15_000, message: `${count} finished run(s) of ${automationId}` },
    );

  /** Every event published so far has been handled and acknowledged by automation's consumers. */
  const settled = async (): Promise<void> => {
    const jsm = await auto.nc.jetstreamManager();
    await eventually(
      async () => {
        for (const stream of TRIGGER_STREAMS) {
          const info = await jsm.consumers.info(
            auto.names.stream(stream).name,
            auto.names.consumer(CONSUMERS.automationEvents(stream)),
          );
          if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
        }
        return true;
      },
      { timeoutMs: 20_000, message: 'consumers settled' },
    );
  };

  const entryOf = (organizationId: string): TableEntry =>
    leads.addEntry(leads.addPool(organizationId, 'Customers', ['New']).pool, { email: 'lin@example.test' });

  /** product.purchased as integrations publishes it (channel integration). */
  const purchased = (entry: TableEntry, product: Product): CloudEvent<ProductPurchasedData> =>
    createEvent({
      type: PRODUCT_PURCHASED,
      source: '/integrations',
      subject: entry.id,
      data: {
        purchaseId: uuidv7(),
        productId: product.id,
        productName: product.name,
        entryId: entry.id,
        tableId: entry.tableId,
        amountTotal: 4900,
        currency: 'eur',
        stripeSessionId: `cs_test_${uuidv7()}`,
        connectionId: uuidv7(),
      },
      actor: actorOf(entry.organizationId, 'integration'),
    });

  /** event.registration.created as calendar publishes it, for an RSVP or an Eventbrite order. */
  const registered = (
    entry: TableEntry,
    crmEvent: CrmEvent,
    source: RegistrationSource,
  ): CloudEvent<EventRegistrationData> =>
    createEvent({
      type: EVENT_REGISTRATION_CREATED,
      source: '/calendar',
      subject: entry.id,
      data: {
        registrationId: uuidv7(),
        eventId: crmEvent.id,
        eventName: crmEvent.name,
        entryId: entry.id,
        tableId: entry.tableId,
        source,
      },
      actor: actorOf(entry.organizationId, source === 'rsvp' ? 'form' : 'integration'),
    });

  beforeAll(async () => {
    auto = await startAutomation('integrations');
    leads = FakeLeads.start(auto.nc, auto.names);
    calendar = FakeCalendar.start(auto.nc, auto.names);
    integrations = FakeIntegrations.start(auto.nc, auto.names);
    db = auto.app.get(DataSource);
    send = commandSender(auto.nc, auto.names);
  }, 120_000);

  afterAll(async () => {
    leads?.stop();
    calendar?.stop();
    integrations?.stop();
    await auto?.stop();
  }, 120_000);

  it("refuses another organization's product or CRM event as the triggerId, naming trigger.triggerId", async () => {
    const org = uuidv7();
    const other = uuidv7();
    const theirProduct = integrations.addProduct(other, 'Theirs');
    const theirEvent = calendar.addCrmEvent(other, 'Their summit', uuidv7());
    const refused = (message: string) => ({
      code: 'VALIDATION_FAILED',
      details: { errors: [{ field: 'trigger.triggerId', message }] },
    });
    expect(await refusal(org, { event: PRODUCT_PURCHASED, triggerId: theirProduct.id })).toEqual(
      refused('must be a product of this organization'),
    );
    expect(await refusal(org, { event: EVENT_REGISTRATION_CREATED, triggerId: theirEvent.id })).toEqual(
      refused('must be an event of this organization'),
    );
    // An event's id is no product's, and the other way round.
    expect(await refusal(other, { event: PRODUCT_PURCHASED, triggerId: theirEvent.id })).toEqual(
      refused('must be a product of this organization'),
    );
    // The same ids are accepted for their own organization.
    await expect(
      create(other, 'Bought', { event: PRODUCT_PURCHASED, triggerId: theirProduct.id }),
    ).resolves.toEqual(expect.any(String));
    await expect(
      create(other, 'Registered', { event: EVENT_REGISTRATION_CREATED, triggerId: theirEvent.id }),
    ).resolves.toEqual(expect.any(String));
  });

  it('runs the automation of the product bought, named after the product, and shows the purchase on the timeline', async () => {
    const org = uuidv7();
    const masterclass = integrations.addProduct(org, 'Masterclass');
    const ebook = integrations.addProduct(org, 'E-book');
    const onMasterclass = await create(org, 'Onboard', {
      event: PRODUCT_PURCHASED,
      triggerId: masterclass.id,
    });
    const onEbook = await create(org, 'Send e-book', { event: PRODUCT_PURCHASED, triggerId: ebook.id });
    const anyProduct = await create(org, 'Any purchase', { event: PRODUCT_PURCHASED });
    const entry = entryOf(org);

    await publishEvent(auto.nc, auto.names, purchased(entry, masterclass));
    const [run] = await finishedRuns(onMasterclass);
    expect(run).toMatchObject({ status: 'completed', trigger_name: 'Masterclass', entry_id: entry.id });
    const [any] = await finishedRuns(anyProduct);
    expect(any).toMatchObject({ status: 'completed', trigger_name: 'Masterclass' });
    await settled();
    expect(await runsOf(onEbook)).toEqual([]);

    const { items } = await send(COMMANDS.activityList, {
      organizationId: org,
      entryId: entry.id,
      limit: 100,
      types: [PRODUCT_PURCHASED],
    });
    expect(items).toEqual([
      expect.objectContaining({
        type: PRODUCT_PURCHASED,
        summary: 'Bought Masterclass',
        channel: 'integration',
      }),
    ]);
  });

  it('runs one CRM event automation for RSVPs and Eventbrite orders alike, named after the event', async () => {
    const org = uuidv7();
    const entry = entryOf(org);
    const summit = calendar.addCrmEvent(org, 'Spring Summit', entry.tableId);
    const webinar = calendar.addCrmEvent(org, 'Webinar', entry.tableId);
    const onSummit = await create(org, 'Welcome', {
      event: EVENT_REGISTRATION_CREATED,
      triggerId: summit.id,
    });
    const onWebinar = await create(org, 'Webinar', {
      event: EVENT_REGISTRATION_CREATED,
      triggerId: webinar.id,
    });

    await publishEvent(auto.nc, auto.names, registered(entry, summit, 'rsvp'));
    const [rsvp] = await finishedRuns(onSummit);
    expect(rsvp).toMatchObject({ status: 'completed', trigger_name: 'Spring Summit', entry_id: entry.id });
    const other = entryOf(org);
    await publishEvent(auto.nc, auto.names, registered(other, summit, 'eventbrite'));
    const runs = await finishedRuns(onSummit, 2);
    expect(runs.map((r) => [r.status, r.trigger_name, r.entry_id])).toEqual([
      ['completed', 'Spring Summit', entry.id],
      ['completed', 'Spring Summit', other.id],
    ]);
    await settled();
    expect(await runsOf(onWebinar)).toEqual([]);

    const { items } = await send(COMMANDS.activityList, {
      organizationId: org,
      entryId: other.id,
      limit: 100,
      types: [EVENT_REGISTRATION_CREATED],
    });
    expect(items.map((item) => item.summary)).toEqual(['Registered for Spring Summit (Eventbrite)']);
  });
});

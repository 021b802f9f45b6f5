import { describe, expect, it } from '@jest/globals';
import { uuidv7, type Pipeline } from '@rocketlead/contracts';
import type { JsonLogger } from '@rocketlead/observability';
import type { CalendarGateway, IntegrationsGateway, LeadsGateway } from '../gateways';
import { TriggerNames } from './trigger-names';

describe('TriggerNames', () => {
  const org = uuidv7();
  let lookups = 0;
  const leads = {
    pool: () => {
      lookups += 1;
      return Promise.resolve({ name: 'Inbound' });
    },
    tag: () => {
      lookups += 1;
      return Promise.resolve({ name: 'looked up' });
    },
  } as unknown as LeadsGateway;
  const names = new TriggerNames(leads, {} as CalendarGateway, {} as IntegrationsGateway, {} as JsonLogger);
  const tagData = { entryId: uuidv7(), tableId: uuidv7(), tagId: uuidv7(), tagName: 'VIP' };

  it('names a tag trigger by the name its event carries, without a lookup', async () => {
    lookups = 0;
    await expect(names.resolve(org, { type: 'table.entry.tag.applied', data: tagData })).resolves.toBe('VIP');
    await expect(names.resolve(org, { type: 'table.entry.tag.removed', data: tagData })).resolves.toBe('VIP');
    expect(lookups).toBe(0);
  });

  it('falls back to the tag id when the event carries no name', async () => {
    const data = { ...tagData, tagName: '' };
    await expect(names.resolve(org, { type: 'table.entry.tag.applied', data })).resolves.toBe(tagData.tagId);
  });

  it("names a birthday trigger by the scope's fixed name, without a lookup", async () => {
    lookups = 0;
    const data = { entryId: uuidv7(), tableId: uuidv7(), date: '2027-02-28' };
    await expect(names.resolve(org, { type: 'table.entry.birthday', data })).resolves.toBe(
      "Contact's Birthday",
    );
    expect(lookups).toBe(0);
  });

  it('still names the pool of the other contact events by looking it up', async () => {
    lookups = 0;
    const data = { entryId: uuidv7(), tableId: uuidv7(), from: null, to: uuidv7() };
    await expect(names.resolve(org, { type: 'table.entry.assigned', data })).resolves.toBe('Inbound');
    expect(lookups).toBe(1);
  });
});

describe('TriggerNames of purchases and registrations', () => {
  const org = uuidv7();
  let lookups = 0;
  const lookup = () => {
    lookups += 1;
    return Promise.resolve({ name: 'looked up' });
  };
  const names = new TriggerNames(
    {} as LeadsGateway,
    { crmEvent: lookup } as unknown as CalendarGateway,
    { product: lookup } as unknown as IntegrationsGateway,
    { event: () => undefined } as unknown as JsonLogger,
  );
  const purchase = {
    purchaseId: uuidv7(),
    productId: uuidv7(),
    productName: 'Masterclass',
    entryId: uuidv7(),
    tableId: uuidv7(),
    amountTotal: 4900,
    currency: 'eur',
    stripeSessionId: 'cs_test_1',
    connectionId: uuidv7(),
  };
  const registration = {
    registrationId: uuidv7(),
    eventId: uuidv7(),
    eventName: 'Spring Summit',
    entryId: uuidv7(),
    tableId: uuidv7(),
    source: 'eventbrite',
  };

  it('names a product trigger by the product name its event carries, without a lookup', async () => {
    lookups = 0;
    await expect(names.resolve(org, { type: 'product.purchased', data: purchase })).resolves.toBe(
      'Masterclass',
    );
    expect(lookups).toBe(0);
  });

  it('names a CRM event trigger by the event name, whatever the source, without a lookup', async () => {
    lookups = 0;
    for (const source of ['rsvp', 'eventbrite'])
      await expect(
        names.resolve(org, { type: 'event.registration.created', data: { ...registration, source } }),
      ).resolves.toBe('Spring Summit');
    expect(lookups).toBe(0);
  });

  it('falls back to the product or event id when the event carries no name', async () => {
    await expect(
      names.resolve(org, { type: 'product.purchased', data: { ...purchase, productName: '' } }),
    ).resolves.toBe(purchase.productId);
    await expect(
      names.resolve(org, { type: 'event.registration.created', data: { ...registration, eventName: '' } }),
    ).resolves.toBe(registration.eventId);
  });
});

describe('TriggerNames of deal events', () => {
  const org = uuidv7();
  const pipeline: Pipeline = {
    id: uuidv7(),
    name: 'Sales',
    stages: [
      { id: uuidv7(), name: 'Qualified', position: 0 },
      { id: uuidv7(), name: 'Proposal', position: 1 },
    ],
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  };
  const calls: string[] = [];
  // Only this organization's pipeline exists; a lookup of another id or organization finds nothing.
  const leads = {
    pipeline: (organizationId: string, id: string) => {
      calls.push(`pipeline:${id}`);
      return Promise.resolve(organizationId === org && id === pipeline.id ? pipeline : null);
    },
    pipelineByStage: (organizationId: string, stageId: string) => {
      calls.push(`stage:${stageId}`);
      const found = organizationId === org && pipeline.stages.some((s) => s.id === stageId);
      return Promise.resolve(found ? pipeline : null);
    },
  } as unknown as LeadsGateway;
  const names = new TriggerNames(
    leads,
    {} as CalendarGateway,
    {} as IntegrationsGateway,
    { event: () => undefined } as unknown as JsonLogger,
  );
  const stageEvent = (stageId: string) => ({
    type: 'deal.stage.changed',
    data: { dealId: uuidv7(), entryId: uuidv7(), pipelineId: pipeline.id, stageId, fromStageId: uuidv7() },
  });
  const statusEvent = (pipelineId: string, status: 'won' | 'lost') => ({
    type: 'deal.status.changed',
    data: { dealId: uuidv7(), entryId: uuidv7(), pipelineId, status },
  });

  it('names a stage trigger "<Pipeline>: <Stage>"', async () => {
    await expect(names.resolve(org, stageEvent(pipeline.stages[1]!.id))).resolves.toBe('Sales: Proposal');
    await expect(names.resolve(org, stageEvent(pipeline.stages[0]!.id))).resolves.toBe('Sales: Qualified');
  });

  it('names a status trigger "<Pipeline>: Won" or "<Pipeline>: Lost", looking each up once', async () => {
    calls.length = 0;
    await expect(names.resolve(org, statusEvent(pipeline.id, 'won'))).resolves.toBe('Sales: Won');
    await expect(names.resolve(org, statusEvent(pipeline.id, 'lost'))).resolves.toBe('Sales: Lost');
    await expect(names.resolve(org, statusEvent(pipeline.id, 'won'))).resolves.toBe('Sales: Won');
    expect(calls).toEqual([`pipeline:${pipeline.id}`, `pipeline:${pipeline.id}`]);
  });

  it('falls back to the (composite) id when the pipeline or stage is not found', async () => {
    const stageId = uuidv7();
    await expect(names.resolve(org, stageEvent(stageId))).resolves.toBe(stageId);
    const otherPipeline = uuidv7();
    await expect(names.resolve(org, statusEvent(otherPipeline, 'lost'))).resolves.toBe(
      `${otherPipeline}_lost`,
    );
    // Another organization's view of the same pipeline: not its object, so no name.
    await expect(names.resolve(uuidv7(), statusEvent(pipeline.id, 'won'))).resolves.toBe(
      `${pipeline.id}_won`,
    );
  });
});

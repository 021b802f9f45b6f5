import { describe, expect, it } from '@jest/globals';
import { uuidv7 } from '@rocketlead/contracts';
import type { JsonLogger } from '@rocketlead/observability';
import type { CalendarGateway, LeadsGateway } from '../gateways';
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
  const names = new TriggerNames(leads, {} as CalendarGateway, {} as JsonLogger);
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

  it('still names the pool of the other contact events by looking it up', async () => {
    lookups = 0;
    const data = { entryId: uuidv7(), tableId: uuidv7(), from: null, to: uuidv7() };
    await expect(names.resolve(org, { type: 'table.entry.assigned', data })).resolves.toBe('Inbound');
    expect(lookups).toBe(1);
  });
});

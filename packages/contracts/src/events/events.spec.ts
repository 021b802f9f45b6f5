import { describe, expect, it } from '@jest/globals';
import { createEvent, validateEvent } from './index';
import { uuidv7 } from '../uuid';
import { WireNames } from '../names';

const actor = {
  organizationId: uuidv7(),
  channel: 'connect_api' as const,
  apiTokenId: null,
  memberId: null,
  correlationId: 'c',
  traceparent: null,
};

describe('events', () => {
  it('creates CloudEvents that validate, with a v7 id', () => {
    const entryId = uuidv7();
    const event = createEvent({
      type: 'table.entry.leadState.changed',
      source: '/leads',
      subject: entryId,
      data: { entryId, tableId: uuidv7(), from: null, to: uuidv7() },
      actor,
    });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(validateEvent(JSON.parse(JSON.stringify(event)))).toEqual({ ok: true, value: event });
  });

  it('rejects an unknown type and a payload that does not match its type, naming the fields', () => {
    const base = createEvent({
      type: 'table.entry.leadState.changed',
      source: '/x',
      subject: 's',
      data: { entryId: 'nope' },
      actor,
    });
    const invalid = validateEvent(base);
    expect(invalid.ok).toBe(false);
    if (!invalid.ok)
      expect(invalid.errors.map((e) => e.field)).toEqual([
        'data.entryId',
        'data.tableId',
        'data.from',
        'data.to',
      ]);
    const unknown = validateEvent({ ...base, type: 'made.up' });
    expect(unknown.ok).toBe(false);
  });
});

describe('WireNames', () => {
  it('keeps the documented subjects without a namespace and prefixes them with one', () => {
    expect(new WireNames().eventSubject('table.entry.added')).toBe('events.table.entry.added');
    expect(new WireNames().stream('LEADS')).toEqual({ name: 'LEADS', subjects: ['events.table.>'] });
    const ns = new WireNames('ci-1');
    expect(ns.eventSubject('table.entry.added')).toBe('ci-1.events.table.entry.added');
    expect(ns.stream('LEADS').name).toBe('CI_1_LEADS');
    expect(() => new WireNames('Bad Name')).toThrow('Invalid namespace');
  });
});

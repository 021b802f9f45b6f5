import { describe, expect, it } from '@jest/globals';
import { createEvent, uuidv7, type Actor, type CloudEvent } from '@rocketlead/contracts';
import { orderingKey } from './run-starter';

const actor: Actor = {
  organizationId: uuidv7(),
  channel: 'connect_api',
  apiTokenId: null,
  memberId: null,
  correlationId: 'c',
  traceparent: null,
};
const event = (type: string, data: unknown): CloudEvent =>
  createEvent({ type, source: '/test', subject: 's', data, actor });

describe('ordering key', () => {
  it('is the lead of the event, wherever its definition puts it', () => {
    expect(orderingKey(event('table.entry.added', { id: 'e1' }))).toBe('entry:e1');
    expect(orderingKey(event('table.entry.leadState.changed', { entryId: 'e2' }))).toBe('entry:e2');
    expect(orderingKey(event('calendar.appointment.booked', { id: 'b1', tableEntryId: 'e3' }))).toBe(
      'entry:e3',
    );
    expect(
      orderingKey(event('calendar.appointment.updated', { booking: { id: 'b1', tableEntryId: 'e4' } })),
    ).toBe('entry:e4');
  });

  it('is the booking when there is no lead, and none otherwise', () => {
    expect(orderingKey(event('calendar.appointment.booked', { id: 'b1', tableEntryId: null }))).toBe(
      'booking:b1',
    );
    expect(
      orderingKey(event('calendar.appointment.updated', { booking: { id: 'b2', tableEntryId: null } })),
    ).toBe('booking:b2');
    expect(orderingKey(event('automation.run.started', { runId: 'r' }))).toBeNull();
    expect(orderingKey(event('something.else', {}))).toBeNull();
  });
});

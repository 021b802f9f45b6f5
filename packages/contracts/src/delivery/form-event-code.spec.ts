import { describe, expect, it } from '@jest/globals';
import { FORM_EVENT_CODES, formEventCode } from './delivery.models';

describe('formEventCode', () => {
  it('sends the Lead Actions code of each contact event', () => {
    expect(formEventCode('table.entry.added')).toBe('deliveryall');
    expect(formEventCode('table.entry.duplicate.detected')).toBe('deliverydupe');
    expect(formEventCode('table.entry.updated')).toBe('updatedall');
    expect(formEventCode('table.entry.assigned')).toBe('user');
    expect(formEventCode('table.entry.leadState.changed')).toBe('status');
  });

  it('sends a milestone event as the code of its milestone, each a documented code', () => {
    const codes = ['validated', 'invalidated', 'contacted', 'qualified', 'converted', 'closed'].map(
      (milestone) => formEventCode('table.entry.milestone.reached', { milestone }),
    );
    expect(codes).toEqual([
      'progvalidated',
      'proginvalidate',
      'progcontacted',
      'progqualified',
      'progconverted',
      'progclosed',
    ]);
    for (const code of codes) expect(FORM_EVENT_CODES).toContain(code);
  });

  it('sends its own type for an event without a code, and for a milestone it cannot read', () => {
    expect(formEventCode('calendar.appointment.booked')).toBe('calendar.appointment.booked');
    expect(formEventCode('table.entry.milestone.reached', { milestone: 'toString' })).toBe(
      'table.entry.milestone.reached',
    );
    expect(formEventCode('table.entry.milestone.reached')).toBe('table.entry.milestone.reached');
  });
});

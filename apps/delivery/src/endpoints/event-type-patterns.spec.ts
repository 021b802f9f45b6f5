import { describe, expect, it } from '@jest/globals';
import { eventTypeErrors, patternMatches } from './event-type-patterns';

describe('event type patterns', () => {
  it('matches exact types, a trailing wildcard and everything', () => {
    expect(patternMatches('table.entry.added', 'table.entry.added')).toBe(true);
    expect(patternMatches('table.entry.added', 'table.entry.leadState.changed')).toBe(false);
    expect(patternMatches('calendar.appointment.*', 'calendar.appointment.booked')).toBe(true);
    expect(patternMatches('calendar.appointment.*', 'calendar.appointments')).toBe(false);
    expect(patternMatches('*', 'calendar.appointment.booked')).toBe(true);
  });

  it('names each pattern that matches no event type', () => {
    expect(eventTypeErrors(['table.entry.added', 'calendar.appointment.*', '*'])).toEqual([]);
    expect(eventTypeErrors(['table.entry.added', 'table.nothing', 'automation.run.*'])).toEqual([
      { field: 'eventTypes[1]', message: expect.stringContaining('table.nothing matches no event type') },
      { field: 'eventTypes[2]', message: expect.stringContaining('automation.run.* matches no event type') },
    ]);
  });
});

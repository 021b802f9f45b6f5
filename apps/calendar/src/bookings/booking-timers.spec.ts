import { describe, expect, it } from '@jest/globals';
import { timerKey, timerPlan } from './booking-timers';

const at = (iso: string): Date => new Date(iso);

describe('timerPlan', () => {
  const now = at('2026-05-10T12:00:00Z');

  it('schedules both timers of a booking in the future', () => {
    expect(
      timerPlan({ startAt: at('2026-05-10T13:00:00Z'), endAt: at('2026-05-10T14:00:00Z') }, now),
    ).toEqual([
      { action: 'schedule', type: 'calendar.appointment.hasStarted', dueAt: at('2026-05-10T13:00:00Z') },
      { action: 'schedule', type: 'calendar.appointment.hasEnded', dueAt: at('2026-05-10T14:00:00Z') },
    ]);
  });

  it('only schedules hasEnded for a booking that already started', () => {
    expect(
      timerPlan({ startAt: at('2026-05-10T11:00:00Z'), endAt: at('2026-05-10T14:00:00Z') }, now),
    ).toEqual([
      { action: 'cancel', type: 'calendar.appointment.hasStarted' },
      { action: 'schedule', type: 'calendar.appointment.hasEnded', dueAt: at('2026-05-10T14:00:00Z') },
    ]);
  });

  it('fires nothing for a booking in the past, nor for a time that is exactly now', () => {
    expect(timerPlan({ startAt: at('2026-05-10T10:00:00Z'), endAt: now }, now)).toEqual([
      { action: 'cancel', type: 'calendar.appointment.hasStarted' },
      { action: 'cancel', type: 'calendar.appointment.hasEnded' },
    ]);
  });
});

describe('timerKey', () => {
  it('names a timer by booking and event type', () => {
    expect(timerKey('b1', 'calendar.appointment.hasStarted')).toBe(
      'booking:b1:calendar.appointment.hasStarted',
    );
  });
});

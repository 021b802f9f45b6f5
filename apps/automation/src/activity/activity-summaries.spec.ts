import { describe, expect, it } from '@jest/globals';
import { createEvent, uuidv7, type Actor } from '@rocketlead/contracts';
import { eventSummary, runSummary, stepSummary, taskSummary } from './activity-summaries';

const actor: Actor = {
  organizationId: uuidv7(),
  channel: 'connect_api',
  apiTokenId: uuidv7(),
  memberId: null,
  correlationId: uuidv7(),
  traceparent: null,
};
const event = (type: string, data: unknown = {}) =>
  createEvent({ type, source: '/test', subject: 'x', data, actor });

describe('activity summaries', () => {
  it('say what happened to the lead, and through which channel it came', () => {
    expect(eventSummary(event('table.entry.added'))).toBe('Lead added via Connect API');
    expect(eventSummary({ ...event('table.entry.added'), channel: 'form' })).toBe('Lead added via form');
    expect(eventSummary(event('table.entry.leadState.changed'))).toBe('Lead state changed');
    expect(eventSummary(event('calendar.appointment.booked'))).toBe('Appointment booked');
    expect(eventSummary(event('delivery.succeeded', { kind: 'webhook' }))).toBe('Webhook delivered');
    expect(eventSummary(event('delivery.succeeded', { kind: 'sms' }))).toBe('SMS delivered');
    expect(eventSummary(event('email.opened'))).toBe('Email opened');
    expect(eventSummary(event('some.future.type'))).toBe('some.future.type');
  });

  it('name the automation of a run, the action of a step and the title of a task', () => {
    expect(runSummary('Qualify', 'completed', null)).toBe('Automation "Qualify" completed');
    expect(runSummary('Qualify', 'running', null)).toBe('Automation "Qualify" started');
    expect(runSummary(null, 'skipped', 'loop detected')).toBe('Automation skipped (loop detected)');
    expect(stepSummary(0, 'change_lead_state', 'completed')).toBe('Step 1, Change lead state: completed');
    expect(stepSummary(2, 'send_sms', 'failed')).toBe('Step 3, Send SMS: failed');
    expect(taskSummary('Approve', 'open')).toBe('Task "Approve" created');
    expect(taskSummary('Approve', 'completed')).toBe('Task "Approve" completed');
  });
});

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

  it('say which tag, member, original, fields and milestone the contact events are about', () => {
    const entryId = uuidv7();
    const tableId = uuidv7();
    const tagId = uuidv7();
    expect(eventSummary(event('table.entry.tag.applied', { entryId, tableId, tagId, tagName: 'VIP' }))).toBe(
      'Tag "VIP" applied',
    );
    expect(eventSummary(event('table.entry.tag.removed', { entryId, tableId, tagId, tagName: 'VIP' }))).toBe(
      'Tag "VIP" removed',
    );
    const memberId = uuidv7();
    expect(eventSummary(event('table.entry.assigned', { entryId, tableId, from: null, to: memberId }))).toBe(
      `Assigned to ${memberId}`,
    );
    expect(eventSummary(event('table.entry.assigned', { entryId, tableId, from: memberId, to: null }))).toBe(
      'Unassigned',
    );
    const original = uuidv7();
    expect(
      eventSummary(
        event('table.entry.duplicate.detected', {
          entryId,
          tableId,
          duplicateOfId: original,
          matchedOn: ['email', 'phone'],
        }),
      ),
    ).toBe(`Duplicate of ${original} (email, phone)`);
    expect(
      eventSummary(
        event('table.entry.updated', {
          entryId,
          tableId,
          changes: { email: { from: 'a', to: 'b' }, phone: { from: null, to: '1' } },
        }),
      ),
    ).toBe('Updated: email, phone');
    expect(
      eventSummary(
        event('table.entry.milestone.reached', {
          entryId,
          tableId,
          milestone: 'qualified',
          leadStateId: tagId,
        }),
      ),
    ).toBe('Milestone reached: qualified');
    expect(eventSummary(event('table.entry.birthday', { entryId, tableId, date: '2027-02-28' }))).toBe(
      'Birthday (2027-02-28)',
    );
  });

  it('say where a deal moved and whether it was won or lost', () => {
    const deal = { dealId: uuidv7(), entryId: uuidv7(), pipelineId: uuidv7() };
    const stageId = uuidv7();
    expect(eventSummary(event('deal.stage.changed', { ...deal, stageId, fromStageId: uuidv7() }))).toBe(
      `Deal moved to stage ${stageId}`,
    );
    expect(eventSummary(event('deal.status.changed', { ...deal, status: 'won' }))).toBe('Deal won');
    expect(eventSummary(event('deal.status.changed', { ...deal, status: 'lost' }))).toBe('Deal lost');
  });

  it('say which product was bought and which event the contact registered for, and how', () => {
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
    expect(eventSummary(event('product.purchased', purchase))).toBe('Bought Masterclass');
    const registration = {
      registrationId: uuidv7(),
      eventId: uuidv7(),
      eventName: 'Spring Summit',
      entryId: uuidv7(),
      tableId: uuidv7(),
    };
    expect(eventSummary(event('event.registration.created', { ...registration, source: 'rsvp' }))).toBe(
      'Registered for Spring Summit (RSVP)',
    );
    expect(eventSummary(event('event.registration.created', { ...registration, source: 'eventbrite' }))).toBe(
      'Registered for Spring Summit (Eventbrite)',
    );
    // A source this version does not know is left out rather than guessed.
    expect(eventSummary(event('event.registration.created', { ...registration, source: 'zoom' }))).toBe(
      'Registered for Spring Summit',
    );
    expect(eventSummary(event('event.registration.cancelled', { ...registration, source: 'rsvp' }))).toBe(
      'Cancelled the registration for Spring Summit (RSVP)',
    );
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

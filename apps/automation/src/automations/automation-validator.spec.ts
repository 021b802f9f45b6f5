import { describe, expect, it } from '@jest/globals';
import {
  AUTOMATION_LIMITS,
  DomainError,
  uuidv7,
  type Calendar,
  type LeadPool,
  type LeadState,
} from '@rocketlead/contracts';
import type { CalendarGateway, LeadsGateway } from '../gateways';
import { AutomationValidator, assertDefinitionFits } from './automation-validator';

const org = uuidv7();
const pool: LeadPool = {
  id: uuidv7(),
  organizationId: org,
  name: 'Inbound',
  defaultLeadStateId: null,
  tableSchema: {},
  dedupe: null,
  createdAt: new Date().toISOString(),
};
const states: LeadState[] = [
  { id: uuidv7(), tableId: pool.id, name: 'New', isDefault: true, milestone: null },
];
const calendarId = uuidv7();

// Stand-ins for the gateways: only this organization's pool and calendar exist.
const leads = {
  pool: (organizationId: string, id: string) =>
    Promise.resolve(organizationId === org && id === pool.id ? pool : null),
  states: () => Promise.resolve(states),
} as unknown as LeadsGateway;
const calendars = {
  calendar: (organizationId: string, id: string) =>
    Promise.resolve(organizationId === org && id === calendarId ? ({ id } as Calendar) : null),
} as unknown as CalendarGateway;
const validator = new AutomationValidator(leads, calendars);

async function errorsOf(
  trigger: unknown,
  actions: unknown = [],
): Promise<{ field: string; message: string }[]> {
  const error = await validator.check(org, { trigger, actions }, null).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error('expected VALIDATION_FAILED');
  expect(error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'Validation failed' });
  return error.details!.errors as { field: string; message: string }[];
}

describe('AutomationValidator', () => {
  it('accepts a valid definition and returns it with action ids', async () => {
    const checked = await validator.check(
      org,
      {
        trigger: { event: 'table.entry.added', triggerId: pool.id },
        actions: [{ type: 'change_lead_state', params: { stateId: states[0]!.id } }],
      },
      null,
    );
    expect(checked.actions[0]).toMatchObject({ id: expect.stringMatching(/^a_/), type: 'change_lead_state' });
  });

  it('names the scope kind the triggerId must have', async () => {
    expect(await errorsOf({ event: 'table.entry.added', triggerId: uuidv7() })).toEqual([
      { field: 'trigger.triggerId', message: 'must be a lead pool of this organization' },
    ]);
    expect(await errorsOf({ event: 'calendar.appointment.booked', triggerId: pool.id })).toEqual([
      { field: 'trigger.triggerId', message: 'must be a calendar of this organization' },
    ]);
    await expect(
      validator.check(
        org,
        { trigger: { event: 'calendar.appointment.booked', triggerId: calendarId }, actions: [] },
        null,
      ),
    ).resolves.toMatchObject({ trigger: { triggerId: calendarId } });
  });

  it('reports every problem at once, each at its path', async () => {
    const errors = await errorsOf(
      { event: 'table.entry.leadState.changed', triggerId: pool.id, to: uuidv7(), match: { nope: [] } },
      [
        { type: 'change_lead_state', params: { stateId: uuidv7() } },
        { type: 'teleport' },
        { type: 'branch', params: { match: [1, 2], then: [{ type: 'change_lead_state' }] } },
      ],
    );
    expect(errors.map((e) => e.field).sort()).toEqual(
      [
        'trigger.to',
        'trigger.match',
        'actions[0].params.stateId',
        'actions[1].type',
        'actions[2].params.match',
        'actions[2].params.then[0].params.stateId',
      ].sort(),
    );
  });

  it('lists at most 20 errors and says how many more there were', async () => {
    const errors = await errorsOf(
      { event: 'table.entry.added' },
      Array.from({ length: 25 }, () => ({ type: 'teleport' })),
    );
    expect(errors).toHaveLength(21);
    expect(errors[20]).toEqual({ field: '(more)', message: '5 more errors not listed' });
  });

  it('refuses a definition over the byte limit, naming the limit', () => {
    const definition = {
      name: 'big',
      description: null,
      trigger: { event: 'table.entry.added' },
      actions: [
        { id: 'a', type: 'send_sms', params: { body: 'x'.repeat(AUTOMATION_LIMITS.definitionBytes) } },
      ],
    };
    let refused: unknown;
    try {
      assertDefinitionFits(definition);
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { field: '(definition)', limit: AUTOMATION_LIMITS.definitionBytes },
    });
    expect(() => assertDefinitionFits({ ...definition, actions: [] })).not.toThrow();
  });
});

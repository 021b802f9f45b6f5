import { describe, expect, it, jest } from '@jest/globals';
import {
  AUTOMATION_LIMITS,
  DomainError,
  uuidv7,
  type Calendar,
  type LeadPool,
  type LeadState,
  type Pipeline,
} from '@rocketlead/contracts';
import type { CalendarGateway, IntegrationsGateway, LeadsGateway } from '../gateways';
import { AutomationValidator, assertDefinitionFits } from './automation-validator';

const org = uuidv7();
const pool: LeadPool = {
  id: uuidv7(),
  organizationId: org,
  name: 'Inbound',
  defaultLeadStateId: null,
  tableSchema: {},
  dedupe: null,
  birthdayField: null,
  createdAt: new Date().toISOString(),
};
const states: LeadState[] = [
  { id: uuidv7(), tableId: pool.id, name: 'New', isDefault: true, milestone: null },
];
const calendarId = uuidv7();
const tagId = uuidv7();
const memberId = uuidv7();
const inactiveMemberId = uuidv7();
const groupId = uuidv7();
const pipeline: Pipeline = {
  id: uuidv7(),
  name: 'Sales',
  stages: [{ id: uuidv7(), name: 'Qualified', position: 0 }],
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
};
const stageId = pipeline.stages[0]!.id;
const ours = <T>(organizationId: string, found: T | undefined): Promise<T | null> =>
  Promise.resolve(organizationId === org && found !== undefined ? found : null);

// Stand-ins for the gateways: only this organization's pool, calendar, tag, members, group and pipeline exist.
const leads = {
  pool: (organizationId: string, id: string) => ours(organizationId, id === pool.id ? pool : undefined),
  states: () => Promise.resolve(states),
  tag: (organizationId: string, id: string) =>
    ours(organizationId, id === tagId ? { id, name: 'VIP', color: null } : undefined),
  member: (organizationId: string, id: string) =>
    ours(
      organizationId,
      id === memberId || id === inactiveMemberId ? { id, active: id === memberId } : undefined,
    ),
  group: (organizationId: string, id: string) => ours(organizationId, id === groupId ? { id } : undefined),
  pipeline: (organizationId: string, id: string) =>
    ours(organizationId, id === pipeline.id ? pipeline : undefined),
  pipelineByStage: (organizationId: string, id: string) =>
    ours(organizationId, id === stageId ? pipeline : undefined),
} as unknown as LeadsGateway;
const productId = uuidv7();
const crmEventId = uuidv7();
const calendars = {
  calendar: (organizationId: string, id: string) =>
    Promise.resolve(organizationId === org && id === calendarId ? ({ id } as Calendar) : null),
  crmEvent: (organizationId: string, id: string) =>
    ours(organizationId, id === crmEventId ? { id, name: 'Spring Summit' } : undefined),
} as unknown as CalendarGateway;
const integrations = {
  product: (organizationId: string, id: string) =>
    ours(organizationId, id === productId ? { id, name: 'Masterclass' } : undefined),
} as unknown as IntegrationsGateway;
const validator = new AutomationValidator(leads, calendars, integrations);

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

  it("takes the scope's anyId as a triggerId with no lookup, and a pool id still needs the pool", async () => {
    const poolLookup = jest.spyOn(leads, 'pool');
    await expect(
      validator.check(
        org,
        { trigger: { event: 'table.entry.birthday', triggerId: '__birthday__' }, actions: [] },
        null,
      ),
    ).resolves.toMatchObject({ trigger: { triggerId: '__birthday__' } });
    expect(poolLookup).not.toHaveBeenCalled();
    poolLookup.mockRestore();
    expect(await errorsOf({ event: 'table.entry.birthday', triggerId: uuidv7() })).toEqual([
      { field: 'trigger.triggerId', message: 'must be a lead pool of this organization' },
    ]);
    await expect(
      validator.check(
        org,
        { trigger: { event: 'table.entry.birthday', triggerId: pool.id }, actions: [] },
        null,
      ),
    ).resolves.toMatchObject({ trigger: { triggerId: pool.id } });
  });

  it('takes a tag of this organization as the triggerId of tag events', async () => {
    for (const event of ['table.entry.tag.applied', 'table.entry.tag.removed'])
      expect(await errorsOf({ event, triggerId: uuidv7() })).toEqual([
        { field: 'trigger.triggerId', message: 'must be a tag of this organization' },
      ]);
    await expect(
      validator.check(
        org,
        { trigger: { event: 'table.entry.tag.applied', triggerId: tagId }, actions: [] },
        null,
      ),
    ).resolves.toMatchObject({ trigger: { triggerId: tagId } });
    const other = await validator
      .check(uuidv7(), { trigger: { event: 'table.entry.tag.applied', triggerId: tagId }, actions: [] }, null)
      .catch((error: unknown) => error);
    expect(other).toMatchObject({
      details: { errors: [{ field: 'trigger.triggerId', message: 'must be a tag of this organization' }] },
    });
  });

  it("takes a stage of this organization's pipelines as the triggerId of deal stage events", async () => {
    await expect(
      validator.check(
        org,
        { trigger: { event: 'deal.stage.changed', triggerId: stageId }, actions: [] },
        null,
      ),
    ).resolves.toMatchObject({ trigger: { triggerId: stageId } });
    expect(await errorsOf({ event: 'deal.stage.changed', triggerId: uuidv7() })).toEqual([
      { field: 'trigger.triggerId', message: 'must be a pipeline stage of this organization' },
    ]);
    // A pipeline id is not a stage id.
    expect(await errorsOf({ event: 'deal.stage.changed', triggerId: pipeline.id })).toEqual([
      { field: 'trigger.triggerId', message: 'must be a pipeline stage of this organization' },
    ]);
    const other = await validator
      .check(uuidv7(), { trigger: { event: 'deal.stage.changed', triggerId: stageId }, actions: [] }, null)
      .catch((error: unknown) => error);
    expect(other).toMatchObject({
      details: {
        errors: [{ field: 'trigger.triggerId', message: 'must be a pipeline stage of this organization' }],
      },
    });
  });

  it("takes <pipelineId>_won or _lost of this organization's pipeline for deal status events", async () => {
    for (const status of ['won', 'lost'])
      await expect(
        validator.check(
          org,
          { trigger: { event: 'deal.status.changed', triggerId: `${pipeline.id}_${status}` }, actions: [] },
          null,
        ),
      ).resolves.toMatchObject({ trigger: { triggerId: `${pipeline.id}_${status}` } });
    expect(await errorsOf({ event: 'deal.status.changed', triggerId: `${uuidv7()}_won` })).toEqual([
      { field: 'trigger.triggerId', message: 'must name a pipeline of this organization' },
    ]);
    const other = await validator
      .check(
        uuidv7(),
        { trigger: { event: 'deal.status.changed', triggerId: `${pipeline.id}_lost` }, actions: [] },
        null,
      )
      .catch((error: unknown) => error);
    expect(other).toMatchObject({
      details: {
        errors: [{ field: 'trigger.triggerId', message: 'must name a pipeline of this organization' }],
      },
    });
    // A malformed id gets the contracts' shape error only, not a second one from a lookup.
    for (const triggerId of [pipeline.id, `${pipeline.id}_open`, `${pipeline.id}_won_won`, stageId])
      expect(await errorsOf({ event: 'deal.status.changed', triggerId })).toEqual([
        { field: 'trigger.triggerId', message: 'must be "<pipelineId>_won" or "<pipelineId>_lost"' },
      ]);
  });

  it("takes this organization's product for product.purchased and its CRM event for registrations", async () => {
    const cases = [
      ['product.purchased', productId, 'must be a product of this organization'],
      ['event.registration.created', crmEventId, 'must be an event of this organization'],
    ] as const;
    for (const [event, triggerId, message] of cases) {
      await expect(
        validator.check(org, { trigger: { event, triggerId }, actions: [] }, null),
      ).resolves.toMatchObject({ trigger: { event, triggerId } });
      expect(await errorsOf({ event, triggerId: uuidv7() })).toEqual([
        { field: 'trigger.triggerId', message },
      ]);
      // The same id seen from another organization is not its object.
      const other = await validator
        .check(uuidv7(), { trigger: { event, triggerId }, actions: [] }, null)
        .catch((error: unknown) => error);
      expect(other).toMatchObject({ details: { errors: [{ field: 'trigger.triggerId', message }] } });
    }
    // A product id is not an event id, and the other way round.
    expect(await errorsOf({ event: 'event.registration.created', triggerId: productId })).toEqual([
      { field: 'trigger.triggerId', message: 'must be an event of this organization' },
    ]);
    expect(await errorsOf({ event: 'product.purchased', triggerId: crmEventId })).toEqual([
      { field: 'trigger.triggerId', message: 'must be a product of this organization' },
    ]);
  });

  it("checks the tags, members and groups actions name are this organization's, nested ones too", async () => {
    const unknown = uuidv7();
    const errors = await errorsOf({ event: 'table.entry.added' }, [
      { type: 'add_tag', params: { tagId } },
      { type: 'remove_tag', params: { tagId: unknown } },
      { type: 'assign_user', params: { memberId: unknown } },
      { type: 'assign_user', params: { groupId: unknown, strategy: 'random' } },
      { type: 'assign_user', params: { memberId: inactiveMemberId } },
      { type: 'notify_user', params: { memberId: inactiveMemberId, subject: 's', text: 't' } },
      { type: 'branch', params: { match: true, then: [{ type: 'add_tag', params: { tagId: unknown } }] } },
      { type: 'create_task', params: { title: 'Call', assigneeId: unknown } },
      { type: 'create_task', params: { title: 'Call', assigneeId: inactiveMemberId } },
      { type: 'create_task', params: { title: 'Call', assigneeId: memberId } },
    ]);
    expect(errors).toEqual([
      { field: 'actions[1].params.tagId', message: 'must be a tag of this organization' },
      { field: 'actions[2].params.memberId', message: 'must be a member of this organization' },
      { field: 'actions[3].params.groupId', message: 'must be a member group of this organization' },
      { field: 'actions[4].params.memberId', message: 'must be an active member of this organization' },
      { field: 'actions[5].params.memberId', message: 'must be an active member of this organization' },
      { field: 'actions[6].params.then[0].params.tagId', message: 'must be a tag of this organization' },
      { field: 'actions[7].params.assigneeId', message: 'must be a member of this organization' },
      { field: 'actions[8].params.assigneeId', message: 'must be an active member of this organization' },
    ]);
    await expect(
      validator.check(
        org,
        {
          trigger: { event: 'table.entry.added' },
          actions: [
            { type: 'assign_user', params: { groupId } },
            { type: 'notify_user', params: { memberId, subject: 's', text: 't' } },
            { type: 'notify_user', params: { subject: 's', text: 't' } },
          ],
        },
        null,
      ),
    ).resolves.toMatchObject({
      actions: [{ type: 'assign_user' }, { type: 'notify_user' }, { type: 'notify_user' }],
    });
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

import { describe, expect, it } from '@jest/globals';
import { uuidv7 } from '@rocketlead/contracts';
import { buildIndex, matchAutomation, matchTrigger, triggeredBy, type ActiveAutomation } from './matcher';
import { runContext, type StoredSnapshot } from './run-context';

const pool = uuidv7();
const otherPool = uuidv7();
const [s1, s2] = [uuidv7(), uuidv7()];

const automation = (seq: number, trigger: ActiveAutomation['trigger']): ActiveAutomation => ({
  id: `a${seq}`,
  organizationId: 'org',
  seq,
  name: `A${seq}`,
  trigger,
  actions: [],
  sandbox: false,
  version: 1,
});

const added = { type: 'table.entry.added', data: { id: 'e1', tableId: pool, data: { source: 'ads' } } };
const changed = (from: string | null, to: string) => ({
  type: 'table.entry.leadState.changed',
  data: { entryId: 'e1', tableId: pool, from, to },
});

describe('trigger matching', () => {
  it('needs the same event type and, when given, the scoped object', () => {
    expect(matchTrigger({ event: 'table.entry.added' }, added)).toEqual({ matched: true });
    expect(matchTrigger({ event: 'table.entry.added', triggerId: pool }, added)).toEqual({ matched: true });
    expect(matchTrigger({ event: 'table.entry.added', triggerId: otherPool }, added)).toEqual({
      matched: false,
      reason: 'trigger.triggerId does not match',
    });
    expect(matchTrigger({ event: 'table.entry.leadState.changed' }, added)).toEqual({
      matched: false,
      reason: 'event type differs',
    });
  });

  it("matches every object of the kind when triggerId is the scope's anyId, and still one pool by its id", () => {
    const birthday = (tableId: string) => ({
      type: 'table.entry.birthday',
      data: { entryId: uuidv7(), tableId, date: '2027-02-28' },
    });
    const any = { event: 'table.entry.birthday', triggerId: '__birthday__' };
    expect(matchTrigger(any, birthday(pool))).toEqual({ matched: true });
    expect(matchTrigger(any, birthday(otherPool))).toEqual({ matched: true });
    expect(matchTrigger({ event: 'table.entry.birthday', triggerId: pool }, birthday(pool)).matched).toBe(
      true,
    );
    expect(matchTrigger({ event: 'table.entry.birthday', triggerId: pool }, birthday(otherPool))).toEqual({
      matched: false,
      reason: 'trigger.triggerId does not match',
    });
    // anyId belongs to the birthday event's scope only: elsewhere it is an id that matches nothing.
    expect(matchTrigger({ event: 'table.entry.added', triggerId: '__birthday__' }, added).matched).toBe(
      false,
    );
  });

  it('scopes booking events by calendar, also when the booking is nested', () => {
    const calendar = uuidv7();
    const booked = { type: 'calendar.appointment.booked', data: { id: 'b', calendarId: calendar } };
    const updated = {
      type: 'calendar.appointment.updated',
      data: { booking: { id: 'b', calendarId: calendar } },
    };
    expect(matchTrigger({ event: booked.type, triggerId: calendar }, booked).matched).toBe(true);
    expect(matchTrigger({ event: updated.type, triggerId: calendar }, updated).matched).toBe(true);
    expect(matchTrigger({ event: updated.type, triggerId: pool }, updated).matched).toBe(false);
  });

  it('matches a deal status trigger by its composite id: the pipeline and won or lost', () => {
    const [pipeline, otherPipeline] = [uuidv7(), uuidv7()];
    const t = 'deal.status.changed';
    const closed = (pipelineId: string, status: string) => ({
      type: t,
      data: { dealId: uuidv7(), entryId: uuidv7(), pipelineId, status },
    });
    const won = { event: t, triggerId: `${pipeline}_won` };
    const lost = { event: t, triggerId: `${pipeline}_lost` };
    expect(matchTrigger(won, closed(pipeline, 'won'))).toEqual({ matched: true });
    expect(matchTrigger(lost, closed(pipeline, 'won'))).toEqual({
      matched: false,
      reason: 'trigger.triggerId does not match',
    });
    expect(matchTrigger(lost, closed(pipeline, 'lost')).matched).toBe(true);
    expect(matchTrigger(won, closed(otherPipeline, 'won')).matched).toBe(false);
    // The bare pipeline id is not the composite: it matches neither status.
    expect(matchTrigger({ event: t, triggerId: pipeline }, closed(pipeline, 'won')).matched).toBe(false);
    expect(matchTrigger({ event: t }, closed(otherPipeline, 'lost')).matched).toBe(true);
  });

  it('matches a deal stage trigger by the stage the deal moved to, not the one it left', () => {
    const [stage, otherStage] = [uuidv7(), uuidv7()];
    const t = 'deal.stage.changed';
    const moved = {
      type: t,
      data: {
        dealId: uuidv7(),
        entryId: uuidv7(),
        pipelineId: uuidv7(),
        stageId: stage,
        fromStageId: otherStage,
      },
    };
    expect(matchTrigger({ event: t, triggerId: stage }, moved).matched).toBe(true);
    expect(matchTrigger({ event: t, triggerId: otherStage }, moved).matched).toBe(false);
  });

  it('narrows transitions by from and to; from null is the initial state, absent is any', () => {
    const t = 'table.entry.leadState.changed';
    expect(matchTrigger({ event: t, from: null }, changed(null, s1)).matched).toBe(true);
    expect(matchTrigger({ event: t, from: null }, changed(s1, s2)).matched).toBe(false);
    expect(matchTrigger({ event: t, from: s1, to: s2 }, changed(s1, s2)).matched).toBe(true);
    expect(matchTrigger({ event: t, to: s1 }, changed(s2, s2))).toEqual({
      matched: false,
      reason: 'trigger.to does not match',
    });
    expect(matchTrigger({ event: t, from: s2 }, changed(s1, s2))).toEqual({
      matched: false,
      reason: 'trigger.from does not match',
    });
    expect(matchTrigger({ event: t }, changed(s1, s2)).matched).toBe(true);
  });

  it('indexes by event type in creation order and returns the triggered ones in that order', () => {
    const index = buildIndex([
      automation(3, { event: 'table.entry.added' }),
      automation(1, { event: 'table.entry.added', triggerId: pool }),
      automation(2, { event: 'table.entry.leadState.changed' }),
      automation(4, { event: 'table.entry.added', triggerId: otherPool }),
    ]);
    expect(triggeredBy(index, added).map((a) => a.id)).toEqual(['a1', 'a3']);
    expect(triggeredBy(index, changed(null, s1)).map((a) => a.id)).toEqual(['a2']);
    expect(triggeredBy(index, { type: 'calendar.appointment.booked', data: {} })).toEqual([]);
  });

  it('evaluates conditions and match over the run context after the trigger', () => {
    const snapshot: StoredSnapshot = {
      event: {
        type: added.type,
        id: 'ev',
        time: new Date().toISOString(),
        channel: 'form',
        apiTokenId: null,
        memberId: null,
        data: added.data,
        correlationId: 'c',
        depth: 0,
        traceparent: null,
      },
      entry: {
        id: 'e1',
        tableId: pool,
        organizationId: 'org',
        data: { source: 'ads' },
        customFieldData: {},
        assignedMemberId: null,
        duplicateOfId: null,
        tags: [],
        leadStateId: s1,
        createdAt: '',
        updatedAt: '',
      },
      booking: null,
    };
    const context = runContext(snapshot, { id: 'a', name: 'A', version: 1 });
    expect(context.event).not.toHaveProperty('traceparent');
    const trigger = { event: added.type, conditions: { source: ['ads', 'seo'], 'event.channel': 'form' } };
    expect(matchAutomation(trigger, added, context)).toEqual({ matched: true });
    expect(matchAutomation({ ...trigger, conditions: { leadStateId: s2 } }, added, context)).toEqual({
      matched: false,
      reason: 'conditions not met: leadStateId',
    });
    expect(
      matchAutomation({ ...trigger, match: { '==': [{ var: 'automation.name' }, 'B'] } }, added, context),
    ).toEqual({ matched: false, reason: 'match is false' });
  });
});

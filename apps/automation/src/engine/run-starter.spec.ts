import { describe, expect, it } from '@jest/globals';
import type { EntityManager } from 'typeorm';
import { createEvent, uuidv7, type Actor, type CloudEvent } from '@rocketlead/contracts';
import type { LeadsGateway } from '../gateways/leads.gateway';
import type { ClaimedRun } from '../runs/runs.repository';
import type { AutomationIndexService } from './automation-index';
import { buildIndex, type ActiveAutomation } from './matcher';
import type { CreatedRun, RunFactory, RunRequest } from './run-factory';
import type { RunExecutor } from './run-executor';
import { RunStarter, orderingKey } from './run-starter';
import type { TriggerNames } from './trigger-names';

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

describe('run starter', () => {
  const pool = uuidv7();
  const automation = (seq: number, segment: string): ActiveAutomation => ({
    id: uuidv7(),
    organizationId: actor.organizationId,
    seq,
    name: `a${seq}`,
    trigger: { event: 'table.entry.added', triggerId: pool, conditions: { segment } },
    actions: [{ id: `x${seq}`, type: 'update_fields', params: { data: { n: '1' } } }],
    sandbox: false,
    version: 1,
  });
  const added = (segment: string): CloudEvent =>
    event('table.entry.added', { id: uuidv7(), tableId: pool, data: { segment }, customFieldData: {} });

  it('records the runs of events handled together in one call, and gives each event its own', async () => {
    const automations = [automation(1, 'a'), automation(2, 'b'), automation(3, 'a')];
    const calls: RunRequest[][] = [];
    const executed = new Map<string, string[] | undefined>();
    const starter = new RunStarter(
      {
        index: () => Promise.resolve(buildIndex(automations)),
        sandbox: () => Promise.resolve(false),
      } as unknown as AutomationIndexService,
      {} as LeadsGateway,
      { resolve: () => Promise.resolve('Pool') } as unknown as TriggerNames,
      {
        createMany: (_manager: EntityManager, requests: RunRequest[]): Promise<CreatedRun[]> => {
          calls.push(requests);
          return Promise.resolve(
            requests.map((r) => ({
              runId: `${r.triggerKey}/${r.automation.name}`,
              status: 'running',
              reason: null,
              created: true,
              claimed: { id: `${r.triggerKey}/${r.automation.name}` } as ClaimedRun,
            })),
          );
        },
      } as unknown as RunFactory,
      {
        executeEventRuns: (_org: string, eventId: string, started?: ClaimedRun[]) => {
          executed.set(
            eventId,
            started?.map((run) => run.id),
          );
          return Promise.resolve();
        },
      } as unknown as RunExecutor,
    );
    const [first, none, second] = [added('a'), added('c'), added('b')];
    const ignored = event('automation.run.started', { runId: 'r' });
    await starter.startMany([first, none, ignored, second], {} as EntityManager);

    // One call for the batch, the events' matching automations in event order, each in creation order.
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((r) => [r.triggerKey, r.automation.name, r.causationId])).toEqual([
      [first.id, 'a1', first.id],
      [first.id, 'a3', first.id],
      [second.id, 'a2', second.id],
    ]);
    // An event the consumer gave up on (dead-lettered) is forgotten: its runs are not kept for an execute.
    starter.forget(second.id);
    for (const e of [first, none, second]) await starter.execute(e);
    expect(executed.get(first.id)).toEqual([`${first.id}/a1`, `${first.id}/a3`]);
    expect(executed.get(none.id)).toEqual([]);
    expect(executed.has(second.id)).toBe(true);
    expect(executed.get(second.id)).toBeUndefined();
  });
});

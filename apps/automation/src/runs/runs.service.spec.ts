import { describe, expect, it } from '@jest/globals';
import { uuidv7, type AutomationRunSummary, type RunStep } from '@rocketlead/contracts';
import { decodeCursor } from '@rocketlead/persistence';
import type { RunHistoryRepository, RunHistoryItem } from './run-history.repository';
import { RunsService } from './runs.service';

const automationId = uuidv7();

const item = (i: number): RunHistoryItem => {
  const id = uuidv7();
  const startedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, 60 - i)).toISOString();
  const run: AutomationRunSummary = {
    id,
    automationId,
    automationVersion: 1,
    status: 'completed',
    reason: null,
    sandbox: false,
    triggerName: 'Pool',
    context: {
      eventId: uuidv7(),
      eventType: 'table.entry.added',
      entryId: null,
      bookingId: null,
      channel: 'connect_api',
      apiTokenId: null,
      memberId: null,
      correlationId: uuidv7(),
      depth: 0,
    },
    startedAt,
    finishedAt: startedAt,
    durationMs: 0,
    error: null,
  };
  return { run, position: { at: startedAt, id } };
};

const step = (output: unknown): RunStep => ({
  index: 0,
  actionId: 'a',
  type: 'create_task',
  status: 'completed',
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  attempts: 1,
  output,
  error: null,
  wouldDo: null,
  resumeAt: null,
  delivery: null,
});

/** A run history of the given items, each run with one step whose output is `outputBytes` long. */
const history = (items: RunHistoryItem[], outputBytes: number) =>
  ({
    automationExists: () => Promise.resolve(true),
    list: (_org: string, _automation: string, _filter: unknown, limit: number) =>
      Promise.resolve(items.slice(0, limit)),
    stepsOf: (ids: string[]) =>
      Promise.resolve(new Map(ids.map((id) => [id, [step({ answer: 'x'.repeat(outputBytes) })]]))),
  }) as unknown as RunHistoryRepository;

describe('RunsService.list', () => {
  const command = (limit: number) => ({ organizationId: uuidv7(), automationId, limit });

  it('lists each run with its steps, and a cursor after the last one when more exist', async () => {
    const items = [item(0), item(1), item(2)];
    const page = await new RunsService(history(items, 10)).list(command(2));
    expect(page.items.map((run) => run.id)).toEqual([items[0]!.run.id, items[1]!.run.id]);
    expect(page.items[0]!.steps).toEqual([step({ answer: 'x'.repeat(10) })]);
    expect(decodeCursor(page.nextCursor!)).toEqual(items[1]!.position);
  });

  it('ends a page of large runs before it outgrows a reply, continuing after the last run it kept', async () => {
    const items = [item(0), item(1), item(2)];
    // Two of these fit in the 512 KiB page budget, three do not.
    const page = await new RunsService(history(items, 200_000)).list(command(3));
    expect(page.items.map((run) => run.id)).toEqual([items[0]!.run.id, items[1]!.run.id]);
    expect(decodeCursor(page.nextCursor!)).toEqual(items[1]!.position);
  });
});

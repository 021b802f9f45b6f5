import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ActivityItem, Deal, Pipeline } from '@rocketlead/contracts';
import { EventCollector, eventually } from '@rocketlead/testing';
import { Api, E2E, type PoolSetup, created } from './support/platform';

// Deal triggers against the running platform: pipelines and deals through the Connect API, the deal events
// leads publishes on DEALS, the automations they run (Gordon's composite `<pipelineId>_won` / `_lost` and
// stage triggers) and the runs' trigger names.

interface RunSummary {
  id: string;
  status: string;
  triggerName: string | null;
  context: { entryId: string | null };
}

describe('deal stage and status automations (all services as processes)', () => {
  let e2e: E2E;
  let admin: Api;
  let stranger: Api;
  let pool: PoolSetup;
  let deals: EventCollector;

  const pipeline = (name: string, stages: string[]): Promise<Pipeline> =>
    created(
      admin.post<Pipeline>('/connect/pipelines', { name, stages: stages.map((stage) => ({ name: stage })) }),
      'pipeline',
    );
  const automation = async (name: string, trigger: Record<string, unknown>): Promise<string> =>
    (
      await created(
        admin.post<{ id: string }>('/api/v1/automations', { name, status: 'active', trigger, actions: [] }),
        'automation',
      )
    ).id;
  const lead = async (): Promise<string> =>
    (
      await created(
        admin.post<{ id: string }>('/connect/table_entries', { tableId: pool.poolId, data: {} }),
        'lead',
      )
    ).id;
  const deal = async (entryId: string, on: Pipeline): Promise<Deal> =>
    created(admin.post<Deal>('/connect/deals', { entryId, pipelineId: on.id, title: 'Licence' }), 'deal');
  const patch = async (id: string, body: Record<string, unknown>): Promise<Deal> => {
    const res = await admin.patch<Deal>(`/connect/deals/${id}`, body);
    if (res.status !== 200) throw new Error(`PATCH deal: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const runs = async (automationId: string): Promise<RunSummary[]> => {
    const res = await admin.get<{ items: RunSummary[] }>(
      `/api/v1/automations/${automationId}/runs?limit=100`,
    );
    expect(res.status).toBe(200);
    return res.body.items;
  };
  const finishedRuns = (automationId: string, count = 1): Promise<RunSummary[]> =>
    eventually(
      async () => {
        const items = (await runs(automationId)).filter((r) => r.status !== 'running');
        return items.length >= count ? items : undefined;
      },
      { timeoutMs: 60_000, message: `${count} finished run(s) of ${automationId}` },
    );
  /** The deal events leads published for a deal, in stream order. */
  const eventsOf = (dealId: string): [string, unknown][] =>
    deals.events
      .filter((e) => e.body.data.dealId === dealId)
      .map((e) => [
        e.body.type,
        e.body.type === 'deal.status.changed' ? e.body.data.status : e.body.data.stageId,
      ]);

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin } = await e2e.organization('Deals'));
    ({ admin: stranger } = await e2e.organization('Other'));
    pool = await e2e.pool(admin);
    deals = await EventCollector.start(e2e.nc, e2e.names.stream('DEALS').name);
  }, 180_000);

  afterAll(async () => {
    await deals?.stop();
    await e2e?.stop();
  }, 120_000);

  it('a won deal runs its pipeline’s _won automation, not _lost nor another pipeline’s; reopening fires nothing', async () => {
    const sales = await pipeline('Sales', ['Qualified', 'Proposal']);
    const renewals = await pipeline('Renewals', ['Due']);
    const t = 'deal.status.changed';
    const salesWon = await automation('Sales won', { event: t, triggerId: `${sales.id}_won` });
    const salesLost = await automation('Sales lost', { event: t, triggerId: `${sales.id}_lost` });
    const renewalsWon = await automation('Renewals won', { event: t, triggerId: `${renewals.id}_won` });
    const anyStatus = await automation('Any deal closed', { event: t });
    const entryId = await lead();
    const licence = await deal(entryId, sales);
    expect(licence).toMatchObject({ status: 'open', stageId: sales.stages[0]!.id });

    await patch(licence.id, { status: 'won' });
    const [won] = await finishedRuns(salesWon);
    expect(won).toMatchObject({ status: 'completed', triggerName: 'Sales: Won', context: { entryId } });
    expect((await finishedRuns(anyStatus)).map((r) => r.triggerName)).toEqual(['Sales: Won']);

    // Reopen, then lose it: the lost event comes after whatever the reopening published, so by the time the
    // _lost automation has run, a trigger from the reopening would have shown too.
    expect(await patch(licence.id, { status: 'open' })).toMatchObject({ status: 'open' });
    await patch(licence.id, { status: 'lost' });
    const [lost] = await finishedRuns(salesLost);
    expect(lost).toMatchObject({ status: 'completed', triggerName: 'Sales: Lost' });
    const closed = await finishedRuns(anyStatus, 2);
    expect(closed.map((r) => r.triggerName).sort()).toEqual(['Sales: Lost', 'Sales: Won']);
    await deals.waitFor((e) => e.body.data.dealId === licence.id, 10_000, 2);
    expect(eventsOf(licence.id)).toEqual([
      [t, 'won'],
      [t, 'lost'],
    ]);
    expect(await runs(salesWon)).toHaveLength(1);
    expect(await runs(renewalsWon)).toEqual([]);

    // Renewals' own _won automation, and only it, runs for a renewal deal won.
    const renewal = await deal(entryId, renewals);
    await patch(renewal.id, { status: 'won' });
    const [renewed] = await finishedRuns(renewalsWon);
    expect(renewed).toMatchObject({ status: 'completed', triggerName: 'Renewals: Won' });
    await finishedRuns(anyStatus, 3);
    expect(await runs(salesWon)).toHaveLength(1);
    expect(await runs(salesLost)).toHaveLength(1);
  });

  it('a stage trigger runs for a deal moved into its stage, named "<Pipeline>: <Stage>"', async () => {
    const pipe = await pipeline('Enterprise', ['Lead', 'Demo', 'Contract']);
    const t = 'deal.stage.changed';
    const toDemo = await automation('Demo', { event: t, triggerId: pipe.stages[1]!.id });
    const toContract = await automation('Contract', { event: t, triggerId: pipe.stages[2]!.id });
    const entryId = await lead();
    const big = await deal(entryId, pipe);

    await patch(big.id, { stageId: pipe.stages[1]!.id });
    const [demo] = await finishedRuns(toDemo);
    expect(demo).toMatchObject({
      status: 'completed',
      triggerName: 'Enterprise: Demo',
      context: { entryId },
    });
    await patch(big.id, { stageId: pipe.stages[2]!.id });
    const [contract] = await finishedRuns(toContract);
    expect(contract).toMatchObject({ status: 'completed', triggerName: 'Enterprise: Contract' });
    // Each automation ran for its own stage only.
    expect(await runs(toDemo)).toHaveLength(1);
    expect(eventsOf(big.id)).toEqual([
      [t, pipe.stages[1]!.id],
      [t, pipe.stages[2]!.id],
    ]);

    // The lead's timeline says where the deal went (ids: the events carry no names).
    const timeline = await eventually(
      async () => {
        const res = await admin.get<{ items: ActivityItem[] }>(`/connect/table_entries/${entryId}/activity`);
        const items = res.body.items ?? [];
        return items.filter((i) => i.type === t).length >= 2 ? items : undefined;
      },
      { timeoutMs: 30_000, message: 'deal events on the timeline' },
    );
    expect(timeline.filter((i) => i.type === t).map((i) => i.summary)).toEqual(
      expect.arrayContaining([
        `Deal moved to stage ${pipe.stages[2]!.id}`,
        `Deal moved to stage ${pipe.stages[1]!.id}`,
      ]),
    );
  });

  it("refuses deal triggers naming another organization's stage or pipeline (400 naming trigger.triggerId)", async () => {
    const theirs = await created(
      stranger.post<Pipeline>('/connect/pipelines', { name: 'Theirs', stages: [{ name: 'Open' }] }),
      'foreign pipeline',
    );
    const refused = async (trigger: Record<string, unknown>) => {
      const res = await admin.post<{ errors?: { field: string; message: string }[] }>('/api/v1/automations', {
        name: 'Refused',
        trigger,
        actions: [],
      });
      return [res.status, res.body.errors];
    };
    expect(await refused({ event: 'deal.stage.changed', triggerId: theirs.stages[0]!.id })).toEqual([
      400,
      [{ field: 'trigger.triggerId', message: 'must be a pipeline stage of this organization' }],
    ]);
    expect(await refused({ event: 'deal.status.changed', triggerId: `${theirs.id}_won` })).toEqual([
      400,
      [{ field: 'trigger.triggerId', message: 'must name a pipeline of this organization' }],
    ]);
    expect(await refused({ event: 'deal.status.changed', triggerId: theirs.id })).toEqual([
      400,
      [{ field: 'trigger.triggerId', message: 'must be "<pipelineId>_won" or "<pipelineId>_lost"' }],
    ]);
  });
});

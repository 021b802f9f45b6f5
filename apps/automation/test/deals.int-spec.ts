import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import {
  COMMANDS,
  CONSUMERS,
  DEAL_STAGE_CHANGED,
  DEAL_STATUS_CHANGED,
  DomainError,
  TRIGGER_STREAMS,
  createEvent,
  uuidv7,
  type Actor,
  type AutomationTrigger,
  type AutomationsCreateCommand,
  type CloudEvent,
  type Pipeline,
  type TableEntry,
} from '@rocketlead/contracts';
import { commandSender, eventually, type CommandSender } from '@rocketlead/testing';
import { FakeLeads, publishEvent, startAutomation, type AutomationUnderTest } from './support';

interface RunRow {
  automation_id: string;
  status: string;
  trigger_name: string | null;
  entry_id: string | null;
}

// Deal triggers end to end inside automation: automations created through its command (the validator asks
// the fake leads for pipelines and stages over NATS), deal events published on the DEALS stream, runs read
// from Postgres.
describe('deal stage and status triggers (real Postgres and NATS, leads answered by a fake on NATS)', () => {
  let auto: AutomationUnderTest;
  let leads: FakeLeads;
  let db: DataSource;
  let send: CommandSender;

  const actorOf = (organizationId: string): Actor => ({
    organizationId,
    channel: 'connect_api',
    apiTokenId: uuidv7(),
    memberId: null,
    correlationId: uuidv7(),
    traceparent: null,
  });

  /** An active automation with no actions, created as the API does (validated against leads). */
  const create = async (organizationId: string, name: string, trigger: AutomationTrigger): Promise<string> =>
    (
      await send(COMMANDS.automationsCreate, {
        actor: actorOf(organizationId),
        name,
        trigger,
        actions: [],
        status: 'active',
      } as AutomationsCreateCommand)
    ).id;

  const refusal = async (organizationId: string, trigger: AutomationTrigger): Promise<unknown> =>
    create(organizationId, 'Refused', trigger).then(
      () => 'created',
      (error: unknown) =>
        error instanceof DomainError ? { code: error.code, details: error.details } : error,
    );

  const runsOf = async (automationId: string): Promise<RunRow[]> =>
    (await db.query(`SELECT * FROM automation.runs WHERE automation_id = $1 ORDER BY started_at, id`, [
      automationId,
    ])) as RunRow[];

  const finishedRuns = (automationId: string, count = 1): Promise<RunRow[]> =>
    eventually(
      async () => {
        const runs = await runsOf(automationId);
        return runs.filter((r) => r.status !== 'running').length >= count ? runs : undefined;
      },
      { timeoutMs: 15_000, message: `${count} finished run(s) of ${automationId}` },
    );

  /** Every event published so far has been handled and acknowledged by automation's consumers. */
  const settled = async (): Promise<void> => {
    const jsm = await auto.nc.jetstreamManager();
    await eventually(
      async () => {
        for (const stream of TRIGGER_STREAMS) {
          const info = await jsm.consumers.info(
            auto.names.stream(stream).name,
            auto.names.consumer(CONSUMERS.automationEvents(stream)),
          );
          if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
        }
        return true;
      },
      { timeoutMs: 20_000, message: 'consumers settled' },
    );
  };

  const statusChanged = (entry: TableEntry, pipeline: Pipeline, status: 'won' | 'lost'): CloudEvent =>
    createEvent({
      type: DEAL_STATUS_CHANGED,
      source: '/leads',
      subject: entry.id,
      data: { dealId: uuidv7(), entryId: entry.id, pipelineId: pipeline.id, status },
      actor: actorOf(entry.organizationId),
    });

  const stageChanged = (entry: TableEntry, pipeline: Pipeline, to: number, from: number): CloudEvent =>
    createEvent({
      type: DEAL_STAGE_CHANGED,
      source: '/leads',
      subject: entry.id,
      data: {
        dealId: uuidv7(),
        entryId: entry.id,
        pipelineId: pipeline.id,
        stageId: pipeline.stages[to]!.id,
        fromStageId: pipeline.stages[from]!.id,
      },
      actor: actorOf(entry.organizationId),
    });

  const entryOf = (organizationId: string): TableEntry =>
    leads.addEntry(leads.addPool(organizationId, 'Inbound', ['New']).pool, { name: 'Lin' });

  beforeAll(async () => {
    auto = await startAutomation('deals');
    leads = FakeLeads.start(auto.nc, auto.names);
    db = auto.app.get(DataSource);
    send = commandSender(auto.nc, auto.names);
  }, 120_000);

  afterAll(async () => {
    leads?.stop();
    await auto?.stop();
  }, 120_000);

  it('runs the <pipelineId>_won automation on a won deal, not the _lost one nor another pipeline’s', async () => {
    const org = uuidv7();
    const sales = leads.addPipeline(org, 'Sales', ['Qualified', 'Proposal']);
    const renewals = leads.addPipeline(org, 'Renewals', ['Due']);
    const t = DEAL_STATUS_CHANGED;
    const salesWon = await create(org, 'Sales won', { event: t, triggerId: `${sales.id}_won` });
    const salesLost = await create(org, 'Sales lost', { event: t, triggerId: `${sales.id}_lost` });
    const renewalsWon = await create(org, 'Renewals won', { event: t, triggerId: `${renewals.id}_won` });
    const anyStatus = await create(org, 'Any deal closed', { event: t });
    const entry = entryOf(org);

    await publishEvent(auto.nc, auto.names, statusChanged(entry, sales, 'won'));
    const [won] = await finishedRuns(salesWon);
    expect(won).toMatchObject({ status: 'completed', trigger_name: 'Sales: Won', entry_id: entry.id });
    await finishedRuns(anyStatus);
    await settled();
    expect(await runsOf(salesLost)).toEqual([]);
    expect(await runsOf(renewalsWon)).toEqual([]);

    await publishEvent(auto.nc, auto.names, statusChanged(entry, sales, 'lost'));
    const [lost] = await finishedRuns(salesLost);
    expect(lost).toMatchObject({ status: 'completed', trigger_name: 'Sales: Lost' });
    await publishEvent(auto.nc, auto.names, statusChanged(entry, renewals, 'won'));
    const [renewed] = await finishedRuns(renewalsWon);
    expect(renewed).toMatchObject({ status: 'completed', trigger_name: 'Renewals: Won' });
    const all = await finishedRuns(anyStatus, 3);
    await settled();
    expect(await runsOf(salesWon)).toHaveLength(1);
    expect(await runsOf(salesLost)).toHaveLength(1);
    expect(all.map((r) => r.trigger_name)).toEqual(['Sales: Won', 'Sales: Lost', 'Renewals: Won']);
  });

  it('runs a stage trigger only for a deal moved into its stage, named "<Pipeline>: <Stage>"', async () => {
    const org = uuidv7();
    const sales = leads.addPipeline(org, 'Sales', ['Qualified', 'Proposal', 'Negotiation']);
    const t = DEAL_STAGE_CHANGED;
    const toProposal = await create(org, 'Proposal', { event: t, triggerId: sales.stages[1]!.id });
    const toNegotiation = await create(org, 'Negotiation', { event: t, triggerId: sales.stages[2]!.id });
    const toQualified = await create(org, 'Qualified', { event: t, triggerId: sales.stages[0]!.id });
    const entry = entryOf(org);

    // Qualified → Proposal: the stage left (Qualified) does not fire.
    await publishEvent(auto.nc, auto.names, stageChanged(entry, sales, 1, 0));
    const [run] = await finishedRuns(toProposal);
    expect(run).toMatchObject({ status: 'completed', trigger_name: 'Sales: Proposal', entry_id: entry.id });
    await settled();
    expect(await runsOf(toNegotiation)).toEqual([]);
    expect(await runsOf(toQualified)).toEqual([]);

    await publishEvent(auto.nc, auto.names, stageChanged(entry, sales, 2, 1));
    const [negotiation] = await finishedRuns(toNegotiation);
    expect(negotiation).toMatchObject({ trigger_name: 'Sales: Negotiation' });
    await settled();
    expect(await runsOf(toProposal)).toHaveLength(1);
    expect(await runsOf(toQualified)).toEqual([]);
  });

  it("refuses deal triggers naming another organization's stage or pipeline, or a malformed composite", async () => {
    const org = uuidv7();
    const other = uuidv7();
    const foreign = leads.addPipeline(other, 'Theirs', ['Open']);
    const ours = leads.addPipeline(org, 'Ours', ['Open']);
    const refused = (message: string) => ({
      code: 'VALIDATION_FAILED',
      details: { errors: [{ field: 'trigger.triggerId', message }] },
    });
    expect(await refusal(org, { event: DEAL_STAGE_CHANGED, triggerId: foreign.stages[0]!.id })).toEqual(
      refused('must be a pipeline stage of this organization'),
    );
    expect(await refusal(org, { event: DEAL_STATUS_CHANGED, triggerId: `${foreign.id}_won` })).toEqual(
      refused('must name a pipeline of this organization'),
    );
    expect(await refusal(org, { event: DEAL_STATUS_CHANGED, triggerId: `${ours.id}_open` })).toEqual(
      refused('must be "<pipelineId>_won" or "<pipelineId>_lost"'),
    );
    // The same ids are accepted for their own organization.
    await expect(
      create(other, 'Theirs won', { event: DEAL_STATUS_CHANGED, triggerId: `${foreign.id}_won` }),
    ).resolves.toEqual(expect.any(String));
    await expect(
      create(org, 'Ours open stage', { event: DEAL_STAGE_CHANGED, triggerId: ours.stages[0]!.id }),
    ).resolves.toEqual(expect.any(String));
  });
});

import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  COMMANDS,
  DEAL_LIMITS,
  DEAL_STAGE_CHANGED,
  DEAL_STATUS_CHANGED,
  DomainError,
  uuidv7,
  type Actor,
  type Pipeline,
  type TableEntry,
} from '@rocketlead/contracts';
import { commandSender, failure, type CommandSender, type EventCollector } from '@rocketlead/testing';
import { startLeads, type LeadsUnderTest } from './support';

const fields = (error: DomainError): string[] =>
  ((error.details?.errors ?? []) as { field: string }[]).map((e) => e.field);

describe('leads deals: pipelines, deals and their stage and status events (real Postgres and NATS)', () => {
  let leads: LeadsUnderTest;
  let send: CommandSender;
  let events: EventCollector;

  /** Each test its own organization, so lists start empty. */
  function organization(): { org: string; actor: Actor } {
    const org = uuidv7();
    return {
      org,
      actor: {
        organizationId: org,
        channel: 'connect_api',
        apiTokenId: uuidv7(),
        memberId: null,
        correlationId: 'deals',
        traceparent: null,
      },
    };
  }

  async function entry(actor: Actor): Promise<TableEntry> {
    const org = actor.organizationId;
    const pool = await send(COMMANDS.poolsCreate, { organizationId: org, name: 'Pool' });
    await send(COMMANDS.leadStatesCreate, {
      organizationId: org,
      tableId: pool.id,
      name: 'New',
      isDefault: true,
    });
    return send(COMMANDS.entriesCreate, {
      actor,
      tableId: pool.id,
      data: { name: 'Ada' },
      schemaMode: 'infer',
    });
  }

  const pipeline = (org: string, stages = ['Lead', 'Offer', 'Contract']): Promise<Pipeline> =>
    send(COMMANDS.pipelinesCreate, {
      organizationId: org,
      name: 'Sales',
      stages: stages.map((name) => ({ name })),
    });

  const ofDeal = (type: string, dealId: string) =>
    events.events.filter((e) => e.body.type === type && e.body.subject === dealId);

  beforeAll(async () => {
    leads = await startLeads('deals');
    send = commandSender(leads.nc, leads.names);
    events = await leads.collect('DEALS');
  }, 120_000);

  afterAll(async () => {
    await events?.stop();
    await leads?.stop();
  }, 120_000);

  it('creates pipelines with ordered stages, pages them, renames, reorders, adds and removes stages', async () => {
    const { org } = organization();
    const sales = await pipeline(org);
    expect(sales).toMatchObject({ name: 'Sales' });
    expect(sales.stages.map((s) => [s.name, s.position])).toEqual([
      ['Lead', 0],
      ['Offer', 1],
      ['Contract', 2],
    ]);
    expect(await send(COMMANDS.pipelinesGet, { organizationId: org, id: sales.id })).toEqual(sales);
    const other = await pipeline(org, ['Only']);

    const first = await send(COMMANDS.pipelinesList, { organizationId: org, limit: 1 });
    expect(first.items.map((p) => p.id)).toEqual([other.id]);
    const second = await send(COMMANDS.pipelinesList, {
      organizationId: org,
      limit: 1,
      cursor: first.nextCursor!,
    });
    expect(second.items).toEqual([sales]);
    expect(second.nextCursor).toBeNull();

    const [lead, offer, contract] = sales.stages;
    const changed = await send(COMMANDS.pipelinesUpdate, {
      organizationId: org,
      id: sales.id,
      name: 'Sales EU',
      stages: [{ id: offer!.id, name: 'Proposal' }, { name: 'Negotiation' }, { id: lead!.id, name: 'Lead' }],
    });
    expect(changed.name).toBe('Sales EU');
    expect(changed.stages.map((s) => [s.name, s.position])).toEqual([
      ['Proposal', 0],
      ['Negotiation', 1],
      ['Lead', 2],
    ]);
    expect(changed.stages[0]!.id).toBe(offer!.id);
    expect(changed.stages[2]!.id).toBe(lead!.id);
    expect(changed.stages.map((s) => s.id)).not.toContain(contract!.id);
    expect(Date.parse(changed.updatedAt)).toBeGreaterThanOrEqual(Date.parse(sales.updatedAt));
    // A rename alone keeps the stages.
    const renamed = await send(COMMANDS.pipelinesUpdate, {
      organizationId: org,
      id: sales.id,
      name: 'Sales',
    });
    expect(renamed.stages).toEqual(changed.stages);
    expect(
      await send(COMMANDS.pipelinesByStage, { organizationId: org, stageId: changed.stages[1]!.id }),
    ).toEqual(renamed);

    // The stages as read (with their positions), one appended: nothing else changes.
    const appended = await send(COMMANDS.pipelinesUpdate, {
      organizationId: org,
      id: sales.id,
      stages: [...renamed.stages, { name: 'Won' }],
    });
    expect(appended.stages.map((s) => [s.name, s.position])).toEqual([
      ['Proposal', 0],
      ['Negotiation', 1],
      ['Lead', 2],
      ['Won', 3],
    ]);
    expect(appended.stages.slice(0, 3)).toEqual(renamed.stages);
    // Reordered by id and position alone: every stage keeps its name.
    const [proposal, negotiation, leadAgain, won] = appended.stages;
    const reordered = await send(COMMANDS.pipelinesUpdate, {
      organizationId: org,
      id: sales.id,
      stages: [
        { id: proposal!.id, position: 1 },
        { id: negotiation!.id, position: 3 },
        { id: leadAgain!.id, position: 0 },
        { id: won!.id, position: 2 },
      ],
    });
    expect(reordered.stages.map((s) => s.name)).toEqual(['Lead', 'Proposal', 'Won', 'Negotiation']);
    const nameless = await failure(
      send(COMMANDS.pipelinesUpdate, {
        organizationId: org,
        id: sales.id,
        stages: [...reordered.stages, { position: 4 }],
      }),
    );
    expect(nameless.code).toBe('VALIDATION_FAILED');
    expect(new Set(fields(nameless))).toEqual(new Set(['stages[4].name']));
    await send(COMMANDS.pipelinesUpdate, { organizationId: org, id: sales.id, stages: changed.stages });

    const unknown = await failure(
      send(COMMANDS.pipelinesUpdate, {
        organizationId: org,
        id: sales.id,
        stages: [
          { id: offer!.id, name: 'Proposal' },
          { id: other.stages[0]!.id, name: 'Stolen' },
        ],
      }),
    );
    expect(unknown.code).toBe('VALIDATION_FAILED');
    expect(fields(unknown)).toEqual(['stages[1].id']);
    const twice = await failure(
      send(COMMANDS.pipelinesUpdate, {
        organizationId: org,
        id: sales.id,
        stages: [
          { id: offer!.id, name: 'A' },
          { id: offer!.id, name: 'B' },
        ],
      }),
    );
    expect(fields(twice)).toEqual(['stages[1].id']);

    // Another organization sees none of it.
    const foreign = uuidv7();
    expect((await failure(send(COMMANDS.pipelinesGet, { organizationId: foreign, id: sales.id }))).code).toBe(
      'NOT_FOUND',
    );
    expect(
      (await failure(send(COMMANDS.pipelinesByStage, { organizationId: foreign, stageId: offer!.id }))).code,
    ).toBe('NOT_FOUND');
    expect(
      (await failure(send(COMMANDS.pipelinesUpdate, { organizationId: foreign, id: sales.id, name: 'X' })))
        .code,
    ).toBe('NOT_FOUND');
    expect((await send(COMMANDS.pipelinesList, { organizationId: foreign, limit: 10 })).items).toEqual([]);
  });

  it('validates pipelines: stage count, new stages without ids, the organization limit', async () => {
    const { org } = organization();
    const none = await failure(
      send(COMMANDS.pipelinesCreate, { organizationId: org, name: 'Empty', stages: [] }),
    );
    expect(none.code).toBe('VALIDATION_FAILED');
    expect(fields(none)).toEqual(['stages']);
    const tooMany = await failure(
      pipeline(
        org,
        Array.from({ length: DEAL_LIMITS.stagesPerPipeline + 1 }, (_, i) => `S${i}`),
      ),
    );
    expect(fields(tooMany)).toEqual(['stages']);
    const withId = await failure(
      send(COMMANDS.pipelinesCreate, {
        organizationId: org,
        name: 'P',
        stages: [{ id: uuidv7(), name: 'S' }],
      }),
    );
    expect(fields(withId)).toEqual(['stages[0].id']);

    await Promise.all(
      Array.from({ length: DEAL_LIMITS.pipelinesPerOrganization }, () => pipeline(org, ['S'])),
    );
    const full = await failure(pipeline(org, ['S']));
    expect(full.code).toBe('VALIDATION_FAILED');
    expect(fields(full)).toEqual(['name']);
  });

  it('ends a page of pipelines before it outgrows a reply, and continues after it', async () => {
    const { org } = organization();
    // 50 stages of 200 three-byte characters: about 35 KB a pipeline, so 20 of them pass the page budget.
    const wide = Array.from({ length: DEAL_LIMITS.stagesPerPipeline }, (_, i) => `${i}`.padEnd(200, '€'));
    const made: string[] = [];
    for (let i = 0; i < 20; i++) made.push((await pipeline(org, wide)).id);
    const first = await send(COMMANDS.pipelinesList, { organizationId: org, limit: 100 });
    expect(first.items.length).toBeGreaterThan(0);
    expect(first.items.length).toBeLessThan(20);
    expect(first.nextCursor).not.toBeNull();
    const rest = await send(COMMANDS.pipelinesList, {
      organizationId: org,
      limit: 100,
      cursor: first.nextCursor!,
    });
    expect([...first.items, ...rest.items].map((p) => p.id)).toEqual(made.reverse());
    expect(rest.nextCursor).toBeNull();
  });

  it('creates deals in the first stage by default or the one given, and validates their references', async () => {
    const { org, actor } = organization();
    const lead = await entry(actor);
    const sales = await pipeline(org);
    const deal = await send(COMMANDS.dealsCreate, {
      actor,
      entryId: lead.id,
      pipelineId: sales.id,
      title: 'Website',
      value: 1250.5,
      currency: 'EUR',
    });
    expect(deal).toMatchObject({
      entryId: lead.id,
      pipelineId: sales.id,
      stageId: sales.stages[0]!.id,
      title: 'Website',
      value: 1250.5,
      currency: 'EUR',
      status: 'open',
    });
    expect(await send(COMMANDS.dealsGet, { organizationId: org, id: deal.id })).toEqual(deal);
    const later = await send(COMMANDS.dealsCreate, {
      actor,
      entryId: lead.id,
      pipelineId: sales.id,
      stageId: sales.stages[2]!.id,
      title: 'Hosting',
    });
    expect(later).toMatchObject({ stageId: sales.stages[2]!.id, value: null, currency: null });

    const other = await pipeline(org, ['Elsewhere']);
    const base = { actor, entryId: lead.id, pipelineId: sales.id, title: 'T' };
    const cases: [Record<string, unknown>, string][] = [
      [{ stageId: other.stages[0]!.id }, 'stageId'],
      [{ pipelineId: uuidv7() }, 'pipelineId'],
      [{ entryId: uuidv7() }, 'entryId'],
      [{ currency: 'EUR' }, 'currency'],
      [{ currency: 'euro', value: 1 }, 'currency'],
      [{ title: '' }, 'title'],
    ];
    for (const [change, field] of cases) {
      const error = await failure(send(COMMANDS.dealsCreate, { ...base, ...change } as typeof base));
      expect([error.code, fields(error)]).toEqual(['VALIDATION_FAILED', [field]]);
    }
    // Another organization's pipeline and entry are not this one's.
    const stranger = organization();
    const foreign = await failure(send(COMMANDS.dealsCreate, { ...base, actor: stranger.actor }));
    expect(fields(foreign)).toEqual(['pipelineId']);
    const foreignEntry = await entry(stranger.actor);
    expect(fields(await failure(send(COMMANDS.dealsCreate, { ...base, entryId: foreignEntry.id })))).toEqual([
      'entryId',
    ]);
    expect((await failure(send(COMMANDS.dealsGet, { organizationId: stranger.org, id: deal.id }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('pages deals newest first, filtered by entry, pipeline and status', async () => {
    const { org, actor } = organization();
    const [ada, bob] = [await entry(actor), await entry(actor)];
    const [sales, support] = [await pipeline(org), await pipeline(org, ['Open'])];
    const made = [];
    for (const [lead, p] of [
      [ada, sales],
      [bob, sales],
      [ada, support],
      [ada, sales],
    ] as const) {
      made.push(await send(COMMANDS.dealsCreate, { actor, entryId: lead.id, pipelineId: p.id, title: 'D' }));
    }
    await send(COMMANDS.dealsUpdate, { actor, id: made[3]!.id, status: 'won' });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await send(COMMANDS.dealsList, {
        organizationId: org,
        limit: 3,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(made.map((d) => d.id).reverse());

    const ids = async (filter: Record<string, string>) =>
      (await send(COMMANDS.dealsList, { organizationId: org, limit: 10, ...filter })).items.map((d) => d.id);
    expect(await ids({ entryId: ada.id })).toEqual([made[3]!.id, made[2]!.id, made[0]!.id]);
    expect(await ids({ pipelineId: sales.id })).toEqual([made[3]!.id, made[1]!.id, made[0]!.id]);
    expect(await ids({ entryId: ada.id, pipelineId: sales.id, status: 'open' })).toEqual([made[0]!.id]);
    expect(await ids({ status: 'won' })).toEqual([made[3]!.id]);
    expect((await send(COMMANDS.dealsList, { organizationId: uuidv7(), limit: 10 })).items).toEqual([]);
  });

  it('emits deal.stage.changed once per move, nothing for the same stage, and refuses another pipeline', async () => {
    const { org, actor } = organization();
    const lead = await entry(actor);
    const sales = await pipeline(org);
    const other = await pipeline(org, ['Elsewhere']);
    const [s0, s1, s2] = sales.stages.map((s) => s.id);
    const deal = await send(COMMANDS.dealsCreate, {
      actor,
      entryId: lead.id,
      pipelineId: sales.id,
      title: 'D',
    });

    const moved = await send(COMMANDS.dealsUpdate, { actor, id: deal.id, stageId: s1! });
    expect(moved.stageId).toBe(s1);
    expect(await send(COMMANDS.dealsUpdate, { actor, id: deal.id, stageId: s1! })).toEqual(moved);
    const wrong = await failure(
      send(COMMANDS.dealsUpdate, { actor, id: deal.id, stageId: other.stages[0]!.id }),
    );
    expect([wrong.code, fields(wrong)]).toEqual(['VALIDATION_FAILED', ['stageId']]);
    // A change of the title alone moves nothing.
    expect((await send(COMMANDS.dealsUpdate, { actor, id: deal.id, title: 'Renamed' })).title).toBe(
      'Renamed',
    );
    // The marker: the relay publishes in order, so any event of a no-op is in by then.
    await send(COMMANDS.dealsUpdate, { actor, id: deal.id, stageId: s2! });
    await events.waitFor((e) => e.body.subject === deal.id && e.body.data.stageId === s2);

    expect(ofDeal(DEAL_STAGE_CHANGED, deal.id).map((e) => e.body.data)).toEqual([
      { dealId: deal.id, entryId: lead.id, pipelineId: sales.id, stageId: s1, fromStageId: s0 },
      { dealId: deal.id, entryId: lead.id, pipelineId: sales.id, stageId: s2, fromStageId: s1 },
    ]);
    expect(ofDeal(DEAL_STAGE_CHANGED, deal.id)[0]).toMatchObject({
      subject: leads.names.eventSubject(DEAL_STAGE_CHANGED),
      body: { source: '/leads', apitokenid: actor.apiTokenId, channel: 'connect_api' },
    });
    expect(ofDeal(DEAL_STATUS_CHANGED, deal.id)).toEqual([]);
    expect(
      (await failure(send(COMMANDS.dealsUpdate, { actor: organization().actor, id: deal.id, stageId: s0! })))
        .code,
    ).toBe('NOT_FOUND');
  });

  it('emits deal.status.changed for won and lost only; reopening and the same status emit nothing', async () => {
    const { org, actor } = organization();
    const lead = await entry(actor);
    const sales = await pipeline(org);
    const deal = await send(COMMANDS.dealsCreate, {
      actor,
      entryId: lead.id,
      pipelineId: sales.id,
      title: 'D',
    });

    expect((await send(COMMANDS.dealsUpdate, { actor, id: deal.id, status: 'won' })).status).toBe('won');
    await send(COMMANDS.dealsUpdate, { actor, id: deal.id, status: 'won' });
    expect((await send(COMMANDS.dealsUpdate, { actor, id: deal.id, status: 'open' })).status).toBe('open');
    await send(COMMANDS.dealsUpdate, { actor, id: deal.id, status: 'lost' });
    // Won straight to lost is allowed and emits: the deal ended differently.
    await send(COMMANDS.dealsUpdate, { actor, id: deal.id, status: 'won' });
    // The marker after the rest.
    await send(COMMANDS.dealsUpdate, { actor, id: deal.id, status: 'lost' });
    await events.waitFor((e) => e.body.subject === deal.id && e.body.type === DEAL_STATUS_CHANGED, 10_000, 4);

    expect(ofDeal(DEAL_STATUS_CHANGED, deal.id).map((e) => e.body.data.status)).toEqual([
      'won',
      'lost',
      'won',
      'lost',
    ]);
    expect(ofDeal(DEAL_STATUS_CHANGED, deal.id)[0]!.body.data).toEqual({
      dealId: deal.id,
      entryId: lead.id,
      pipelineId: sales.id,
      status: 'won',
    });
    expect(ofDeal(DEAL_STAGE_CHANGED, deal.id)).toEqual([]);
  });

  it('emits once when the same move or the same win arrives concurrently', async () => {
    const { org, actor } = organization();
    const lead = await entry(actor);
    const sales = await pipeline(org);
    const deal = await send(COMMANDS.dealsCreate, {
      actor,
      entryId: lead.id,
      pipelineId: sales.id,
      title: 'D',
    });
    const target = sales.stages[2]!.id;
    const moves = await Promise.all(
      Array.from({ length: 5 }, () => send(COMMANDS.dealsUpdate, { actor, id: deal.id, stageId: target })),
    );
    expect(moves.map((d) => d.stageId)).toEqual(Array(5).fill(target));
    await Promise.all(
      Array.from({ length: 5 }, () => send(COMMANDS.dealsUpdate, { actor, id: deal.id, status: 'won' })),
    );
    // The marker: a last change, published after whatever the concurrent ones did.
    await send(COMMANDS.dealsUpdate, { actor, id: deal.id, status: 'lost' });
    await events.waitFor((e) => e.body.subject === deal.id && e.body.data.status === 'lost');
    expect(ofDeal(DEAL_STAGE_CHANGED, deal.id)).toHaveLength(1);
    expect(ofDeal(DEAL_STATUS_CHANGED, deal.id).map((e) => e.body.data.status)).toEqual(['won', 'lost']);
  });

  it('changes title, value and currency without events; a currency needs a value', async () => {
    const { org, actor } = organization();
    const lead = await entry(actor);
    const sales = await pipeline(org);
    const deal = await send(COMMANDS.dealsCreate, {
      actor,
      entryId: lead.id,
      pipelineId: sales.id,
      title: 'D',
    });
    const priced = await send(COMMANDS.dealsUpdate, { actor, id: deal.id, value: 99.99, currency: 'USD' });
    expect(priced).toMatchObject({ value: 99.99, currency: 'USD', status: 'open', stageId: deal.stageId });
    // Taking the value away takes its currency.
    expect(await send(COMMANDS.dealsUpdate, { actor, id: deal.id, value: null })).toMatchObject({
      value: null,
      currency: null,
    });
    const orphan = await failure(send(COMMANDS.dealsUpdate, { actor, id: deal.id, currency: 'USD' }));
    expect(fields(orphan)).toEqual(['currency']);
    const bad = await failure(send(COMMANDS.dealsUpdate, { actor, id: deal.id, status: 'done' as 'won' }));
    expect(fields(bad)).toEqual(['status']);
    // Both kinds of change in one PATCH emit both.
    await send(COMMANDS.dealsUpdate, { actor, id: deal.id, stageId: sales.stages[1]!.id, status: 'won' });
    await events.waitFor((e) => e.body.subject === deal.id, 10_000, 2);
    expect(events.events.filter((e) => e.body.subject === deal.id).map((e) => e.body.type)).toEqual([
      DEAL_STAGE_CHANGED,
      DEAL_STATUS_CHANGED,
    ]);
  });

  it('keeps stages holding deals and pipelines with open deals: 409', async () => {
    const { org, actor } = organization();
    const lead = await entry(actor);
    const sales = await pipeline(org);
    const [s0, s1, s2] = sales.stages.map((s) => s.id);
    const deal = await send(COMMANDS.dealsCreate, {
      actor,
      entryId: lead.id,
      pipelineId: sales.id,
      stageId: s1!,
      title: 'D',
    });

    const held = await failure(
      send(COMMANDS.pipelinesUpdate, {
        organizationId: org,
        id: sales.id,
        stages: [
          { id: s0!, name: 'Lead' },
          { id: s2!, name: 'Contract' },
        ],
      }),
    );
    expect([held.code, fields(held)]).toEqual(['CONFLICT', ['stages']]);
    expect((await send(COMMANDS.pipelinesGet, { organizationId: org, id: sales.id })).stages).toEqual(
      sales.stages,
    );

    const open = await failure(send(COMMANDS.pipelinesDelete, { organizationId: org, id: sales.id }));
    expect(open.code).toBe('CONFLICT');
    await send(COMMANDS.dealsUpdate, { actor, id: deal.id, status: 'lost' });
    // A lost deal still holds its stage.
    expect(
      (
        await failure(
          send(COMMANDS.pipelinesUpdate, {
            organizationId: org,
            id: sales.id,
            stages: [{ id: s0!, name: 'Lead' }],
          }),
        )
      ).code,
    ).toBe('CONFLICT');

    const deleted = await send(COMMANDS.pipelinesDelete, { organizationId: org, id: sales.id });
    expect(deleted.id).toBe(sales.id);
    expect((await failure(send(COMMANDS.pipelinesGet, { organizationId: org, id: sales.id }))).code).toBe(
      'NOT_FOUND',
    );
    // Its won and lost deals went with it.
    expect((await failure(send(COMMANDS.dealsGet, { organizationId: org, id: deal.id }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await failure(send(COMMANDS.pipelinesDelete, { organizationId: org, id: sales.id }))).code).toBe(
      'NOT_FOUND',
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Deal, Page, Pipeline } from '@rocketlead/contracts';
import { EventCollector, withContext, type ApiResponse } from '@rocketlead/testing';
import { Api, E2E, type PoolSetup, created } from './support/platform';

// Pipelines and deals over HTTP against the running platform: status codes, scopes, the fields a 400 names,
// another organization's 404, and the deal events leads publishes on the DEALS stream.

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: { field: string; message: string }[];
}

const MISSING = '00000000-0000-4000-8000-000000000000';

const fieldsOf = (res: ApiResponse<unknown>): string[] =>
  ((res.body as ErrorBody).errors ?? []).map((e) => e.field).sort();

function expectError(res: ApiResponse<unknown>, status: number, field: string): void {
  withContext(JSON.stringify(res.body), () => {
    expect(res.status).toBe(status);
    expect(fieldsOf(res)).toContain(field);
  });
}

describe('pipelines and deals over HTTP (all services as processes)', () => {
  let e2e: E2E;
  let admin: Api;
  let other: Api;
  let reader: Api;
  let writer: Api;
  let writerTokenId: string;
  let pool: PoolSetup;
  let deals: EventCollector;

  const pipeline = (name: string, stages: string[], api: Api = admin): Promise<Pipeline> =>
    created(
      api.post<Pipeline>('/connect/pipelines', { name, stages: stages.map((stage) => ({ name: stage })) }),
      'pipeline',
    );
  const lead = async (): Promise<string> =>
    (
      await created(
        admin.post<{ id: string }>('/connect/table_entries', { tableId: pool.poolId, data: {} }),
        'lead',
      )
    ).id;
  const ofDeal = (dealId: string) => deals.events.filter((e) => e.body.subject === dealId);

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin } = await e2e.organization('Deals'));
    ({ admin: other } = await e2e.organization('Other'));
    ({ api: reader } = await e2e.token(admin, ['read']));
    ({ api: writer, tokenId: writerTokenId } = await e2e.token(admin, ['write']));
    pool = await e2e.pool(admin);
    deals = await EventCollector.start(e2e.nc, e2e.names.stream('DEALS').name);
  }, 180_000);

  afterAll(async () => {
    await deals?.stop();
    await e2e?.stop();
  }, 120_000);

  it('manages pipelines: 201 with ordered stages, paged list, PATCH reorders and adds, DELETE 204', async () => {
    const sales = await pipeline('Sales', ['Lead', 'Offer']);
    expect(sales.stages.map((s) => [s.name, s.position])).toEqual([
      ['Lead', 0],
      ['Offer', 1],
    ]);
    const support = await pipeline('Support', ['Open']);
    const first = await reader.get<Page<Pipeline>>('/connect/pipelines?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items.map((p) => p.id)).toEqual([support.id]);
    const second = await reader.get<Page<Pipeline>>(
      `/connect/pipelines?limit=1&cursor=${encodeURIComponent(first.body.nextCursor!)}`,
    );
    expect(second.body.items.map((p) => p.id)).toEqual([sales.id]);
    expect((await reader.get<Pipeline>(`/connect/pipelines/${sales.id}`)).body).toEqual(sales);

    const [leadStage, offer] = sales.stages;
    const reordered = await admin.patch<Pipeline>(`/connect/pipelines/${sales.id}`, {
      stages: [{ id: offer!.id, name: 'Offer' }, { name: 'Won back' }, { id: leadStage!.id, name: 'Lead' }],
    });
    expect(reordered.status).toBe(200);
    expect(reordered.body.stages.map((s) => [s.id === offer!.id || s.id === leadStage!.id, s.name])).toEqual([
      [true, 'Offer'],
      [false, 'Won back'],
      [true, 'Lead'],
    ]);
    expectError(
      await admin.patch(`/connect/pipelines/${sales.id}`, { stages: [{ id: MISSING, name: 'X' }] }),
      400,
      'stages[0].id',
    );
    expectError(await admin.post('/connect/pipelines', { name: 'No stages', stages: [] }), 400, 'stages');
    expectError(await admin.post('/connect/pipelines', { stages: [{ name: 'S' }] }), 400, 'name');

    const removed = await admin.delete(`/connect/pipelines/${support.id}`);
    expect(removed.status).toBe(204);
    expect((await admin.get(`/connect/pipelines/${support.id}`)).status).toBe(404);
  });

  it('lets read only read pipelines and write only deals (403); another organization gets 404', async () => {
    const sales = await pipeline('Scoped', ['S']);
    for (const res of [
      await reader.post('/connect/pipelines', { name: 'P', stages: [{ name: 'S' }] }),
      await writer.post('/connect/pipelines', { name: 'P', stages: [{ name: 'S' }] }),
      await writer.patch(`/connect/pipelines/${sales.id}`, { name: 'P' }),
      await writer.delete(`/connect/pipelines/${sales.id}`),
      await reader.post('/connect/deals', { entryId: MISSING, pipelineId: sales.id, title: 'T' }),
      await reader.patch(`/connect/deals/${MISSING}`, { title: 'T' }),
    ])
      expect(res).toMatchObject({ status: 403, body: { error: 'Forbidden' } });
    expect((await e2e.anonymous().get('/connect/pipelines')).status).toBe(401);

    const entryId = await lead();
    const deal = await created(
      writer.post<Deal>('/connect/deals', { entryId, pipelineId: sales.id, title: 'Mine' }),
      'deal',
    );
    expect((await other.get(`/connect/pipelines/${sales.id}`)).status).toBe(404);
    expect((await other.patch(`/connect/pipelines/${sales.id}`, { name: 'Stolen' })).status).toBe(404);
    expect((await other.delete(`/connect/pipelines/${sales.id}`)).status).toBe(404);
    expect((await other.get(`/connect/deals/${deal.id}`)).status).toBe(404);
    expect((await other.patch(`/connect/deals/${deal.id}`, { title: 'Stolen' })).status).toBe(404);
    expect((await other.get<Page<Deal>>('/connect/deals')).body.items).toEqual([]);
    // Another organization's pipeline is not one to put a deal in.
    expectError(
      await other.post('/connect/deals', { entryId, pipelineId: sales.id, title: 'Stolen' }),
      400,
      'pipelineId',
    );
    expect((await admin.get(`/connect/deals/${MISSING}`)).status).toBe(404);
  });

  it('creates, lists and moves deals; events on NATS once per change, none for a no-op or a reopening', async () => {
    const sales = await pipeline('Sales', ['Lead', 'Offer', 'Contract']);
    const other = await pipeline('Elsewhere', ['X']);
    const [s0, s1, s2] = sales.stages.map((s) => s.id);
    const entryId = await lead();

    const res = await writer.post<Deal>('/connect/deals', {
      entryId,
      pipelineId: sales.id,
      title: 'Website',
      value: 4200,
      currency: 'EUR',
    });
    expect(res.status).toBe(201);
    const deal = res.body;
    expect(deal).toMatchObject({
      entryId,
      pipelineId: sales.id,
      stageId: s0,
      title: 'Website',
      value: 4200,
      currency: 'EUR',
      status: 'open',
    });
    expect(Object.keys(deal).sort()).toEqual(
      [
        'id',
        'entryId',
        'pipelineId',
        'stageId',
        'title',
        'value',
        'currency',
        'status',
        'createdAt',
        'updatedAt',
      ].sort(),
    );

    const base = { entryId, pipelineId: sales.id, title: 'T' };
    expectError(
      await writer.post('/connect/deals', { ...base, stageId: other.stages[0]!.id }),
      400,
      'stageId',
    );
    expectError(await writer.post('/connect/deals', { ...base, entryId: MISSING }), 400, 'entryId');
    expectError(await writer.post('/connect/deals', { ...base, pipelineId: MISSING }), 400, 'pipelineId');
    expectError(await writer.post('/connect/deals', { ...base, entryId: 'nope' }), 400, 'entryId');
    expectError(await writer.post('/connect/deals', { ...base, currency: 'eur', value: 1 }), 400, 'currency');
    expectError(await writer.post('/connect/deals', { entryId, pipelineId: sales.id }), 400, 'title');

    const listed = await reader.get<Page<Deal>>(
      `/connect/deals?entryId=${entryId}&pipelineId=${sales.id}&status=open`,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([deal]);
    expectError(await reader.get('/connect/deals?status=done'), 400, 'status');
    expectError(await reader.get('/connect/deals?limit=101'), 400, 'limit');

    const moved = await writer.patch<Deal>(`/connect/deals/${deal.id}`, { stageId: s1 });
    expect(moved).toMatchObject({ status: 200, body: { stageId: s1 } });
    expect((await writer.patch<Deal>(`/connect/deals/${deal.id}`, { stageId: s1 })).status).toBe(200);
    expectError(
      await writer.patch(`/connect/deals/${deal.id}`, { stageId: other.stages[0]!.id }),
      400,
      'stageId',
    );
    expectError(await writer.patch(`/connect/deals/${deal.id}`, { status: 'done' }), 400, 'status');
    expect((await writer.patch<Deal>(`/connect/deals/${deal.id}`, { status: 'won' })).body.status).toBe(
      'won',
    );
    expect((await writer.patch<Deal>(`/connect/deals/${deal.id}`, { status: 'open' })).body.status).toBe(
      'open',
    );
    expect(
      (await writer.patch<Deal>(`/connect/deals/${deal.id}`, { stageId: s2, status: 'lost' })).body,
    ).toMatchObject({ stageId: s2, status: 'lost' });
    expect((await reader.get<Deal>(`/connect/deals/${deal.id}`)).body).toMatchObject({
      stageId: s2,
      status: 'lost',
    });

    // The last PATCH's two events come after everything the earlier ones published (one relay, in order).
    await deals.waitFor((e) => e.body.subject === deal.id && e.body.data.status === 'lost');
    expect(ofDeal(deal.id).map((e) => [e.body.type, e.body.data])).toEqual([
      [
        'deal.stage.changed',
        { dealId: deal.id, entryId, pipelineId: sales.id, stageId: s1, fromStageId: s0 },
      ],
      ['deal.status.changed', { dealId: deal.id, entryId, pipelineId: sales.id, status: 'won' }],
      [
        'deal.stage.changed',
        { dealId: deal.id, entryId, pipelineId: sales.id, stageId: s2, fromStageId: s1 },
      ],
      ['deal.status.changed', { dealId: deal.id, entryId, pipelineId: sales.id, status: 'lost' }],
    ]);
    expect(ofDeal(deal.id)[0]).toMatchObject({
      subject: e2e.names.eventSubject('deal.stage.changed'),
      body: { source: '/leads', channel: 'connect_api', apitokenid: writerTokenId },
    });
  });

  it('refuses to remove a stage holding a deal or a pipeline with an open deal (409)', async () => {
    const sales = await pipeline('Held', ['Lead', 'Offer']);
    const entryId = await lead();
    const deal = await created(
      writer.post<Deal>('/connect/deals', {
        entryId,
        pipelineId: sales.id,
        stageId: sales.stages[1]!.id,
        title: 'D',
      }),
      'deal',
    );
    expectError(
      await admin.patch(`/connect/pipelines/${sales.id}`, {
        stages: [{ id: sales.stages[0]!.id, name: 'Lead' }],
      }),
      409,
      'stages',
    );
    const open = await admin.delete(`/connect/pipelines/${sales.id}`);
    expect(open.status).toBe(409);
    expect((await admin.get<Pipeline>(`/connect/pipelines/${sales.id}`)).body.stages).toHaveLength(2);

    expect((await writer.patch(`/connect/deals/${deal.id}`, { status: 'won' })).status).toBe(200);
    expect((await admin.delete(`/connect/pipelines/${sales.id}`)).status).toBe(204);
    expect((await reader.get(`/connect/deals/${deal.id}`)).status).toBe(404);
  });
});

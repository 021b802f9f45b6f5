import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AUTOMATION_LIMITS } from '@rocketlead/contracts';
import { withContext } from '@rocketlead/testing';
import { startIngress, type IngressUnderTest, type Res } from './support';

// The automations routes (/api/v1): ingress in-process, leads, calendar and automation as real processes.
describe('ingress automation routes (real Postgres and NATS; leads, calendar and automation as processes)', () => {
  let ingress: IngressUnderTest;
  let admin: string;
  let writer: string;
  let reader: string;
  let stranger: string;
  const call: IngressUnderTest['call'] = (...args) => ingress.call(...args);

  // Each field once (a field failing several rules is listed once per rule).
  const fields = (res: Res): string[] => [
    ...new Set(((res.body.errors ?? []) as { field: string }[]).map((e) => e.field)),
  ];

  async function token(scopes: string[]): Promise<string> {
    const res = await call('POST', '/connect/api_tokens', admin, { name: scopes.join('+'), scopes });
    return res.body.token as string;
  }

  /** A lead pool with two states (the first the default) and an `email` column, through the Connect API. */
  async function pool(as = admin): Promise<{ poolId: string; stateIds: [string, string] }> {
    const poolId = (await call('POST', '/connect/lead_pools', as, { name: 'Inbound' })).body.id as string;
    const first = await call('POST', `/connect/lead_pools/${poolId}/lead_states`, as, {
      name: 'New',
      isDefault: true,
    });
    const second = await call('POST', `/connect/lead_pools/${poolId}/lead_states`, as, { name: 'Won' });
    await call('PATCH', `/connect/lead_pools/${poolId}`, as, { tableSchema: { email: 'string' } });
    return { poolId, stateIds: [first.body.id as string, second.body.id as string] };
  }

  beforeAll(async () => {
    ingress = await startIngress('ingressauto', ['leads', 'calendar', 'automation']);
    admin = (await ingress.bootstrap('Acme')).token;
    stranger = (await ingress.bootstrap('Other')).token;
    writer = await token(['write']);
    reader = await token(['read']);
  }, 180_000);

  afterAll(() => ingress?.stop(), 120_000);

  it('creates with admin (201), reads with read, changes with admin (200), deletes with admin (204)', async () => {
    const { poolId, stateIds } = await pool();
    const body = {
      name: 'Welcome',
      trigger: { event: 'table.entry.added', triggerId: poolId },
      actions: [{ type: 'change_lead_state', params: { stateId: stateIds[1] } }],
    };
    expect((await call('POST', '/api/v1/automations', undefined, body)).status).toBe(401);
    for (const weaker of [reader, writer]) {
      expect(await call('POST', '/api/v1/automations', weaker, body)).toMatchObject({
        status: 403,
        body: { message: 'This API token lacks the admin scope', requiredScope: 'admin' },
      });
    }
    const created = await call('POST', '/api/v1/automations', admin, body);
    expect(created).toMatchObject({
      status: 201,
      body: {
        ...body,
        description: null,
        status: 'draft',
        sandbox: false,
        version: 1,
        actions: [{ id: expect.any(String) }],
      },
    });
    expect(Object.keys(created.body).sort()).toEqual(
      [
        'actions',
        'createdAt',
        'description',
        'id',
        'name',
        'organizationId',
        'sandbox',
        'status',
        'trigger',
        'updatedAt',
        'version',
      ].sort(),
    );
    const id = created.body.id as string;
    expect(await call('GET', `/api/v1/automations/${id}`, reader)).toEqual({
      status: 200,
      body: created.body,
    });
    expect(await call('GET', `/api/v1/automations/${id}`, stranger)).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'Automation not found' },
    });
    expect(fields(await call('GET', '/api/v1/automations/nope', reader))).toEqual(['id']);

    expect((await call('PATCH', `/api/v1/automations/${id}`, reader, { name: 'x' })).status).toBe(403);
    expect((await call('PATCH', `/api/v1/automations/${id}`, stranger, { name: 'x' })).status).toBe(404);
    const patched = await call('PATCH', `/api/v1/automations/${id}`, admin, {
      status: 'active',
      description: 'live',
    });
    expect(patched).toMatchObject({
      status: 200,
      body: { status: 'active', description: 'live', version: 2, name: 'Welcome' },
    });
    const badPatch = await call('PATCH', `/api/v1/automations/${id}`, admin, {
      status: 'running',
      colour: 'red',
    });
    expect(badPatch).toMatchObject({ status: 400, body: { message: 'Validation failed' } });
    expect(fields(badPatch).sort()).toEqual(['colour', 'status']);
    expect(fields(await call('PATCH', `/api/v1/automations/${id}`, admin, { name: null }))).toEqual(['name']);

    expect((await call('DELETE', `/api/v1/automations/${id}`, reader)).status).toBe(403);
    expect((await call('DELETE', `/api/v1/automations/${id}`, stranger)).status).toBe(404);
    expect(await call('DELETE', `/api/v1/automations/${id}`, admin)).toEqual({ status: 204, body: {} });
    expect((await call('GET', `/api/v1/automations/${id}`, reader)).body).toMatchObject({
      status: 'archived',
      version: 3,
    });
  });

  it('creates one automation per Idempotency-Key: a repeat replays it, another body is a 422', async () => {
    const { poolId, stateIds } = await pool();
    const body = {
      name: 'Once',
      trigger: { event: 'table.entry.added', triggerId: poolId },
      actions: [{ type: 'change_lead_state', params: { stateId: stateIds[1] } }],
    };
    const key = { 'idempotency-key': 'create-once-1' };
    const first = await call('POST', '/api/v1/automations', admin, body, key);
    expect(first.status).toBe(201);
    const again = await call('POST', '/api/v1/automations', admin, body, key);
    expect(again).toEqual({ status: 201, body: first.body });
    expect(await call('POST', '/api/v1/automations', admin, { ...body, name: 'Twice' }, key)).toMatchObject({
      status: 422,
      body: { message: 'Idempotency-Key was already used with a different request body' },
    });
    const named = await call('GET', '/api/v1/automations?limit=100', admin);
    const once = (named.body.items as { name: string }[]).filter((a) => a.name === 'Once');
    expect(once).toHaveLength(1);
  });

  it('answers 400 Validation failed naming each field, and 413 for a definition over the limit', async () => {
    const { poolId } = await pool();
    const theirs = await pool(stranger);
    const trigger = { event: 'table.entry.added', triggerId: poolId };
    const cases: [string, Record<string, unknown>, string[]][] = [
      ['unknown event type', { trigger: { event: 'lead.teleported' }, actions: [] }, ['trigger.event']],
      [
        "another organization's pool",
        { trigger: { ...trigger, triggerId: theirs.poolId }, actions: [] },
        ['trigger.triggerId'],
      ],
      [
        'unknown action type',
        {
          trigger,
          actions: [
            { type: 'update_fields', params: { data: { a: 1 } } },
            { type: 'update_fields', params: { data: { b: 2 } } },
            { type: 'teleport', params: {} },
          ],
        },
        ['actions[2].type'],
      ],
      [
        'an action type naming a property every object has',
        {
          trigger,
          actions: [
            { type: '__proto__', params: {} },
            { type: 'constructor', params: {} },
          ],
        },
        ['actions[0].type', 'actions[1].type'],
      ],
      [
        'missing params',
        { trigger, actions: [{ type: 'change_lead_state', params: {} }] },
        ['actions[0].params.stateId'],
      ],
      [
        "another pool's state",
        { trigger, actions: [{ type: 'change_lead_state', params: { stateId: theirs.stateIds[1] } }] },
        ['actions[0].params.stateId'],
      ],
      [
        'invalid JSON Logic',
        { trigger: { ...trigger, match: { frobnicate: [1, 2] } }, actions: [] },
        ['trigger.match'],
      ],
      ['missing name and actions', { name: undefined, trigger }, ['name', 'actions']],
      [
        'unknown status and field',
        { trigger, actions: [], status: 'live', colour: 'red' },
        ['status', 'colour'],
      ],
    ];
    for (const [name, body, expected] of cases) {
      const res = await call('POST', '/api/v1/automations', admin, { name: 'bad', ...body });
      withContext(name, () => {
        expect(res).toMatchObject({
          status: 400,
          body: { statusCode: 400, error: 'Bad Request', message: 'Validation failed' },
        });
        expect(fields(res).sort()).toEqual([...expected].sort());
      });
    }
    const text = 'x'.repeat(60_000);
    const tooLarge = await call('POST', '/api/v1/automations', admin, {
      name: 'big',
      trigger,
      actions: [1, 2, 3].map(() => ({ type: 'send_email', params: { subject: 's', text } })),
    });
    expect(tooLarge).toMatchObject({
      status: 413,
      body: { statusCode: 413, error: 'Payload Too Large', limit: AUTOMATION_LIMITS.definitionBytes },
    });
  });

  it('lists with read, validating the query, page by page', async () => {
    const { poolId } = await pool(stranger);
    // The stranger's organization has only these, so the list is exact.
    const names: string[] = [];
    for (const [i, status] of (['draft', 'active', 'paused', 'archived'] as const).entries()) {
      const res = await call('POST', '/api/v1/automations', stranger, {
        name: `s${i}`,
        status,
        trigger: {
          event: i === 2 ? 'table.entry.leadState.changed' : 'table.entry.added',
          triggerId: poolId,
        },
        actions: [],
      });
      expect(res.status).toBe(201);
      names.push(res.body.name as string);
    }
    const listed = async (query: string): Promise<string[]> => {
      const seen: string[] = [];
      let url = `/api/v1/automations?${query}`;
      for (let pages = 0; pages < 10; pages += 1) {
        const res = await call('GET', url, stranger);
        expect(res.status).toBe(200);
        seen.push(...(res.body.items as { name: string }[]).map((a) => a.name));
        if (res.body.nextCursor === null) return seen;
        url = `/api/v1/automations?${query}&cursor=${res.body.nextCursor as string}`;
      }
      throw new Error('paging did not end');
    };
    expect(await listed('limit=1')).toEqual(['s0', 's1', 's2']);
    expect(await listed('')).toEqual(['s0', 's1', 's2']);
    expect(await listed('status=archived')).toEqual(['s3']);
    expect(await listed('status=active&limit=100')).toEqual(['s1']);
    expect(await listed('event=table.entry.leadState.changed')).toEqual(['s2']);
    expect(await call('GET', '/api/v1/automations', reader)).toMatchObject({ status: 200 });
    expect((await call('GET', '/api/v1/automations', undefined)).status).toBe(401);

    for (const [query, field] of [
      ['status=running', 'status'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['colour=red', 'colour'],
    ] as const) {
      const res = await call('GET', `/api/v1/automations?${query}`, reader);
      withContext(query, () => {
        expect(res).toMatchObject({ status: 400, body: { message: 'Validation failed' } });
        expect(fields(res)).toEqual([field]);
      });
    }
    expect(fields(await call('GET', '/api/v1/automations?cursor=nonsense', reader))).toEqual(['cursor']);
  });

  it('dry-runs with admin (200), shows the run in the history with read, and 404s for strangers', async () => {
    const { poolId, stateIds } = await pool();
    const draft = await call('POST', '/api/v1/automations', admin, {
      name: 'Try me',
      trigger: { event: 'table.entry.added', triggerId: poolId, conditions: { email: 'jo@example.com' } },
      actions: [{ id: 'win', type: 'change_lead_state', params: { stateId: stateIds[1] } }],
    });
    const id = draft.body.id as string;
    const entry = await call('POST', '/connect/table_entries', writer, {
      tableId: poolId,
      data: { email: 'jo@example.com' },
    });
    expect(entry.status).toBe(201);
    const entryId = entry.body.id as string;

    const dryRun = `/api/v1/automations/${id}/dry-run`;
    expect((await call('POST', dryRun, reader, { entryId })).status).toBe(403);
    expect((await call('POST', dryRun, stranger, { entryId })).status).toBe(404);
    expect(fields(await call('POST', dryRun, admin, {}))).toEqual(['entryId']);
    expect(fields(await call('POST', dryRun, admin, { entryId, event: { data: {} } }))).toEqual([
      'event.type',
    ]);
    const dry = await call('POST', dryRun, admin, { entryId });
    expect(dry).toEqual({
      status: 200,
      body: {
        matched: true,
        runId: expect.any(String),
        steps: [
          {
            type: 'change_lead_state',
            status: 'wouldRun',
            wouldDo: { leadStateId: { from: stateIds[0], to: stateIds[1] } },
          },
        ],
      },
    });
    const runId = dry.body.runId as string;
    // Nothing changed.
    expect((await call('GET', `/connect/table_entries/${entryId}`, reader)).body.leadStateId).toBe(
      stateIds[0],
    );

    const runs = await call('GET', `/api/v1/automations/${id}/runs`, reader);
    expect(runs).toMatchObject({
      status: 200,
      body: {
        items: [{ id: runId, automationVersion: 1, status: 'completed', sandbox: true }],
        nextCursor: null,
      },
    });
    const filtered = await call(
      'GET',
      `/api/v1/automations/${id}/runs?status=failed&entryId=${entryId}&limit=5`,
      reader,
    );
    expect(filtered.body).toEqual({ items: [], nextCursor: null });
    const run = await call('GET', `/api/v1/automations/${id}/runs/${runId}`, reader);
    expect(run).toMatchObject({
      status: 200,
      body: {
        id: runId,
        trigger: draft.body.trigger,
        actions: draft.body.actions,
        steps: [{ index: 0, actionId: 'win', type: 'change_lead_state', status: 'wouldRun' }],
      },
    });

    for (const [url, field] of [
      [`/api/v1/automations/${id}/runs?status=done`, 'status'],
      [`/api/v1/automations/${id}/runs?entryId=nope`, 'entryId'],
      [`/api/v1/automations/${id}/runs?limit=0`, 'limit'],
      [`/api/v1/automations/${id}/runs/nope`, 'runId'],
      ['/api/v1/automations/nope/runs', 'id'],
    ] as const) {
      const res = await call('GET', url, reader);
      withContext(url, () => {
        expect(res.status).toBe(400);
        expect(fields(res)).toEqual([field]);
      });
    }
    expect(await call('GET', `/api/v1/automations/${id}/runs`, stranger)).toMatchObject({
      status: 404,
      body: { message: 'Automation not found' },
    });
    expect(await call('GET', `/api/v1/automations/${id}/runs/${runId}`, stranger)).toMatchObject({
      status: 404,
    });
    expect(await call('GET', `/api/v1/automations/${id}/runs/${id}`, reader)).toMatchObject({
      status: 404,
      body: { message: 'Run not found' },
    });
  });

  it('reads the sandbox with read and sets it with admin, per organization', async () => {
    expect(await call('GET', '/api/v1/sandbox', reader)).toEqual({ status: 200, body: { enabled: false } });
    expect((await call('PUT', '/api/v1/sandbox', reader, { enabled: true })).status).toBe(403);
    expect((await call('PUT', '/api/v1/sandbox', writer, { enabled: true })).status).toBe(403);
    expect(fields(await call('PUT', '/api/v1/sandbox', admin, { enabled: 'yes' }))).toEqual(['enabled']);
    expect(fields(await call('PUT', '/api/v1/sandbox', admin, {}))).toEqual(['enabled']);
    expect(await call('PUT', '/api/v1/sandbox', admin, { enabled: true })).toEqual({
      status: 200,
      body: { enabled: true },
    });
    expect(await call('GET', '/api/v1/sandbox', reader)).toEqual({ status: 200, body: { enabled: true } });
    expect((await call('GET', '/api/v1/sandbox', stranger)).body).toEqual({ enabled: false });
    expect(await call('PUT', '/api/v1/sandbox', admin, { enabled: false })).toEqual({
      status: 200,
      body: { enabled: false },
    });
    expect((await call('GET', '/api/v1/sandbox', undefined)).status).toBe(401);
  });
});

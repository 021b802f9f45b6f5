import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { withContext } from '@rocketlead/testing';
import { Api, E2E } from './support/platform';

describe('POST /public/ingress_webhooks/:id (both services as processes)', () => {
  let e2e: E2E;
  let admin: Api;

  const count = async (poolId: string): Promise<number> =>
    (
      (await admin.get<{ items: unknown[] }>(`/connect/table_entries?tableId=${poolId}&limit=100`)).body
        .items ?? []
    ).length;

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin } = await e2e.organization('Hooks Inc'));
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 120_000);

  it('answers 201 with the created TableEntry and the default lead state', async () => {
    const setup = await e2e.pool(admin);
    const res = await e2e.ingest(setup, {
      data: { firstName: 'Maria', email: 'maria@example.com', tags: ['a'], note: null },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      tableId: setup.poolId,
      data: { firstName: 'Maria', email: 'maria@example.com', tags: ['a'], note: null },
      customFieldData: {},
      leadStateId: setup.stateId,
    });
    expect(typeof res.body.createdAt).toBe('string');
    expect((await admin.get(`/connect/table_entries/${res.body.id as string}`)).body).toEqual(res.body);
  });

  it('locks each key to the type of its first value; null infers nothing', async () => {
    const setup = await e2e.pool(admin);
    await e2e.ingest(setup, { data: { email: 'x@x', age: 25, optedIn: true, tags: ['t'], later: null } });
    expect((await admin.get(`/connect/lead_pools/${setup.poolId}`)).body.tableSchema).toEqual({
      email: 'string',
      age: 'number',
      optedIn: 'boolean',
      tags: 'string[]',
    });
    expect((await e2e.ingest(setup, { data: { later: 5 } })).status).toBe(201);
    expect((await admin.get(`/connect/lead_pools/${setup.poolId}`)).body.tableSchema).toMatchObject({
      later: 'number',
    });
  });

  it('refuses a type mismatch with the documented body and stores nothing', async () => {
    const setup = await e2e.pool(admin);
    await e2e.ingest(setup, { data: { email: 'x@x' } });
    const before = await count(setup.poolId);
    const res = await e2e.ingest(setup, { data: { email: 123 } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Validation failed',
      typeErrors: [{ key: 'email', expected: 'string', received: 'number' }],
    });
    expect(await count(setup.poolId)).toBe(before);
  });

  it('refuses mismatches of every locked type with the documented body', async () => {
    const setup = await e2e.pool(admin);
    const first = await e2e.ingest(setup, { data: { tags: ['a'], optedIn: true, age: 3, name: 'x' } });
    expect(first.status).toBe(201);
    const cases: [Record<string, unknown>, { key: string; expected: string; received: string }][] = [
      [{ tags: 'a' }, { key: 'tags', expected: 'string[]', received: 'string' }],
      [{ optedIn: 'yes' }, { key: 'optedIn', expected: 'boolean', received: 'string' }],
      [{ age: '3' }, { key: 'age', expected: 'number', received: 'string' }],
      [{ name: ['x'] }, { key: 'name', expected: 'string', received: 'string[]' }],
      [{ name: true }, { key: 'name', expected: 'string', received: 'boolean' }],
    ];
    for (const [data, typeError] of cases) {
      const res = await e2e.ingest(setup, { data });
      withContext(JSON.stringify(data), () => expect(res.status).toBe(400));
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'Validation failed',
        typeErrors: [typeError],
      });
    }
    // null matches every locked type.
    expect(
      (await e2e.ingest(setup, { data: { tags: null, optedIn: null, age: null, name: null } })).status,
    ).toBe(201);
    expect(await count(setup.poolId)).toBe(2);
  });

  it('lets exactly one of two concurrent first POSTs lock a disputed key', async () => {
    const setup = await e2e.pool(admin);
    const results = await Promise.all([
      e2e.ingest(setup, { data: { score: 'high' } }),
      e2e.ingest(setup, { data: { score: 10 } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 400]);
    expect(await count(setup.poolId)).toBe(1);
  });

  it('resolves repeated first-POST races the same way, locking the winner type', async () => {
    for (let round = 0; round < 3; round++) {
      const setup = await e2e.pool(admin);
      const results = await Promise.all([
        e2e.ingest(setup, { data: { plan: 'gold', seats: 'many' } }),
        e2e.ingest(setup, { data: { plan: true, seats: 3 } }),
      ]);
      withContext(`round ${round}`, () => expect(results.map((r) => r.status).sort()).toEqual([201, 400]));
      const winner = results.find((r) => r.status === 201)!;
      const loser = results.find((r) => r.status === 400)!;
      expect(loser.body.message).toBe('Validation failed');
      expect(loser.body.typeErrors).toHaveLength(2);
      const expected =
        (winner.body.data as { plan: unknown }).plan === true
          ? { plan: 'boolean', seats: 'number' }
          : { plan: 'string', seats: 'string' };
      expect((await admin.get(`/connect/lead_pools/${setup.poolId}`)).body.tableSchema).toEqual(expected);
      const listed = await admin.get<{ items: { id: string }[] }>(
        `/connect/table_entries?tableId=${setup.poolId}`,
      );
      expect(listed.body.items.map((e) => e.id)).toEqual([winner.body.id]);
    }
  });

  it('validates custom field data against the organization fields', async () => {
    const setup = await e2e.pool(admin);
    const field = await admin.post('/connect/custom_fields', { name: 'source', type: 'string' });
    const ok = await e2e.ingest(setup, {
      data: {},
      customFieldData: { [field.body.id as string]: 'instagram_ad' },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.customFieldData).toEqual({ [field.body.id as string]: 'instagram_ad' });
    const unknown = await e2e.ingest(setup, {
      data: {},
      customFieldData: { '00000000-0000-4000-8000-000000000000': 'x' },
    });
    expect(unknown).toMatchObject({ status: 400, body: { message: 'Validation failed' } });
    const wrongType = await e2e.ingest(setup, {
      data: {},
      customFieldData: { [field.body.id as string]: 5 },
    });
    expect(wrongType).toMatchObject({ status: 400, body: { message: 'Validation failed' } });
  });

  it('refuses a pool without a default lead state', async () => {
    const pool = await admin.post('/connect/lead_pools', { name: 'No default' });
    const hook = await admin.post('/connect/ingress_webhooks', { tableId: pool.body.id });
    const res = await e2e.ingest(
      { webhookId: hook.body.id as string, webhookToken: hook.body.token as string },
      { data: { a: 'b' } },
    );
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'No default lead state' });
  });

  it('answers 401 Invalid webhook token and 404 Webhook not found', async () => {
    const setup = await e2e.pool(admin);
    const missing = await e2e.anonymous().post(`/public/ingress_webhooks/${setup.webhookId}`, { data: {} });
    expect(missing.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Invalid webhook token',
    });
    expect((await e2e.ingest({ ...setup, webhookToken: 'f'.repeat(64) }, { data: {} })).status).toBe(401);
    const unknown = await e2e.ingest(
      { ...setup, webhookId: '00000000-0000-4000-8000-000000000000' },
      { data: {} },
    );
    expect(unknown.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Webhook not found' });
    expect((await e2e.ingest({ ...setup, webhookId: 'not-a-uuid' }, { data: {} })).status).toBe(404);
  });

  it("refuses one webhook's token on another webhook", async () => {
    const a = await e2e.pool(admin);
    const b = await e2e.pool(admin);
    const res = await e2e.ingest(
      { webhookId: b.webhookId, webhookToken: a.webhookToken },
      { data: { x: 'y' } },
    );
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid webhook token' });
    expect(await count(b.poolId)).toBe(0);
  });

  it('refuses bodies over 1 MiB (413), malformed JSON and non-JSON content (400)', async () => {
    const setup = await e2e.pool(admin);
    const big = await e2e.ingest(setup, { data: { blob: 'x'.repeat(1024 * 1024) } });
    expect(big).toMatchObject({ status: 413, body: { statusCode: 413, error: 'Payload Too Large' } });
    const headers = { 'x-rocketlead-ingress-token': setup.webhookToken };
    const malformed = await e2e
      .anonymous()
      .request('POST', `/public/ingress_webhooks/${setup.webhookId}`, '{"data":', {
        ...headers,
        'content-type': 'application/json',
      });
    expect(malformed).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request' } });
    expect(malformed.body.message).toMatch(/JSON/);
    const text = await e2e
      .anonymous()
      .request('POST', `/public/ingress_webhooks/${setup.webhookId}`, 'data=x', {
        ...headers,
        'content-type': 'text/plain',
      });
    expect(text).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request' } });
    expect(text.body.message).toMatch(/Content-Type must be application\/json/);
    expect(await count(setup.poolId)).toBe(0);
  });

  it('names the offending fields of a wrong body shape', async () => {
    const setup = await e2e.pool(admin);
    const cases: [unknown, string[]][] = [
      [{}, ['data']],
      [{ data: 'text' }, ['data']],
      [{ data: {}, extra: 1 }, ['extra']],
      [{ data: { nested: { a: 1 } } }, ['data.nested']],
      [{ data: {}, customFieldData: [] }, ['customFieldData']],
    ];
    for (const [body, fields] of cases) {
      const res = await e2e.ingest(setup, body);
      withContext(JSON.stringify(body), () => expect(res.status).toBe(400));
      expect(res.body.message).toBe('Validation failed');
      expect((res.body.errors as { field: string }[]).map((e) => e.field)).toEqual(fields);
    }
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for the same key and body, creating nothing', async () => {
      const setup = await e2e.pool(admin);
      const first = await e2e.ingest(setup, { data: { email: 'a@b' } }, { 'idempotency-key': 'k-1' });
      const again = await e2e.ingest(setup, { data: { email: 'a@b' } }, { 'idempotency-key': 'k-1' });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(await count(setup.poolId)).toBe(1);
      const mismatch = await e2e.ingest(setup, { data: { email: 'other@b' } }, { 'idempotency-key': 'k-1' });
      expect(mismatch).toMatchObject({ status: 422, body: { statusCode: 422 } });
      expect(typeof mismatch.body.message).toBe('string');
      expect(await count(setup.poolId)).toBe(1);
      // A new key creates a new entry.
      expect(
        (await e2e.ingest(setup, { data: { email: 'a@b' } }, { 'idempotency-key': 'k-2' })).body.id,
      ).not.toBe(first.body.id);
      expect(await count(setup.poolId)).toBe(2);
    });

    it('works on POST /connect/table_entries/ too, per organization', async () => {
      const setup = await e2e.pool(admin, { email: 'string' });
      const body = { tableId: setup.poolId, data: { email: 'a@b' } };
      const first = await admin.post('/connect/table_entries/', body, { 'idempotency-key': 'order-7' });
      const again = await admin.post('/connect/table_entries/', body, { 'idempotency-key': 'order-7' });
      expect(again.body.id).toBe(first.body.id);
      expect(
        (
          await admin.post(
            '/connect/table_entries/',
            { ...body, data: { email: 'c@d' } },
            { 'idempotency-key': 'order-7' },
          )
        ).status,
      ).toBe(422);
      expect(await count(setup.poolId)).toBe(1);
      // Another organization may use the same key for its own request.
      const { admin: other } = await e2e.organization('Other');
      const otherSetup = await e2e.pool(other, { email: 'string' });
      const theirs = await other.post(
        '/connect/table_entries/',
        { tableId: otherSetup.poolId, data: { email: 'a@b' } },
        { 'idempotency-key': 'order-7' },
      );
      expect(theirs.status).toBe(201);
      expect(theirs.body.id).not.toBe(first.body.id);
    });

    it('treats the same body with its keys reordered as the same request', async () => {
      const setup = await e2e.pool(admin);
      const first = await e2e.ingest(setup, { data: { email: 'o@o', age: 1 } }, { 'idempotency-key': 'ord' });
      const again = await e2e.ingest(setup, { data: { age: 1, email: 'o@o' } }, { 'idempotency-key': 'ord' });
      expect(again).toMatchObject({ status: 201, body: { id: first.body.id } });
      expect(await count(setup.poolId)).toBe(1);
    });

    it('never creates two entries for concurrent requests with one key', async () => {
      const setup = await e2e.pool(admin);
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          e2e.ingest(setup, { data: { email: 'c@c' } }, { 'idempotency-key': 'concurrent' }),
        ),
      );
      const created = results.filter((r) => r.status === 201);
      // A request that finds the key still in progress is told to retry (409), never given a second entry.
      expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
      expect(await count(setup.poolId)).toBe(1);
      const retried = await e2e.ingest(
        setup,
        { data: { email: 'c@c' } },
        { 'idempotency-key': 'concurrent' },
      );
      expect(retried.body.id).toBe(created[0]!.body.id);
    });

    it('without the header every POST creates an entry', async () => {
      const setup = await e2e.pool(admin);
      await e2e.ingest(setup, { data: { email: 'a@b' } });
      await e2e.ingest(setup, { data: { email: 'a@b' } });
      expect(await count(setup.poolId)).toBe(2);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, E2E } from './support/platform';

describe('Connect API (both services as processes, over HTTP)', () => {
  let e2e: E2E;
  let admin: Api;

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin } = await e2e.organization('Acme'));
  });

  afterAll(async () => {
    await e2e?.stop();
  });

  it('serves liveness and readiness', async () => {
    expect((await e2e.anonymous().get('/health/live')).status).toBe(200);
    expect(await e2e.anonymous().get('/health/ready')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  describe('authentication and scopes', () => {
    it('answers 401 without a token, with an unknown token and with a revoked one', async () => {
      expect(await e2e.anonymous().get('/connect/custom_fields')).toMatchObject({
        status: 401,
        body: { statusCode: 401, error: 'Unauthorized' },
      });
      expect(
        (await new Api(e2e.platform.baseUrl, 'rocketlead_nope').get('/connect/custom_fields')).status,
      ).toBe(401);
      const created = await admin.post<{ id: string; token: string; name: string; scopes: string[] }>(
        '/connect/api_tokens',
        {
          name: 'temp',
          scopes: ['read'],
        },
      );
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'temp', scopes: ['read'] });
      expect(created.body.token).toMatch(/^rocketlead_/);
      const temp = new Api(e2e.platform.baseUrl, created.body.token);
      expect((await temp.get('/connect/custom_fields')).status).toBe(200);
      expect((await admin.delete(`/connect/api_tokens/${created.body.id}`)).status).toBe(204);
      expect((await temp.get('/connect/custom_fields')).status).toBe(401);
    });

    it('answers 403 when the token lacks the scope', async () => {
      const { api: reader } = await e2e.token(admin, ['read']);
      const { api: writer } = await e2e.token(admin, ['write']);
      const { poolId } = await e2e.pool(admin);
      expect(await reader.post('/connect/lead_pools', { name: 'x' })).toMatchObject({
        status: 403,
        body: { error: 'Forbidden' },
      });
      expect((await reader.post('/connect/table_entries/', { tableId: poolId, data: {} })).status).toBe(403);
      expect((await writer.post('/connect/lead_pools', { name: 'x' })).status).toBe(403);
      expect((await writer.post('/connect/custom_fields', { name: 'x', type: 'string' })).status).toBe(403);
      expect((await writer.post('/connect/table_entries/', { tableId: poolId, data: {} })).status).toBe(201);
      expect((await reader.get(`/connect/lead_pools/${poolId}`)).status).toBe(200);
    });

    it("never shows one organization another's objects (404)", async () => {
      const { admin: other } = await e2e.organization('Other');
      const setup = await e2e.pool(admin);
      const entry = await e2e.ingest(setup, { data: { a: 'b' } });
      const token = await admin.post<{ id: string }>('/connect/api_tokens', {
        name: 'mine',
        scopes: ['read'],
      });
      expect((await other.get(`/connect/lead_pools/${setup.poolId}`)).status).toBe(404);
      expect((await other.patch(`/connect/lead_pools/${setup.poolId}`, { name: 'stolen' })).status).toBe(404);
      expect((await other.get(`/connect/lead_pools/${setup.poolId}/lead_states`)).status).toBe(404);
      expect((await other.get(`/connect/table_entries/${entry.body.id as string}`)).status).toBe(404);
      expect(
        (await other.patch(`/connect/table_entries/${entry.body.id as string}`, { data: {} })).status,
      ).toBe(404);
      expect((await other.get(`/connect/table_entries?tableId=${setup.poolId}`)).status).toBe(404);
      expect((await other.post('/connect/table_entries/', { tableId: setup.poolId, data: {} })).status).toBe(
        404,
      );
      expect((await other.post('/connect/ingress_webhooks', { tableId: setup.poolId })).status).toBe(404);
      expect((await other.get(`/connect/ingress_webhooks/${setup.webhookId}`)).status).toBe(404);
      expect((await other.post(`/connect/ingress_webhooks/${setup.webhookId}/rotate_token`)).status).toBe(
        404,
      );
      expect((await other.delete(`/connect/ingress_webhooks/${setup.webhookId}`)).status).toBe(404);
      expect((await other.delete(`/connect/api_tokens/${token.body.id}`)).status).toBe(404);
      expect((await other.get('/connect/table_entries')).body).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('request bodies', () => {
    it('refuses bodies over 1 MiB with 413', async () => {
      const res = await admin.post('/connect/lead_pools', { name: 'x'.repeat(1024 * 1024) });
      expect(res).toMatchObject({ status: 413, body: { statusCode: 413, error: 'Payload Too Large' } });
    });

    it('refuses malformed JSON and non-JSON content types with a clear 400', async () => {
      const malformed = await admin.request('POST', '/connect/lead_pools', '{"name": ', {
        'content-type': 'application/json',
      });
      expect(malformed).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request' } });
      expect(malformed.body.message).toMatch(/JSON/);
      const text = await admin.request('POST', '/connect/lead_pools', 'name=x', {
        'content-type': 'text/plain',
      });
      expect(text.status).toBe(400);
      expect(text.body.message).toBe('Content-Type must be application/json, got "text/plain"');
    });

    it('names every offending field', async () => {
      const res = await admin.post('/connect/lead_pools', { name: '', colour: 'red' });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Validation failed');
      expect((res.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['colour', 'name']);
    });
  });

  describe('configuration', () => {
    it('creates, reads and renames a lead pool', async () => {
      const created = await admin.post('/connect/lead_pools', { name: 'Courses' });
      expect(created.status).toBe(201);
      expect(Object.keys(created.body).sort()).toEqual([
        'createdAt',
        'defaultLeadStateId',
        'id',
        'name',
        'organizationId',
        'tableSchema',
      ]);
      expect(created.body).toMatchObject({ name: 'Courses', defaultLeadStateId: null, tableSchema: {} });
      const id = created.body.id as string;
      expect((await admin.get(`/connect/lead_pools/${id}`)).body).toEqual(created.body);
      expect((await admin.patch(`/connect/lead_pools/${id}`, { name: 'Workshops' })).body).toMatchObject({
        id,
        name: 'Workshops',
      });
      expect((await admin.get('/connect/lead_pools/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });

    it('adds schema keys but refuses to change a locked type', async () => {
      const { poolId } = await e2e.pool(admin, { email: 'string' });
      const added = await admin.patch(`/connect/lead_pools/${poolId}`, { tableSchema: { age: 'number' } });
      expect(added.status).toBe(200);
      expect(added.body.tableSchema).toEqual({ email: 'string', age: 'number' });
      const conflict = await admin.patch(`/connect/lead_pools/${poolId}`, {
        tableSchema: { email: 'number' },
      });
      expect(conflict).toEqual({
        status: 400,
        headers: conflict.headers,
        body: {
          statusCode: 400,
          error: 'Bad Request',
          message: 'Validation failed',
          typeErrors: [{ key: 'email', expected: 'string', received: 'number' }],
        },
      });
      expect((await admin.get(`/connect/lead_pools/${poolId}`)).body.tableSchema).toEqual({
        email: 'string',
        age: 'number',
      });
      expect(
        (await admin.patch(`/connect/lead_pools/${poolId}`, { tableSchema: { x: 'date' } })).status,
      ).toBe(400);
    });

    it('creates and lists lead states; isDefault makes a state the default', async () => {
      const pool = await admin.post('/connect/lead_pools', { name: 'States' });
      const id = pool.body.id as string;
      const first = await admin.post(`/connect/lead_pools/${id}/lead_states`, { name: 'New' });
      expect(first).toMatchObject({ status: 201, body: { tableId: id, name: 'New', isDefault: false } });
      const second = await admin.post(`/connect/lead_pools/${id}/lead_states`, {
        name: 'Qualified',
        isDefault: true,
      });
      expect(second.body).toMatchObject({ isDefault: true });
      const list = await admin.get<{ id: string; isDefault: boolean }[]>(
        `/connect/lead_pools/${id}/lead_states`,
      );
      expect(list.body.map((s) => [s.id, s.isDefault])).toEqual([
        [first.body.id, false],
        [second.body.id, true],
      ]);
      expect((await admin.get(`/connect/lead_pools/${id}`)).body.defaultLeadStateId).toBe(second.body.id);
    });

    it('creates custom fields of each type', async () => {
      for (const type of ['string', 'number', 'boolean', 'string[]']) {
        const res = await admin.post('/connect/custom_fields', { name: `field-${type}`, type });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({ name: `field-${type}`, type });
      }
      expect((await admin.post('/connect/custom_fields', { name: 'bad', type: 'date' })).status).toBe(400);
      expect(
        (await admin.post('/connect/custom_fields', { name: 'field-string', type: 'string' })).status,
      ).toBe(409);
    });

    it('creates an ingress webhook with a one-time 64-hex token, rotates and deletes it', async () => {
      const pool = await admin.post('/connect/lead_pools', { name: 'Hooks' });
      await admin.post(`/connect/lead_pools/${pool.body.id as string}/lead_states`, {
        name: 'New',
        isDefault: true,
      });
      const hook = await admin.post('/connect/ingress_webhooks', { tableId: pool.body.id, name: 'Zapier' });
      expect(hook.status).toBe(201);
      expect(hook.body).toMatchObject({ tableId: pool.body.id });
      expect(hook.body.token).toMatch(/^[0-9a-f]{64}$/);
      expect(hook.body.url).toMatch(new RegExp(`/public/ingress_webhooks/${hook.body.id as string}$`));
      const shown = await admin.get(`/connect/ingress_webhooks/${hook.body.id as string}`);
      expect(shown.status).toBe(200);
      expect(shown.body.token).toBeUndefined();
      const setup = { webhookId: hook.body.id as string, webhookToken: hook.body.token as string };
      expect((await e2e.ingest(setup, { data: { a: 'b' } })).status).toBe(201);
      const rotated = await admin.post(`/connect/ingress_webhooks/${setup.webhookId}/rotate_token`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.token).toMatch(/^[0-9a-f]{64}$/);
      expect(await e2e.ingest(setup, { data: { a: 'b' } })).toMatchObject({
        status: 401,
        body: { message: 'Invalid webhook token' },
      });
      expect(
        (await e2e.ingest({ ...setup, webhookToken: rotated.body.token as string }, { data: { a: 'b' } }))
          .status,
      ).toBe(201);
      expect((await admin.delete(`/connect/ingress_webhooks/${setup.webhookId}`)).status).toBe(204);
      expect(
        await e2e.ingest({ ...setup, webhookToken: rotated.body.token as string }, { data: { a: 'b' } }),
      ).toMatchObject({
        status: 404,
        body: { message: 'Webhook not found' },
      });
      expect(
        (await admin.post('/connect/ingress_webhooks', { tableId: '00000000-0000-4000-8000-000000000000' }))
          .status,
      ).toBe(404);
    });
  });

  describe('table entries', () => {
    it('creates an entry with the default state, validating data against the schema', async () => {
      const setup = await e2e.pool(admin, { email: 'string', age: 'number' });
      const created = await admin.post('/connect/table_entries/', {
        tableId: setup.poolId,
        data: { email: 'a@b.c', age: 30 },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        tableId: setup.poolId,
        data: { email: 'a@b.c', age: 30 },
        customFieldData: {},
        leadStateId: setup.stateId,
      });
      expect((await admin.get(`/connect/table_entries/${created.body.id as string}`)).body).toEqual(
        created.body,
      );
      const noSlash = await admin.post('/connect/table_entries', {
        tableId: setup.poolId,
        data: { email: 'x@y.z' },
      });
      expect(noSlash.status).toBe(201);

      const unknown = await admin.post('/connect/table_entries/', {
        tableId: setup.poolId,
        data: { email: 'a', shoeSize: 44 },
      });
      expect(unknown).toMatchObject({
        status: 400,
        body: { message: 'Validation failed', errors: [{ field: 'data.shoeSize' }] },
      });
      const mistyped = await admin.post('/connect/table_entries/', {
        tableId: setup.poolId,
        data: { age: 'old' },
      });
      expect(mistyped.body).toMatchObject({
        typeErrors: [{ key: 'age', expected: 'number', received: 'string' }],
      });
    });

    it('accepts a leadStateId of the same pool and refuses one of another pool', async () => {
      const a = await e2e.pool(admin);
      const b = await e2e.pool(admin);
      const won = await admin.post(`/connect/lead_pools/${a.poolId}/lead_states`, { name: 'Won' });
      const ok = await admin.post('/connect/table_entries/', {
        tableId: a.poolId,
        data: {},
        leadStateId: won.body.id,
      });
      expect(ok.body.leadStateId).toBe(won.body.id);
      const wrong = await admin.post('/connect/table_entries/', {
        tableId: a.poolId,
        data: {},
        leadStateId: b.stateId,
      });
      expect(wrong).toMatchObject({ status: 400, body: { errors: [{ field: 'leadStateId' }] } });
    });

    it('pages newest first with a stable cursor and validates limit', async () => {
      const setup = await e2e.pool(admin);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await e2e.ingest(setup, { data: { i } })).body.id as string);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await admin.get(
          `/connect/table_entries?tableId=${setup.poolId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((e) => e.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      expect((await admin.get(`/connect/table_entries?tableId=${setup.poolId}&limit=0`)).status).toBe(400);
      expect((await admin.get(`/connect/table_entries?tableId=${setup.poolId}&limit=101`)).status).toBe(400);
      expect((await admin.get(`/connect/table_entries?tableId=${setup.poolId}&cursor=garbage`)).status).toBe(
        400,
      );
    });

    it('patches state, data and custom fields', async () => {
      const setup = await e2e.pool(admin, { email: 'string' });
      const field = await admin.post('/connect/custom_fields', {
        name: `score-${Date.now()}`,
        type: 'number',
      });
      const won = await admin.post(`/connect/lead_pools/${setup.poolId}/lead_states`, { name: 'Won' });
      const entry = await e2e.ingest(setup, { data: { email: 'a@b.c', city: 'Berlin' } });
      const patched = await admin.patch(`/connect/table_entries/${entry.body.id as string}`, {
        leadStateId: won.body.id,
        data: { email: 'new@b.c' },
        customFieldData: { [field.body.id as string]: 7 },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        leadStateId: won.body.id,
        data: { email: 'new@b.c', city: 'Berlin' },
        customFieldData: { [field.body.id as string]: 7 },
      });
      expect(
        (await admin.patch(`/connect/table_entries/${entry.body.id as string}`, { data: { email: 5 } }))
          .status,
      ).toBe(400);
      expect(
        (await admin.patch('/connect/table_entries/00000000-0000-4000-8000-000000000000', { data: {} }))
          .status,
      ).toBe(404);
    });
  });
});

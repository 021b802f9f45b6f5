import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { withContext } from '@rocketlead/testing';
import { Api, E2E } from './support/platform';

describe('Connect API (both services as processes, over HTTP)', () => {
  let e2e: E2E;
  let admin: Api;

  interface Page {
    items: { id: string; createdAt: string }[];
    nextCursor: string | null;
  }
  const page = async (tableId: string, limit: number, cursor?: string): Promise<Page> => {
    const res = await admin.get<Page>(
      `/connect/table_entries?tableId=${tableId}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (res.status !== 200) throw new Error(`list: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin } = await e2e.organization('Acme'));
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 120_000);

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

    it('answers 401 unless the header is `Bearer rocketlead_<secret>`', async () => {
      const secret = admin.token!;
      expect(secret).toMatch(/^rocketlead_/);
      const attempts: Record<string, string> = {
        'no scheme': secret,
        'Basic scheme': `Basic ${secret}`,
        'secret without its prefix': `Bearer ${secret.slice('rocketlead_'.length)}`,
        'empty bearer': 'Bearer ',
        'altered secret': `Bearer ${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`,
      };
      for (const [label, authorization] of Object.entries(attempts)) {
        const res = await e2e
          .anonymous()
          .request('GET', '/connect/custom_fields', undefined, { authorization });
        withContext(label, () => {
          expect(res.status).toBe(401);
          expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
          expect(typeof res.body.message).toBe('string');
        });
      }
      expect((await admin.get('/connect/custom_fields')).status).toBe(200);
    });

    it('lets read GET, write create/update entries and read, admin do everything', async () => {
      const { api: reader } = await e2e.token(admin, ['read']);
      const { api: writer } = await e2e.token(admin, ['write']);
      const setup = await e2e.pool(admin, { email: 'string' });
      const entry = await admin.post<{ id: string }>('/connect/table_entries/', {
        tableId: setup.poolId,
        data: { email: 'a@b' },
      });
      const entryId = entry.body.id;
      const reads = [
        `/connect/lead_pools/${setup.poolId}`,
        `/connect/lead_pools/${setup.poolId}/lead_states`,
        `/connect/table_entries/${entryId}`,
        `/connect/table_entries?tableId=${setup.poolId}`,
        '/connect/custom_fields',
      ];
      for (const api of [reader, writer, admin])
        for (const pathname of reads) {
          const { status } = await api.get(pathname);
          withContext(pathname, () => expect(status).toBe(200));
        }

      // Entry changes: write and admin, not read.
      const denied = await reader.patch(`/connect/table_entries/${entryId}`, { data: { email: 'r@b' } });
      expect(denied).toMatchObject({
        status: 403,
        body: { statusCode: 403, error: 'Forbidden' },
      });
      expect(typeof denied.body.message).toBe('string');
      expect((await reader.post('/connect/table_entries/', { tableId: setup.poolId, data: {} })).status).toBe(
        403,
      );
      expect((await admin.get(`/connect/table_entries/${entryId}`)).body.data).toEqual({ email: 'a@b' });
      expect(
        (await writer.patch(`/connect/table_entries/${entryId}`, { data: { email: 'w@b' } })).status,
      ).toBe(200);
      expect(
        (await admin.patch(`/connect/table_entries/${entryId}`, { data: { email: 'x@b' } })).status,
      ).toBe(200);

      // Configuration changes: admin only.
      const configuration: [string, string, unknown][] = [
        ['POST', '/connect/lead_pools', { name: 'p' }],
        ['PATCH', `/connect/lead_pools/${setup.poolId}`, { name: 'renamed' }],
        ['POST', `/connect/lead_pools/${setup.poolId}/lead_states`, { name: 's' }],
        ['POST', '/connect/custom_fields', { name: 'scoped', type: 'string' }],
        ['POST', '/connect/ingress_webhooks', { tableId: setup.poolId }],
        ['POST', `/connect/ingress_webhooks/${setup.webhookId}/rotate_token`, undefined],
        ['DELETE', `/connect/ingress_webhooks/${setup.webhookId}`, undefined],
        ['POST', '/connect/api_tokens', { name: 't', scopes: ['read'] }],
      ];
      for (const api of [reader, writer])
        for (const [method, pathname, body] of configuration) {
          const { status } = await api.request(method, pathname, body);
          withContext(`${method} ${pathname}`, () => expect(status).toBe(403));
        }
      // Nothing above took effect: the old webhook token still works and the pool kept its name.
      expect((await e2e.ingest(setup, { data: { email: 'still@works' } })).status).toBe(201);
      expect((await admin.get(`/connect/lead_pools/${setup.poolId}`)).body.name).toBe('Pool');
      for (const [method, pathname, body] of configuration) {
        const { status } = await admin.request(method, pathname, body);
        withContext(`${method} ${pathname}`, () => expect(status).toBeLessThan(300));
      }
    });

    it('lets read and write tokens GET an ingress webhook (every GET needs only read)', async () => {
      const { api: reader } = await e2e.token(admin, ['read']);
      const { api: writer } = await e2e.token(admin, ['write']);
      const setup = await e2e.pool(admin);
      for (const api of [reader, writer]) {
        const res = await api.get(`/connect/ingress_webhooks/${setup.webhookId}`);
        withContext(JSON.stringify(res.body), () => expect(res.status).toBe(200));
        expect(res.body).toMatchObject({ id: setup.webhookId, tableId: setup.poolId });
      }
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

    it("cannot use another organization's pools, states, custom fields or tokens by id", async () => {
      const { admin: other } = await e2e.organization('Other');
      const mine = await e2e.pool(admin, { email: 'string' });
      const theirs = await e2e.pool(other, { email: 'string' });
      const notFound = await other.post(`/connect/lead_pools/${mine.poolId}/lead_states`, { name: 'Mine' });
      expect(notFound).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
      expect(typeof notFound.body.message).toBe('string');
      expect(
        (await admin.get<unknown[]>(`/connect/lead_pools/${mine.poolId}/lead_states`)).body,
      ).toHaveLength(1);
      expect(
        (await other.patch(`/connect/lead_pools/${theirs.poolId}`, { defaultLeadStateId: mine.stateId }))
          .status,
      ).toBe(400);

      // Their lead state and custom field do not exist for us.
      const field = await other.post<{ id: string }>('/connect/custom_fields', {
        name: `theirs-${Date.now()}`,
        type: 'string',
      });
      const withTheirState = await admin.post('/connect/table_entries/', {
        tableId: mine.poolId,
        data: {},
        leadStateId: theirs.stateId,
      });
      expect(withTheirState).toMatchObject({ status: 400, body: { message: 'Validation failed' } });
      const withTheirField = await e2e.ingest(mine, { data: {}, customFieldData: { [field.body.id]: 'x' } });
      expect(withTheirField).toMatchObject({ status: 400, body: { message: 'Validation failed' } });
      const entry = await e2e.ingest(mine, { data: { email: 'a@b' } });
      const patched = await admin.patch(`/connect/table_entries/${entry.body.id as string}`, {
        leadStateId: theirs.stateId,
      });
      expect(patched.status).toBe(400);
      expect((await admin.get(`/connect/table_entries/${entry.body.id as string}`)).body.leadStateId).toBe(
        mine.stateId,
      );

      // Revoking our token from their side fails and leaves it working.
      const { api, tokenId } = await e2e.token(admin, ['read']);
      expect(await other.delete(`/connect/api_tokens/${tokenId}`)).toMatchObject({
        status: 404,
        body: { statusCode: 404, error: 'Not Found' },
      });
      expect((await api.get(`/connect/lead_pools/${mine.poolId}`)).status).toBe(200);
      // Their admin token sees their objects only.
      expect((await other.get(`/connect/lead_pools/${theirs.poolId}`)).status).toBe(200);
      expect((await api.get(`/connect/lead_pools/${theirs.poolId}`)).status).toBe(404);
    });
  });

  describe('request bodies', () => {
    it('refuses bodies over 1 MiB with 413', async () => {
      const res = await admin.post('/connect/lead_pools', { name: 'x'.repeat(1024 * 1024) });
      expect(res).toMatchObject({
        status: 413,
        body: {
          statusCode: 413,
          error: 'Payload Too Large',
          message: 'Request body is larger than 1048576 bytes (1 MiB)',
          field: '(body)',
          limit: 1048576,
        },
      });
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
        'birthdayField',
        'createdAt',
        'dedupe',
        'defaultLeadStateId',
        'id',
        'name',
        'organizationId',
        'tableSchema',
      ]);
      expect(created.body).toMatchObject({
        name: 'Courses',
        defaultLeadStateId: null,
        birthdayField: null,
        tableSchema: {},
        dedupe: null,
      });
      const id = created.body.id as string;
      expect((await admin.get(`/connect/lead_pools/${id}`)).body).toEqual(created.body);
      expect((await admin.patch(`/connect/lead_pools/${id}`, { name: 'Workshops' })).body).toMatchObject({
        id,
        name: 'Workshops',
      });
      expect((await admin.get('/connect/lead_pools/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      // Listed newest first, a page at a time; the page size is bounded.
      const newest = await admin.post('/connect/lead_pools', { name: 'Newest' });
      const page = await admin.get('/connect/lead_pools?limit=1');
      expect(page).toMatchObject({ status: 200, body: { items: [newest.body] } });
      const next = await admin.get(
        `/connect/lead_pools?limit=1&cursor=${encodeURIComponent(page.body.nextCursor as string)}`,
      );
      expect((next.body.items as { id: string }[])[0]).toMatchObject({ id, name: 'Workshops' });
      expect(await admin.get('/connect/lead_pools?limit=101')).toMatchObject({
        status: 400,
        body: { message: 'Validation failed', errors: [{ field: 'limit' }] },
      });
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

    it('PATCH defaultLeadStateId moves the default, which new webhook entries then get', async () => {
      const setup = await e2e.pool(admin);
      const other = await e2e.pool(admin);
      const hot = await admin.post<{ id: string }>(`/connect/lead_pools/${setup.poolId}/lead_states`, {
        name: 'Hot',
      });
      const res = await admin.patch(`/connect/lead_pools/${setup.poolId}`, {
        defaultLeadStateId: hot.body.id,
      });
      expect(res).toMatchObject({ status: 200, body: { id: setup.poolId, defaultLeadStateId: hot.body.id } });
      expect((await admin.get(`/connect/lead_pools/${setup.poolId}`)).body.defaultLeadStateId).toBe(
        hot.body.id,
      );
      expect((await e2e.ingest(setup, { data: { a: 'b' } })).body.leadStateId).toBe(hot.body.id);
      expect(
        (await admin.post('/connect/table_entries/', { tableId: setup.poolId, data: { a: 'c' } })).body
          .leadStateId,
      ).toBe(hot.body.id);
      // A state of another pool cannot become this pool's default.
      const foreign = await admin.patch(`/connect/lead_pools/${setup.poolId}`, {
        defaultLeadStateId: other.stateId,
      });
      expect(foreign).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request' } });
      expect((await admin.get(`/connect/lead_pools/${setup.poolId}`)).body.defaultLeadStateId).toBe(
        hot.body.id,
      );
    });

    it('creates an API token shown once with its scopes; DELETE revokes it', async () => {
      const created = await admin.post<{ id: string; name: string; scopes: string[]; token: string }>(
        '/connect/api_tokens',
        { name: 'crm', scopes: ['read', 'write'] },
      );
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'crm', scopes: ['read', 'write'] });
      expect(typeof created.body.id).toBe('string');
      expect(created.body.token).toMatch(/^rocketlead_\S+$/);
      const crm = new Api(e2e.platform.baseUrl, created.body.token);
      expect((await crm.get('/connect/custom_fields')).status).toBe(200);
      expect((await admin.delete(`/connect/api_tokens/${created.body.id}`)).status).toBe(204);
      expect(await crm.get('/connect/custom_fields')).toMatchObject({
        status: 401,
        body: { statusCode: 401, error: 'Unauthorized' },
      });
      expect((await admin.post('/connect/api_tokens', { name: 'x', scopes: ['root'] })).status).toBe(400);
    });

    it('shows an ingress webhook without its token; a deleted one is gone', async () => {
      const setup = await e2e.pool(admin);
      const shown = await admin.get(`/connect/ingress_webhooks/${setup.webhookId}`);
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject({ id: setup.webhookId, tableId: setup.poolId });
      expect(shown.body.url).toMatch(new RegExp(`/public/ingress_webhooks/${setup.webhookId}$`));
      expect(Object.keys(shown.body)).not.toContain('token');
      expect(JSON.stringify(shown.body)).not.toContain(setup.webhookToken);
      expect((await admin.delete(`/connect/ingress_webhooks/${setup.webhookId}`)).status).toBe(204);
      expect((await admin.get(`/connect/ingress_webhooks/${setup.webhookId}`)).status).toBe(404);
      expect((await admin.post(`/connect/ingress_webhooks/${setup.webhookId}/rotate_token`)).status).toBe(
        404,
      );
      expect(await e2e.ingest(setup, { data: { a: 'b' } })).toMatchObject({
        status: 404,
        body: { statusCode: 404, error: 'Not Found', message: 'Webhook not found' },
      });
    });

    it('creates custom fields of each type', async () => {
      for (const type of ['string', 'number', 'boolean', 'string[]']) {
        const res = await admin.post('/connect/custom_fields', { name: `field-${type}`, type });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({ name: `field-${type}`, type });
        expect(typeof res.body.id).toBe('string');
      }
      expect((await admin.post('/connect/custom_fields', { name: 'bad', type: 'date' })).status).toBe(400);
      expect(
        (await admin.post('/connect/custom_fields', { name: 'field-string', type: 'string' })).status,
      ).toBe(409);
    });

    it('reads and renames a custom field; its type stays, a taken name is 409, another organization gets 404', async () => {
      const field = await admin.post('/connect/custom_fields', { name: 'budget', type: 'number' });
      const id = field.body.id as string;
      expect((await admin.get(`/connect/custom_fields/${id}`)).body).toEqual(field.body);
      expect(await admin.patch(`/connect/custom_fields/${id}`, { name: 'Budget (EUR)' })).toMatchObject({
        status: 200,
        body: { id, name: 'Budget (EUR)', type: 'number' },
      });
      const retyped = await admin.patch(`/connect/custom_fields/${id}`, { name: 'x', type: 'string' });
      expect(retyped).toMatchObject({ status: 400, body: { errors: [{ field: 'type' }] } });
      await admin.post('/connect/custom_fields', { name: 'taken', type: 'string' });
      expect(await admin.patch(`/connect/custom_fields/${id}`, { name: 'taken' })).toMatchObject({
        status: 409,
        body: { message: 'A custom field named "taken" already exists' },
      });
      const { api: writer } = await e2e.token(admin, ['write']);
      expect((await writer.patch(`/connect/custom_fields/${id}`, { name: 'y' })).status).toBe(403);
      const { admin: other } = await e2e.organization('Elsewhere');
      expect((await other.get(`/connect/custom_fields/${id}`)).status).toBe(404);
      expect((await other.patch(`/connect/custom_fields/${id}`, { name: 'z' })).status).toBe(404);
      expect((await admin.get(`/connect/custom_fields/${id}`)).body).toMatchObject({ name: 'Budget (EUR)' });
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
    it('lists entries by lead state and by assignee, naming a bad filter', async () => {
      const setup = await e2e.pool(admin, { email: 'string' });
      const won = await admin.post(`/connect/lead_pools/${setup.poolId}/lead_states`, { name: 'Won' });
      const wonId = won.body.id as string;
      const member = await admin.post('/connect/members', {
        name: 'Ada',
        email: `ada-${Date.now()}@example.com`,
      });
      const first = await admin.post('/connect/table_entries', {
        tableId: setup.poolId,
        data: { email: 'a@b.c' },
      });
      const second = await admin.post('/connect/table_entries', {
        tableId: setup.poolId,
        data: { email: 'd@e.f' },
        leadStateId: wonId,
      });
      await admin.patch(`/connect/table_entries/${second.body.id as string}`, {
        assignedMemberId: member.body.id,
      });
      const ids = async (query: string): Promise<unknown[]> =>
        ((await admin.get(`/connect/table_entries?${query}`)).body.items as { id: string }[]).map(
          (e) => e.id,
        );
      expect(await ids(`leadStateId=${wonId}`)).toEqual([second.body.id]);
      expect(await ids(`tableId=${setup.poolId}&leadStateId=${setup.stateId}`)).toEqual([first.body.id]);
      expect(await ids(`assignedMemberId=${member.body.id as string}`)).toEqual([second.body.id]);
      expect(await ids(`tableId=${setup.poolId}&assignedMemberId=none`)).toEqual([first.body.id]);
      expect(await admin.get('/connect/table_entries?assignedMemberId=me')).toMatchObject({
        status: 400,
        body: { message: 'Validation failed', errors: [{ field: 'assignedMemberId' }] },
      });
      expect(await admin.get(`/connect/table_entries?leadStateId=${setup.poolId}`)).toMatchObject({
        status: 404,
        body: { message: 'Lead state not found' },
      });
    });

    it('deletes a lead with admin only (204), after which it is gone (404)', async () => {
      const setup = await e2e.pool(admin, { email: 'string' });
      const entry = await admin.post('/connect/table_entries', {
        tableId: setup.poolId,
        data: { email: 'bye@example.com' },
      });
      const path = `/connect/table_entries/${entry.body.id as string}`;
      const { api: writer } = await e2e.token(admin, ['read', 'write']);
      expect((await writer.delete(path)).status).toBe(403);
      const { admin: other } = await e2e.organization('Elsewhere');
      expect((await other.delete(path)).status).toBe(404);
      expect(await admin.delete(path)).toMatchObject({ status: 204 });
      expect(await admin.get(path)).toMatchObject({
        status: 404,
        body: { message: 'Table entry not found' },
      });
      expect((await admin.delete(path)).status).toBe(404);
      expect((await admin.delete('/connect/table_entries/nope')).status).toBe(400);
      const listed = await admin.get(`/connect/table_entries?tableId=${setup.poolId}`);
      expect(listed.body.items).toEqual([]);
    });

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

    it('keeps paging stable while entries are added between pages', async () => {
      const setup = await e2e.pool(admin);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await e2e.ingest(setup, { data: { i } })).body.id as string);
      const first = await page(setup.poolId, 2);
      expect(first.items.map((e) => e.id)).toEqual([ids[4], ids[3]]);
      expect(first.nextCursor).toEqual(expect.any(String));
      const added = [
        (await e2e.ingest(setup, { data: { i: 5 } })).body.id as string,
        (await e2e.ingest(setup, { data: { i: 6 } })).body.id as string,
      ];
      const rest: string[] = [];
      let cursor = first.nextCursor;
      while (cursor) {
        const next = await page(setup.poolId, 2, cursor);
        rest.push(...next.items.map((e) => e.id));
        cursor = next.nextCursor;
      }
      expect(rest).toEqual([ids[2], ids[1], ids[0]]);
      const fresh = await page(setup.poolId, 100);
      expect(fresh.items.map((e) => e.id)).toEqual([...added.reverse(), ...[...ids].reverse()]);
      expect(fresh.nextCursor).toBeNull();
    });

    it('pages concurrently created entries without duplicates or gaps, newest first', async () => {
      const setup = await e2e.pool(admin);
      const created = await Promise.all(
        Array.from({ length: 7 }, (_, i) => e2e.ingest(setup, { data: { i } })),
      );
      expect(created.map((r) => r.status)).toEqual(Array(7).fill(201));
      const seen: { id: string; createdAt: string }[] = [];
      const cursors: (string | null)[] = [];
      let cursor: string | null | undefined;
      do {
        const next = await page(setup.poolId, 2, cursor ?? undefined);
        expect(next.items.length).toBeLessThanOrEqual(2);
        seen.push(...next.items);
        cursors.push(next.nextCursor);
        cursor = next.nextCursor;
      } while (cursor);
      expect(cursors).toHaveLength(4);
      expect(cursors.slice(0, 3).every((c) => typeof c === 'string')).toBe(true);
      expect(cursors[3]).toBeNull();
      const seenIds = seen.map((e) => e.id);
      expect(new Set(seenIds).size).toBe(seenIds.length);
      expect([...seenIds].sort()).toEqual(created.map((r) => r.body.id as string).sort());
      const times = seen.map((e) => Date.parse(e.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      // The same query again gives the same order.
      expect((await page(setup.poolId, 100)).items.map((e) => e.id)).toEqual(seenIds);
    });

    it('refuses a PATCH to a lead state of another pool or an unknown custom field', async () => {
      const a = await e2e.pool(admin);
      const b = await e2e.pool(admin);
      const entry = await e2e.ingest(a, { data: { email: 'a@b' } });
      const id = entry.body.id as string;
      expect(await admin.patch(`/connect/table_entries/${id}`, { leadStateId: b.stateId })).toMatchObject({
        status: 400,
        body: { message: 'Validation failed', errors: [{ field: 'leadStateId' }] },
      });
      const unknownField = await admin.patch(`/connect/table_entries/${id}`, {
        customFieldData: { '00000000-0000-4000-8000-000000000000': 'x' },
      });
      expect(unknownField).toMatchObject({ status: 400, body: { message: 'Validation failed' } });
      expect((await admin.get(`/connect/table_entries/${id}`)).body).toEqual(entry.body);
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
